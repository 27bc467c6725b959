import { describe, expect, it } from 'vitest';
import { editDistance, findTicketRef, isForwardSubject, isRequestSubject, TICKET_REF_RE } from '../../parsers/subject';

describe('isRequestSubject', () => {
  it.each([
    'LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE — PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE-PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE : PROCEDURE SPECIFIQUE',
    'Liquidateur judiciaire – procédure spécifique',
    'LIQUIDATEUR JUDICIAIRE – PROCÉDURE SPÉCIFIQUE',
    'liquidateur judiciaire - procedure specifique',
    // decomposed accents (macOS)
    'LIQUIDATEUR JUDICIAIRE - PROCE\u0301DURE SPE\u0301CIFIQUE',
    'LIQUIDATEUR\u00a0JUDICIAIRE\u00a0–\u00a0PROCEDURE\u00a0SPECIFIQUE',
    '  LIQUIDATEUR   JUDICIAIRE  -  PROCEDURE   SPECIFIQUE  ',
    'LIQUIDATEUR JUDICIAIRE\t-\tPROCEDURE SPECIFIQUE',
    'RE: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'Re : LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'RE: RE: TR: Fwd: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'FW: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'AW: WG: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'Réf. : LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'RÉF : LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'RE[2]: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'TR : RE : LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    '[Incident: 261126-000042] LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'RE: [Incident: 261126-000042] LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE',
    '[LJ-261126-0042] RE: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'RE: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE [LJ-261126-0042]',
    'LIQUIDATEUR JUDICIAIRE [LJ-261126-0042] - PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE - SARL DUPONT',
    'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE : SAS Transports Lemoine',
    'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE.',
    '« LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE »',
    // near misses: a typo per word, the halves swapped, "liquidation" for "liquidateur"
    'LIQUIDATEUR JUDICAIRE – PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIARE - PROCEDURE SPECIFIQUE',
    'LIQUDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUES',
    'LIQUIDATEUR JUDICIAIRE - PROCEUDRE SPECIFQUE',
    'Liquidateur judiciaire – procédure spécifque',
    'LIQUIDATEURS JUDICIAIRES - PROCEDURE SPECIFIQUE',
    'PROCEDURE SPECIFIQUE – LIQUIDATEUR JUDICIAIRE',
    'Procédure spécifique liquidateur judiciaire',
    'Procédure spécifique : liquidateur judiciaire - SARL Dupont',
    'Liquidation judiciaire – procédure spécifique',
    'LIQUIDATION JUDICIAIRE / PROCEDURE SPECIFIQUE',
    'TR: Liquidation judiciaire - procédure spécifique',
    'RE: [LJ-261126-0042] Procédure spécifique - Liquidateur judiciaire',
    'Liquidateur-judiciaire – procédure-spécifique',
  ])('accepts %j', (subject) => {
    expect(isRequestSubject(subject)).toBe(true);
  });

  it.each([
    '',
    'Question sur une liquidation',
    'Liquidation judiciaire SARL Dupont',
    'LIQUIDATEUR JUDICIAIRE',
    'PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR - PROCEDURE SPECIFIQUE',
    'MANDATAIRE JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'Question sur LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'Réponse automatique : LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'Automatic reply: LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'Lu : LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUE',
    'LIQUIDATEUR JUDICIAIRE - PROCEDURE SPECIFIQUEMENT',
    '[LJ-261126-0042] Votre demande est non conforme',
    // unrelated, and must stay so
    'Question sur ma DSN',
    'Question sur ma DSN de novembre',
    'liquidation amiable',
    'Liquidation amiable – procédure spécifique',
    'Liquidation judiciaire',
    'Liquidation judiciaire – procédure simplifiée',
    'Liquidation judiciaire – procédure collective',
    'Procédure collective : liquidation judiciaire',
    'Procédure spécifique DSN',
    'Procédures spécifiques de la DSN',
    'La lettre des mandataires – novembre 2026',
    'Newsletter : liquidateurs judiciaires, la procédure spécifique expliquée',
    'Votre procédure de liquidation judiciaire',
    'Jugement de liquidation judiciaire – procédure spécifique',
    'Administrateur judiciaire – procédure spécifique',
    'Liquidateur amiable – procédure spécifique',
    'LIQUIDATEUR JUDICIAIRE - PROCEDURE',
    'LIQUIDATEUR JUDICIAIRE ET PROCEDURE SPECIFIQUE',
  ])('rejects %j', (subject) => {
    expect(isRequestSubject(subject)).toBe(false);
  });
});

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['JUDICIAIRE', 'JUDICIAIRE', 0],
    ['JUDICAIRE', 'JUDICIAIRE', 1],
    ['JUDICIARE', 'JUDICIAIRE', 1],
    ['PROCEUDRE', 'PROCEDURE', 1],
    ['LIQUIDATEURS', 'LIQUIDATEUR', 1],
    ['LIQUIDATION', 'LIQUIDATEUR', 3],
    ['SIMPLIFIEE', 'SPECIFIQUE', 3],
    ['A', 'JUDICIAIRE', 3],
  ])('%s ~ %s', (a, b, want) => {
    expect(Math.min(editDistance(a, b, 2), 3)).toBe(want);
  });
});

describe('isForwardSubject', () => {
  it.each<[string, boolean]>([
    ['TR: LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE', true],
    ['TR : RE : LIQUIDATEUR', true],
    ['Fwd: Liquidateur judiciaire', true],
    ['FW: x', true],
    ['WG: x', true],
    ['[Incident: 261126-000042] TR: x', true],
    ['RE: TR: LIQUIDATEUR', false],
    ['Re: Fwd: x', false],
    ['LIQUIDATEUR JUDICIAIRE – PROCEDURE SPECIFIQUE', false],
    ['Transfert de dossier', false],
    ['', false],
  ])('%j → %s', (subject, want) => {
    expect(isForwardSubject(subject)).toBe(want);
  });
});

describe('findTicketRef', () => {
  it.each([
    ['RE: [LJ-261126-0042] Demande non conforme', 'LJ-261126-0042'],
    ['Re: [lj-261126-0042] LIQUIDATEUR JUDICIAIRE', 'LJ-261126-0042'],
    ['LJ-270102-123456 sans crochets', 'LJ-270102-123456'],
    ['(LJ-261126-0001)', 'LJ-261126-0001'],
    ['[LJ-261126-0042] puis [LJ-261126-0043]', 'LJ-261126-0042'],
    ['[Incident: 261126-000042] LIQUIDATEUR', null],
    ['LJ-261126-042 (3 digits)', null],
    ['LJ-26112-0042 (5-digit date)', null],
    ['XLJ-261126-0042', null],
    ['LJ-261126-0042A', null],
    ['', null],
  ])('%j → %j', (subject, want) => {
    expect(findTicketRef(subject)).toBe(want);
  });

  it('exports a non-global regex that can be reused safely', () => {
    expect(TICKET_REF_RE.global).toBe(false);
    expect(TICKET_REF_RE.test('[LJ-261126-0042]')).toBe(true);
    expect(TICKET_REF_RE.test('[LJ-261126-0042]')).toBe(true);
  });
});
