// Counts the statements every pg client of this process sends while `work` runs (the test's own
// reads are made after): how tests prove a piece of work costs a bounded number of statements.
import pg from 'pg';

export async function statementsDuring<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = Reflect.get<typeof prototype, 'query'>(prototype, 'query');
  let statements = 0;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements += 1;
    return original.apply(this, args);
  };
  try {
    return { result: await work(), statements };
  } finally {
    prototype.query = original;
  }
}
