// Every route of Telecom Expense Management, for collectRoutes (api/app.ts).
import type { Deps } from '../../workers/core/deps.js';
import type { Route } from '../route.js';
import { temCostCentreRoutes } from './tem-cost-centres.js';
import { temEinvoiceRoutes } from './tem-einvoices.js';
import { temReportRoutes } from './tem-reports.js';
import { temSubscriptionRoutes } from './tem-subscriptions.js';
import { temUploadRoutes } from './tem-uploads.js';

export function temRoutes(deps: Deps): Route[] {
  return [...temUploadRoutes(deps), ...temEinvoiceRoutes(deps), ...temSubscriptionRoutes(deps), ...temCostCentreRoutes(deps), ...temReportRoutes(deps)];
}
