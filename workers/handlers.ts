// Every job's handler, from the families' manifests (workers/families.ts). The HandlerMap type
// makes a job without a handler a compile error.
import type { HandlerMap } from './core/handler.js';
import { FAMILIES } from './families.js';

export const HANDLERS = Object.assign({}, ...FAMILIES.map((family) => ('handlers' in family ? family.handlers : {}))) as HandlerMap;
