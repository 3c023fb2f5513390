// The identity family: organisations, API keys, users, sessions and contacts. No jobs of its
// own (its mail goes through the mail family); its routes are in api/families.ts.
import { defineFamilyWithoutJobs } from '../core/family.js';
import { identityRetention } from './retention.js';
import { identityPrivacy } from './privacy.js';

export const identityFamily = defineFamilyWithoutJobs({
  name: 'identity',
  retention: identityRetention,
  privacy: identityPrivacy,
});
