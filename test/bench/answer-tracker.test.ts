import { describe, expect, it } from 'vitest';
import { trackAnswers } from '../../bench/answer-tracker';
import type { SinkMessage, SmtpSink } from '../support/sandbox/smtp-sink';

function mail(at: number, to: string, inReplyTo?: string): SinkMessage {
  return {
    raw: Buffer.alloc(0), envelope: { from: 'liquibot@support.example.fr', to: [to] }, receivedAt: new Date(at),
    messageId: undefined, subject: undefined, headers: inReplyTo ? { 'in-reply-to': [inReplyTo] } : {},
  };
}

describe('trackAnswers', () => {
  it('matches answers by In-Reply-To, counts duplicates and other mail, and empties the sink', () => {
    const messages: SinkMessage[] = [];
    const sink = { messages } as unknown as SmtpSink;
    const t = trackAnswers(sink, new Set(['<a@x>', '<b@x>']));
    messages.push(mail(1000, 'req-a@etude.fr', '<a@x>'), mail(1005, 'agents@support.example.fr'));
    expect(t.poll()).toBe(1);
    expect(messages).toHaveLength(0);
    messages.push(mail(1500, 'req-b@etude.fr', ' <b@x> '), mail(1600, 'req-a@etude.fr', '<a@x>'), mail(1700, 'x@y.fr', '<zzz@x>'));
    expect(t.poll()).toBe(2);
    expect(t.answeredAt('<a@x>')).toBe(1000);
    expect(t.answeredAt('<b@x>')).toBe(1500);
    expect(t).toMatchObject({ received: 5, answered: 2, duplicates: 1, strays: 2, toAgents: 1 });
    expect([t.firstAt(), t.lastAt(), t.lastAnyAt()]).toEqual([1000, 1500, 1700]);
  });
});
