import type { Logger } from '../log';

/**
 * Progress of a large pass (a backlog on first start, after an outage): a log line every 5 seconds at
 * most, with the rate and the time left, and one at the end.
 */
export function backlogProgress(log: Logger, minTotal = 20, everyMs = 5_000): (p: { done: number; total: number }) => void {
  let startedAt = 0;
  let lastAt = 0;
  return ({ done, total }) => {
    const now = Date.now();
    if (done === 0) {
      startedAt = now;
      lastAt = now;
      if (total >= minTotal) log.info({ done, total }, 'backlog started');
      return;
    }
    if (total < minTotal || (done < total && now - lastAt < everyMs)) return;
    lastAt = now;
    const seconds = Math.max(0.001, (now - startedAt) / 1000);
    const rate = done / seconds;
    log.info(
      { done, total, percent: Math.floor((done / total) * 100), perSecond: Math.round(rate * 10) / 10, etaSeconds: Math.ceil((total - done) / Math.max(rate, 0.001)) },
      done === total ? 'backlog done' : 'backlog progress',
    );
  };
}
