import { describe, expect, it } from 'vitest';
import { initialTicketCheck, mergeTicketCheck, type TicketCheck } from '../../src/workflow/ticket-check';
import type { RequestCheck } from '../../parsers/check-request';
import type { ProblemCode } from '../../parsers/problems';

const SIRET = '73282932000074';
const doc = (sha: string) => ({ filename: `${sha}.pdf`, kind: 'pdf' as const, size: 100, sha256: sha });
const check = (over: Partial<RequestCheck> & { codes?: ProblemCode[] } = {}): RequestCheck => ({
  siret: over.siret ?? null,
  liquidatorEmail: over.liquidatorEmail ?? null,
  documents: over.documents ?? [],
  problems: (over.codes ?? []).map((code) => ({ code })),
});

describe('initialTicketCheck', () => {
  it('keeps the fields and tags documents with their message', () => {
    const t = initialTicketCheck(check({ siret: SIRET, documents: [doc('a')], codes: ['LIQUIDATOR_EMAIL_MISSING'] }), 7);
    expect(t).toEqual({ siret: SIRET, liquidatorEmail: null, documents: [{ ...doc('a'), inboundMessageId: 7 }], problems: [{ code: 'LIQUIDATOR_EMAIL_MISSING' }] });
  });
});

describe('mergeTicketCheck', () => {
  const missingAll: TicketCheck = initialTicketCheck(check({ codes: ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_MISSING'] }), 1);
  const onlyAttachmentMissing: TicketCheck = initialTicketCheck(check({ siret: SIRET, liquidatorEmail: 'l@x.fr', codes: ['ATTACHMENT_MISSING'] }), 1);

  it.each<[string, TicketCheck, RequestCheck, { siret: string | null; email: string | null; docs: number; codes: ProblemCode[] }]>([
    ['a reply with only the document completes the request', onlyAttachmentMissing,
      check({ documents: [doc('b')], codes: ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING'] }),
      { siret: SIRET, email: 'l@x.fr', docs: 1, codes: [] }],
    ['a reply with everything replaces nothing-at-all', missingAll,
      check({ siret: SIRET, liquidatorEmail: 'l@x.fr', documents: [doc('b')] }),
      { siret: SIRET, email: 'l@x.fr', docs: 1, codes: [] }],
    ['a field the reply mentions wrongly replaces the good one', onlyAttachmentMissing,
      check({ documents: [doc('b')], codes: ['SIRET_INVALID', 'LIQUIDATOR_EMAIL_MISSING'] }),
      { siret: null, email: 'l@x.fr', docs: 1, codes: ['SIRET_INVALID'] }],
    ['an empty reply changes nothing', missingAll,
      check({ codes: ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_MISSING'] }),
      { siret: null, email: null, docs: 0, codes: ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_MISSING'] }],
    ['a bad attachment in the reply is reported as invalid', onlyAttachmentMissing,
      check({ codes: ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_INVALID'] }),
      { siret: SIRET, email: 'l@x.fr', docs: 0, codes: ['ATTACHMENT_INVALID'] }],
  ])('%s', (_label, previous, next, want) => {
    const merged = mergeTicketCheck(previous, next, 2);
    expect(merged.siret).toBe(want.siret);
    expect(merged.liquidatorEmail).toBe(want.email);
    expect(merged.documents).toHaveLength(want.docs);
    expect(merged.problems.map((p) => p.code)).toEqual(want.codes);
  });

  it('does not count the same document twice', () => {
    const first = initialTicketCheck(check({ siret: SIRET, liquidatorEmail: 'l@x.fr', documents: [doc('a')] }), 1);
    const merged = mergeTicketCheck(first, check({ documents: [doc('a'), doc('c')], codes: ['SIRET_MISSING', 'LIQUIDATOR_EMAIL_MISSING'] }), 2);
    expect(merged.documents.map((d) => [d.sha256, d.inboundMessageId])).toEqual([['a', 1], ['c', 2]]);
  });
});

describe('mergeTicketCheck: what changed since the first request', () => {
  const src = { sender: 'etude@x.fr', at: '2026-12-06T10:00:00.000Z' };
  it.each<[string, TicketCheck, RequestCheck, { field: string; from: string | null; to: string }[]]>([
    ['a SIRET corrected', initialTicketCheck(check({ codes: ['SIRET_INVALID'], liquidatorEmail: 'l@x.fr', documents: [doc('a')] }), 1),
      check({ siret: SIRET, codes: ['LIQUIDATOR_EMAIL_MISSING'] }), [{ field: 'siret', from: null, to: SIRET }]],
    ['the liquidator address replaced', initialTicketCheck(check({ siret: SIRET, liquidatorEmail: 'l@x.fr', codes: ['ATTACHMENT_MISSING'] }), 1),
      check({ liquidatorEmail: 'autre@y.fr', documents: [doc('b')], codes: ['SIRET_MISSING'] }),
      [{ field: 'liquidatorEmail', from: 'l@x.fr', to: 'autre@y.fr' }, { field: 'document', from: null, to: 'b.pdf' }]],
    ['the same values repeated: no change', initialTicketCheck(check({ siret: SIRET, liquidatorEmail: 'l@x.fr', documents: [doc('a')] }), 1),
      check({ siret: SIRET, liquidatorEmail: 'l@x.fr', documents: [doc('a')] }), []],
    ['an invalid new value changes nothing', initialTicketCheck(check({ siret: SIRET, liquidatorEmail: 'l@x.fr', codes: ['ATTACHMENT_MISSING'] }), 1),
      check({ codes: ['SIRET_INVALID', 'LIQUIDATOR_EMAIL_MISSING', 'ATTACHMENT_MISSING'] }), []],
  ])('%s', (_l, previous, next, want) => {
    const merged = mergeTicketCheck(previous, next, 2, src);
    expect((merged.changes ?? []).map(({ field, from, to }) => ({ field, from, to }))).toEqual(want);
    for (const c of merged.changes ?? []) expect(c).toMatchObject({ inboundMessageId: 2, ...src });
  });
});
