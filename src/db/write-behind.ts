import type { Db, Tx } from './client';

/**
 * Statements sent without waiting for their answer, in a transaction that waits for them all before it
 * commits. A statement whose result decides nothing in the step (an outbox row, a binding) then goes out
 * with the next one that does (postgres.js writes the statements issued in one tick together): one write
 * and one wake-up of the server instead of one each. Statements run in the order they were issued, so a
 * later statement sees what an earlier one wrote; one that fails aborts the transaction, and the failure
 * is thrown where the transaction waits for them (settle), before COMMIT, never lost.
 */
const inFlight = new WeakMap<Tx, Promise<unknown>[]>();

/**
 * Runs `work` in a transaction that waits for its statements sent behind (writeBehind) before it
 * commits. Any other transaction waits for each statement where it is sent, as before.
 */
export function settlingTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const sent: Promise<unknown>[] = [];
    inFlight.set(tx, sent);
    try {
      let result: T;
      try {
        result = await work(tx);
      } catch (err) {
        // A statement sent behind that failed aborted the transaction, and so failed what came after it:
        // it is the cause to report (PostgreSQL's "current transaction is aborted" says nothing).
        throw (await firstFailure(sent)) ?? err;
      }
      // Answered already when work's last statement was (answers come in order); a failure is thrown here.
      const failed = await firstFailure(sent);
      if (failed !== null) throw failed;
      return result;
    } finally {
      inFlight.delete(tx);
    }
  });
}

/** The failure of the first statement (in the order sent) that failed, or null. */
async function firstFailure(sent: readonly Promise<unknown>[]): Promise<unknown> {
  for (const statement of sent) {
    try {
      await statement;
    } catch (err) {
      return err ?? new Error('statement failed');
    }
  }
  return null;
}

/**
 * Sends `statement` behind: in a settling transaction, returns at once and leaves the statement to be
 * waited for at its end; elsewhere, waits for it here. `check` runs on its result when it is waited for
 * (throw to fail the transaction: what the caller took for granted did not hold).
 */
export async function writeBehind<T>(tx: Tx, statement: Promise<T>, check?: (result: T) => void): Promise<void> {
  const checked = check ? statement.then(check) : statement;
  const sent = inFlight.get(tx);
  if (!sent) {
    await checked;
    return;
  }
  // Observed now, thrown at settle: an unobserved rejection would end the process.
  checked.catch(() => {});
  sent.push(checked);
}
