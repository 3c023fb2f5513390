// Taking in a batch comes before sending the ones already taken: with every role in one
// process, jobs would otherwise take the event loop and the pool's connections from the request
// being read. While an intake runs in this process (from the first byte of a bulk request's
// body to its answer, see api/route.ts), a job about to start waits for it to end, at most
// MAX_WAIT_MS each time, so background work is slowed, never starved. Jobs already running go
// on. In a process without the web role nothing is ever taken in: jobs never wait.
const MAX_WAIT_MS = 2_000;

let running = 0;
let waiting: (() => void)[] = [];

/** Marks an intake as running until the returned function is called (once; later calls do nothing). */
export function beginIntake(): () => void {
  running += 1;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    running -= 1;
    if (running === 0) {
      const ready = waiting;
      waiting = [];
      for (const go of ready) go();
    }
  };
}

/** Runs `intake` with background jobs of this process held back until it ends. */
export async function asIntake<T>(intake: () => Promise<T>): Promise<T> {
  const end = beginIntake();
  try {
    return await intake();
  } finally {
    end();
  }
}

/** Resolves when no intake runs in this process, or after `maxWaitMs`. */
export function intakeIdle(maxWaitMs = MAX_WAIT_MS): Promise<void> {
  if (running === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxWaitMs);
    waiting.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
