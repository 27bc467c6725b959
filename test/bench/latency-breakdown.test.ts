import { describe, expect, it } from 'vitest';
import { latencyBreakdown } from '../../bench/latency-breakdown';

describe('latencyBreakdown', () => {
  it('lines the daemon timeline up with the bench samples', () => {
    const samples = [{ appendStart: 1000, appendEnd: 1010, answeredAt: 1700 }];
    const timeline = [
      { name: 'imap.existsEvent', start: 1510, end: 1510 },
      { name: 'imap.fetchOne', start: 1512, end: 1515 },
      { name: 'smtp.sendMail(other)', start: 1560, end: 1580 },
      { name: 'smtp.sendMail(answer)', start: 1590, end: 1698 },
      // the next sample's events must not be picked
      { name: 'imap.existsEvent', start: 3000, end: 3000 },
    ];
    expect(latencyBreakdown(samples, timeline)).toEqual({
      'APPEND command': 10,
      'APPEND done → IDLE push (EXISTS) in daemon': 500,
      'EXISTS → fetch starts (lock, SEARCH)': 2,
      'fetch (FETCH BODY[], fetchOne or a range)': 3,
      'fetch done → answer send starts (store, parse, transaction, outbox claim)': 75,
      'answer SMTP send (nodemailer)': 108,
      'send done → sink has it': 2,
    });
  });

  it('takes a range FETCH of sources when there is no fetchOne', () => {
    const out = latencyBreakdown([{ appendStart: 0, appendEnd: 4, answeredAt: 600 }], [
      { name: 'imap.existsEvent', start: 504, end: 504 },
      { name: 'imap.fetch(other)', start: 505, end: 506 },
      { name: 'imap.fetch(source)', start: 507, end: 509 },
      { name: 'smtp.sendMail(answer)', start: 540, end: 598 },
    ]);
    expect(out['fetch (FETCH BODY[], fetchOne or a range)']).toBe(2);
    expect(out['EXISTS → fetch starts (lock, SEARCH)']).toBe(3);
  });

  it('leaves out what it cannot match', () => {
    const out = latencyBreakdown([{ appendStart: 0, appendEnd: 5, answeredAt: 50 }], []);
    expect(out['APPEND command']).toBe(5);
    expect(out['fetch (FETCH BODY[], fetchOne or a range)']).toBeNaN();
  });
});
