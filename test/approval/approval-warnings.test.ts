import { describe, expect, it } from 'vitest';
import { approvalWarnings, type WarningFacts } from '../../src/approval/approval-request-vars';
import { organisationDomainOf } from '../../src/approval/warnings';

const none: WarningFacts = {
  otherTickets: [], liquidatorOnFreeMail: false, sirenInPdfs: ['found'], otherDocuments: 0, accountKnown: true, linkReissues: 0, changes: [], domains: null,
  liquidatorOnOwnDomain: null, liquidatorElsewhere: { count: 0, refs: [] }, requesterNew: false,
};

describe('approvalWarnings: each point d’attention with its reason', () => {
  it.each<[string, Partial<WarningFacts>, RegExp[]]>([
    ['nothing to say', {}, []],
    ['a SIRET changed by a later mail', {
      changes: [{ field: 'siret', from: '73282932000075', to: '73282932000074', inboundMessageId: 12, sender: 'e@x.fr', at: '2026-12-06T09:30:00.000Z' }],
    }, [/^SIRET modifié\(e\) après la demande initiale : 73282932000075 → 73282932000074 \(message n° 12 envoyé par e@x\.fr le 06\/12\/2026 10:30\)/]],
    ['a liquidator address set later', {
      changes: [{ field: 'liquidatorEmail', from: null, to: 'l@y.fr', inboundMessageId: 13, sender: null, at: null }],
    }, [/^Adresse du liquidateur modifié\(e\) après la demande initiale : \(absent ou invalide\) → l@y\.fr \(message n° 13\)/]],
    ['a document added later', { changes: [{ field: 'document', from: null, to: 'jugement.pdf', inboundMessageId: 14, sender: 'e@x.fr', at: null }] },
      [/^Document ajouté après la demande initiale : jugement\.pdf/]],
    ['another request for the company, with another liquidator', { otherTickets: [{ ref: 'LJ-1', status: 'awaiting_approval', otherLiquidator: 'z@z.fr' }] },
      [/^Une autre demande existe pour ce SIRET : LJ-1 \(état : en attente de validation, avec une autre adresse de liquidateur : z@z\.fr\)\.$/]],
    ['the liquidator on the support’s own domain', { liquidatorOnOwnDomain: 'support.example.fr' }, [/domaine support\.example\.fr, celui du support ou des agents/]],
    ['domains that differ', { domains: { liquidator: 'evil.example.com', requester: 'etude.fr' } }, [/\(evil\.example\.com\) diffère de celui du demandeur \(etude\.fr\)/]],
    ['free mail wins over a domain difference', { liquidatorOnFreeMail: true, domains: { liquidator: 'gmail.com', requester: 'etude.fr' } }, [/messagerie grand public/]],
    ['the liquidator address on other companies’ requests', { liquidatorElsewhere: { count: 7, refs: ['LJ-2', 'LJ-3'] } }, [/figure dans 7 autre\(s\) demande\(s\) récente\(s\) pour d’autres entreprises : LJ-2, LJ-3\.$/]],
    ['a requester never seen before', { requesterNew: true }, [/^Première demande reçue de ce demandeur\.$/]],
    // Issue 12: a document that could not be checked says so.
    ['a PDF without the SIREN', { sirenInPdfs: ['not-found'] }, [/^Le SIREN de l’entreprise n’a pas été trouvé dans le texte du document PDF/]],
    ['an unreadable PDF', { sirenInPdfs: ['unreadable'] }, [/^Le document PDF joint n’a pas pu être vérifié \(son texte n’a pas pu être lu/]],
    ['a PDF that was not scanned', { sirenInPdfs: ['not-scanned'] }, [/^Le document PDF joint n’a pas pu être vérifié/]],
    ['one PDF with the SIREN, another unreadable', { sirenInPdfs: ['unreadable', 'found'] }, []],
    ['no PDF at all, only images', { sirenInPdfs: [], otherDocuments: 2 }, [/^Aucun document PDF : les pièces jointes sont des images, dont le contenu n’a pas été vérifié/]],
    ['no account for the SIRET in the directory', { accountKnown: false }, [/^Aucun compte n’est inscrit pour ce SIRET dans l’annuaire des comptes/]],
  ])('%s', (_l, facts, want) => {
    const w = approvalWarnings({ ...none, ...facts });
    expect(w).toHaveLength(want.length);
    want.forEach((re, i) => expect(w[i]).toMatch(re));
  });
});

describe('organisationDomainOf', () => {
  it.each([
    ['claire@mj-moutin.fr', 'mj-moutin.fr'],
    ['claire@paris.mj-moutin.fr', 'mj-moutin.fr'],
    ['x@etude.co.uk', 'etude.co.uk'],
    ['x@MJ-Moutin.FR.', 'mj-moutin.fr'],
    ['x@localhost', 'localhost'],
  ])('%s → %s', (address, want) => {
    expect(organisationDomainOf(address)).toBe(want);
  });
});
