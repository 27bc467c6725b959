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
 * that is sent again, with the same Message-ID, once its lease runs out. Such a resend is explained by a
 * kill when its first copy arrived no later than `slackMs` after the kill (bytes already on the wire) and
 * its later copy after the kill. Each kill can explain at most as many resends as its sender had mails in
 * flight; anything else is a double send.
 */
export function resendsByKill(messages: readonly SinkMessage[], killTimes: readonly number[], slackMs = 2000): ResendReport {
  const byId = new Map<string, number[]>();
  for (const m of messages) {
    const id = m.messageId ?? '';
    byId.set(id, [...(byId.get(id) ?? []), m.receivedAt.getTime()]);
  }
  const resends: Resend[] = [];
  for (const [messageId, times] of byId) {
    if (times.length < 2) continue;
    times.sort((a, b) => a - b);
    resends.push({ messageId, copies: times.length, firstAt: times[0]!, lastAt: times[times.length - 1]! });
  }
  const perKill = killTimes.map(() => 0);
  const unexplained: Resend[] = [];
  for (const r of resends) {
    // A kill explains one extra copy; a third copy would need a second kill in between.
    let explained = 0;
    for (let k = 0; k < killTimes.length; k += 1) {
      const at = killTimes[k]!;
      if (r.firstAt <= at + slackMs && r.lastAt >= at && explained < r.copies - 1) {
        perKill[k] = perKill[k]! + 1;
        explained += 1;
      }
    }
    if (explained < r.copies - 1) unexplained.push(r);
  }
  return { resends, perKill, unexplained };
}
