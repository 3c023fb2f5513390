// This process's SMPP session, read when Prometheus scrapes: bound or not, and the window in use.
import { Gauge, type Registry } from 'prom-client';
import type { SmppClient } from './smpp-client.js';

export function registerSessionMetrics(registry: Registry, client: SmppClient, window: number): void {
  new Gauge({
    name: 'tgg_smpp_session_up',
    help: "1 while this process's SMPP session is bound, 0 while it is not",
    registers: [registry],
    collect() {
      this.set(client.isBound ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tgg_smpp_window_in_use',
    help: 'submit_sm of this process awaiting their response',
    registers: [registry],
    collect() {
      this.set(client.windowInUse);
    },
  });
  new Gauge({ name: 'tgg_smpp_window_size', help: 'submit_sm allowed in flight per session (SMPP_WINDOW)', registers: [registry] }).set(window);
}
