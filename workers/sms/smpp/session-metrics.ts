// This process's SMPP sessions (SMPP_SESSIONS), read when Prometheus scrapes: each bound or
// not (labelled by its number, 1 to n), and the submit_sm in flight over all of them.
import { Gauge, type Registry } from 'prom-client';
import type { SmppSessions } from './session-pool.js';

export function registerSessionMetrics(registry: Registry, pool: SmppSessions, window: number): void {
  // One provider per process; a second one (tests make several) reports in place of the first.
  for (const name of ['tgg_smpp_session_up', 'tgg_smpp_window_in_use', 'tgg_smpp_window_size']) registry.removeSingleMetric(name);
  new Gauge({
    name: 'tgg_smpp_session_up',
    help: "1 while this process's SMPP session is bound, 0 while it is not",
    labelNames: ['session'],
    registers: [registry],
    collect() {
      pool.sessions.forEach((s, i) => this.set({ session: String(i + 1) }, s.isBound ? 1 : 0));
    },
  });
  new Gauge({
    name: 'tgg_smpp_window_in_use',
    help: 'submit_sm of this process awaiting their response, over all its sessions',
    registers: [registry],
    collect() {
      this.set(pool.sessions.reduce((sum, s) => sum + s.windowInUse, 0));
    },
  });
  new Gauge({ name: 'tgg_smpp_window_size', help: 'submit_sm allowed in flight per session (SMPP_WINDOW)', registers: [registry] }).set(window);
}
