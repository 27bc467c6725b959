import { describe, expect, it } from 'vitest';
import { benchRequest, benchRequests } from '../../bench/bench-mail';
import { pdfPadFor, samplePdf } from '../support/sample-mails';
import { parseMail } from '../../src/mail/parse-mail';

describe('pdfPadFor', () => {
  it.each([5 * 1024, 150 * 1024, 40 * 1024 * 1024])('makes a %i-byte PDF', (bytes) => {
    expect(samplePdf(pdfPadFor(bytes)).length).toBe(bytes);
  });
  it('is 0 below the smallest PDF', () => {
    expect(pdfPadFor(10)).toBe(0);
  });
});

describe('benchRequest', () => {
  it('is a parseable request with its own Message-ID, sender and a PDF of the asked size', async () => {
    const r = benchRequest({ tag: 'drain', index: 7, pdfBytes: 150 * 1024 });
    const mail = await parseMail(r.raw);
    expect(mail.messageId).toBe(r.messageId);
    expect(mail.from?.address).toBe('etude7@mandataires-drain.example.fr');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]!.size).toBe(150 * 1024);
  });

  it('builds lazily and records the ids in order', () => {
    const ids: string[] = [];
    const gen = benchRequests('t', 3, 5 * 1024, ids);
    expect(ids).toHaveLength(0);
    const raws = [...gen];
    expect(raws).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });
});
