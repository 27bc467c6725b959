import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { chunksOf, floorMail } from '../../bench/floor/floor-mails';
import { copyBinary } from '../../bench/floor/pg-copy-binary';

describe('copyBinary (PostgreSQL binary COPY)', () => {
  it('writes the signature, one tuple of bytea / int8 / null, and the trailer', () => {
    const out = copyBinary([[Buffer.from('ab'), 7n, null]]);
    expect(out.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(out.readInt32BE(11)).toBe(0); // flags
    expect(out.readInt32BE(15)).toBe(0); // header extension
    let at = 19;
    expect(out.readInt16BE(at)).toBe(3);
    at += 2;
    expect(out.readInt32BE(at)).toBe(2);
    expect(out.subarray(at + 4, at + 6).toString()).toBe('ab');
    at += 6;
    expect(out.readInt32BE(at)).toBe(8);
    expect(out.readBigInt64BE(at + 4)).toBe(7n);
    at += 12;
    expect(out.readInt32BE(at)).toBe(-1);
    at += 4;
    expect(out.readInt16BE(at)).toBe(-1);
    expect(out.length).toBe(at + 2);
  });
});

describe('chunksOf', () => {
  it.each([
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [[], 25, []],
  ])('%j by %i', (items, size, want) => {
    expect(chunksOf(items, size)).toEqual(want);
  });
});

describe('floorMail', () => {
  const parsed = {
    subject: 'Demande de réinitialisation', messageId: '<req-1@example.net>', references: '<older@example.net>',
    from: { value: [{ address: 'etude@example.fr', name: 'Étude' }], html: '', text: '' },
    text: 'SIRET concerné : 73282932000074',
    attachments: [{ filename: 'jugement.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' }],
  } as unknown as ParsedMail;
  const ctx = { from: 'liquibot@support.example.fr', agents: 'agents@support.example.fr' };

  it('threads the acknowledgment on the request, marked auto-replied, text + HTML', () => {
    const m = floorMail({ purpose: 'ack', messageId: '<floor-ack-1@x>', recipient: 'etude@example.fr' }, parsed, ctx);
    expect(m).toMatchObject({ to: 'etude@example.fr', inReplyTo: '<req-1@example.net>', references: ['<older@example.net>', '<req-1@example.net>'], messageId: '<floor-ack-1@x>', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(m.text).toContain('Demande de réinitialisation');
    expect(m.html).toContain('<p>');
    expect(m.attachments).toBeUndefined();
  });

  it('re-attaches the PDF to the approval request, not threaded on the request', () => {
    const m = floorMail({ purpose: 'approval', messageId: '<floor-approval-1@x>', recipient: ctx.agents }, parsed, ctx);
    expect(m).toMatchObject({ to: ctx.agents, messageId: '<floor-approval-1@x>' });
    expect(m.inReplyTo).toBeUndefined();
    expect(m.attachments).toEqual([{ filename: 'jugement.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' }]);
    expect(m.html).toContain('73282932000074');
  });
});
