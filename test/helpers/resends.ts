import type { SinkMessage } from '../support/sandbox/smtp-sink';

/** A Message-ID the sink received more than once. */
export interface Resend {
  messageId: string;
  copies: number;
  firstAt: number;
  lastAt: number;
}

export interface ResendReport {
  resends: Resend[];
  /** For each kill (by index), how many resends it explains. */
  perKill: number[];
  /** Resends no kill explains: a real double send. */
  unexplained: Resend[];
}

/**
 * SMTP has no exactly-once: a sender killed between the server's 250 and its "sent" commit leaves a row
 * that is sent again, with the same Message-ID, once its lease runs out. Each later copy of a resend is
 * explained by a kill between it and the copy before: the first kill at or after the earlier copy, or,
 * when none comes before the later copy, the last kill up to `slackMs` before the earlier one (bytes
 * already on the wire when the kill was recorded). The nearest kill, not the first that fits: kills a
 * second apart must not be charged with each other's resends. A kill explains one copy of a given
 * resend at most. Each kill can explain at most as many resends as its sender had mails in flight;
 * anything else is a double send.
 */
export function resendsByKill(messages: readonly SinkMessage[], killTimes: readonly number[], slackMs = 2000): ResendReport {
  const byId = new Map<string, number[]>();
  for (const m of messages) {
    const id = m.messageId ?? '';
    byId.set(id, [...(byId.get(id) ?? []), m.receivedAt.getTime()]);
  }
  const resends: Resend[] = [];
  const copiesOf = new Map<string, number[]>();
  for (const [messageId, times] of byId) {
    if (times.length < 2) continue;
    times.sort((a, b) => a - b);
    copiesOf.set(messageId, times);
    resends.push({ messageId, copies: times.length, firstAt: times[0]!, lastAt: times[times.length - 1]! });
  }
  const perKill = killTimes.map(() => 0);
  const unexplained: Resend[] = [];
  const order = killTimes.map((at, k) => ({ at, k })).sort((a, b) => a.at - b.at);
  for (const r of resends) {
    const times = copiesOf.get(r.messageId)!;
    const used = new Set<number>();
    let explained = 0;
    for (let i = 1; i < times.length; i += 1) {
      const before = times[i - 1]!;
      const after = times[i]!;
      const free = order.filter(({ k }) => !used.has(k));
      const kill = free.find(({ at }) => at >= before && at <= after)
        ?? free.filter(({ at }) => at < before && at >= before - slackMs && at <= after).at(-1);
      if (!kill) continue;
      used.add(kill.k);
      perKill[kill.k] = perKill[kill.k]! + 1;
      explained += 1;
    }
    if (explained < r.copies - 1) unexplained.push(r);
  }
  return { resends, perKill, unexplained };
}
