// Taking in a batch comes before sending the ones already taken: with every role in one
// process, jobs would otherwise take the event loop, the pool's connections and Postgres's CPU
// from the request being read. While an intake runs in this process (from the first byte of a
// bulk request's body to its answer, see api/route.ts), a job about to start (or a chunk about
// to claim its next window) waits for it to end. So that background work is slowed, never
// starved, the waiters go one at a time, oldest first, one every TRICKLE_MS while the intake
// lasts: before, each waiter went after 2 s of its own, so the 4 chunk jobs of a sending
// process all sent a window together every 2 s of a long intake (a 100,000-recipient batch
// took in under load saw some 3,000 messages sent meanwhile). Jobs already running go on. In a
// process without the web role nothing is ever taken in: jobs never wait.
const TRICKLE_MS = 2_000;

let running = 0;
let waiting: (() => void)[] = [];
let trickle: NodeJS.Timeout | undefined;

function stopTrickle(): void {
  clearInterval(trickle);
  trickle = undefined;
}

/** Lets the oldest waiter go (one every TRICKLE_MS while an intake runs). */
function letOneGo(): void {
  waiting.shift()?.();
  if (waiting.length === 0) stopTrickle();
}

/** Marks an intake as running until the returned function is called (once; later calls do nothing). */
export function beginIntake(): () => void {
  running += 1;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    running -= 1;
    if (running === 0) {
      stopTrickle();
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

/**
 * Resolves when no intake runs in this process, or when this waiter's turn comes: the waiters
 * of a long intake go one at a time, oldest first, one every 2 s.
 */
export function intakeIdle(): Promise<void> {
  if (running === 0) return Promise.resolve();
  return new Promise((resolve) => {
    waiting.push(resolve);
    trickle ??= setInterval(letOneGo, TRICKLE_MS);
  });
}
