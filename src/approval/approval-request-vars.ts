import { REASON_HINT } from '../../parsers/agent-reply';
import { toOneLine } from '../../parsers/one-line';
import type { TemplateVars } from '../templates/catalog';
import type { TicketStatus } from '../db/vocabulary';
import { STATUS_LABELS } from '../workflow/status-labels';
import type { FactChange, TicketCheck } from '../workflow/ticket-check';

const KIND_LABEL: Record<string, string> = { pdf: 'PDF', jpeg: 'JPEG', png: 'PNG', tiff: 'TIFF' };

/**
 * The two prefilled replies of an approval request; both carry the token so a reply is bound even without
 * threading. The refusal's reason is a visible hint (REASON_HINT), never a value: sent unedited, the reply
 * is refused as a placeholder and explained (parsers/agent-reply.ts), instead of refusing with "<motif>".
 */
export function approvalMailtos(liquibotAddress: string, ticketRef: string, token: string): { approveMailto: string; refuseMailto: string } {
  const subject = encodeURIComponent(`RE: [${ticketRef}] Validation requise`);
  const mailto = (body: string) => `mailto:${liquibotAddress}?subject=${subject}&body=${encodeURIComponent(body)}`;
  return {
    approveMailto: mailto(`VALIDER\n\n${token}`),
    refuseMailto: mailto(`REFUSER : ${REASON_HINT}\n\n${token}`),
  };
}

/** What the automatic checks found, for the agents. */
export function approvalChecks(check: TicketCheck): TemplateVars<'approval-request'>['checks'] {
  return [
    { label: 'SIRET valide (clé de contrôle)', ok: check.siret !== null, detail: null },
    { label: 'Adresse du liquidateur', ok: check.liquidatorEmail !== null, detail: check.liquidatorEmail },
    {
      label: 'Minutes du greffe en pièce jointe',
      ok: check.documents.length > 0,
      detail: check.documents
        .map((d) => `${d.filename ? toOneLine(d.filename, 120) : 'sans nom'} (${KIND_LABEL[d.kind] ?? d.kind}, ${Math.max(1, Math.round(d.size / 1024))} Ko)`)
        .join(', ') || null,
    },
  ];
}

export interface WarningFacts {
  /** Other tickets for the same SIRET that are open or recent; `liquidatorEmail` when it differs from this request's. */
  otherTickets: { ref: string; status: TicketStatus; otherLiquidator?: string | null }[];
  liquidatorOnFreeMail: boolean;
  /**
   * One entry per PDF document: whether the company's SIREN appears in its text ('unreadable': no text
   * could be read; 'not-scanned': no scan was made for this SIREN).
   */
  sirenInPdfs: ('found' | 'not-found' | 'unreadable' | 'not-scanned')[];
  /** Documents that are not PDFs (images): their content is not checked. */
  otherDocuments: number;
  /** Whether the accounts directory has the SIRET (else the liquidator cannot enter the triplet). */
  accountKnown: boolean;
  /** Links already reissued, when the request comes back to the agents after the limit. */
  linkReissues: number;
  /** Facts set or changed by mails after the first request. */
  changes: FactChange[];
  /** The liquidator's and the requester's organisation domains, when they differ. */
  domains: { liquidator: string; requester: string } | null;
  /** The domain of liquibot, the agents or the support on which the liquidator's address sits, if any. */
  liquidatorOnOwnDomain: string | null;
  /** Requests for other companies naming the same liquidator address recently. */
  liquidatorElsewhere: { count: number; refs: string[] };
  /** True when no earlier request came from this requester. */
  requesterNew: boolean;
}

const FIELD_LABEL: Record<FactChange['field'], string> = {
  siret: 'SIRET',
  liquidatorEmail: 'Adresse du liquidateur',
  document: 'Document ajouté',
};

/** How a change is shown: old → new, and the mail that made it. */
function describeChange(c: FactChange): string {
  const by = [c.sender ? `par ${c.sender}` : null, c.at ? `le ${formatParisDate(c.at)}` : null].filter(Boolean).join(' ');
  const what = c.field === 'document'
    ? `${FIELD_LABEL.document} après la demande initiale : ${c.to}`
    : `${FIELD_LABEL[c.field]} modifié(e) après la demande initiale : ${c.from ?? '(absent ou invalide)'} → ${c.to}`;
  return `${what} (message n° ${c.inboundMessageId}${by ? ` envoyé ${by}` : ''}). Vérifiez que ce changement vient bien du demandeur.`;
}

function formatParisDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(d);
}

/** Points worth a human look, in French, each with its reason, for the approval request. */
export function approvalWarnings(f: WarningFacts): string[] {
  const w: string[] = [];
  for (const c of f.changes) w.push(describeChange(c));
  for (const t of f.otherTickets) {
    const other = t.otherLiquidator ? `, avec une autre adresse de liquidateur : ${t.otherLiquidator}` : '';
    w.push(`Une autre demande existe pour ce SIRET : ${t.ref} (état : ${STATUS_LABELS[t.status]}${other}).`);
  }
  if (!f.sirenInPdfs.includes('found')) {
    if (f.sirenInPdfs.includes('not-found')) {
      w.push('Le SIREN de l’entreprise n’a pas été trouvé dans le texte du document PDF joint : vérifiez qu’il concerne bien cette entreprise.');
    } else if (f.sirenInPdfs.length > 0) {
      w.push('Le document PDF joint n’a pas pu être vérifié (son texte n’a pas pu être lu : document scanné, protégé ou abîmé) : vérifiez vous-même qu’il concerne bien cette entreprise.');
    } else if (f.otherDocuments > 0) {
      w.push('Aucun document PDF : les pièces jointes sont des images, dont le contenu n’a pas été vérifié. Vérifiez vous-même qu’elles concernent bien cette entreprise.');
    }
  }
  if (!f.accountKnown) {
    w.push('Aucun compte n’est inscrit pour ce SIRET dans l’annuaire des comptes : le liquidateur ne pourra pas saisir le triplet SIRET / NOM / PRÉNOM, et le lien ne servira pas tant que le compte n’y est pas.');
  }
  if (f.liquidatorOnOwnDomain) {
    w.push(`L’adresse du liquidateur est sur le domaine ${f.liquidatorOnOwnDomain}, celui du support ou des agents : un liquidateur n’y a pas d’adresse.`);
  }
  if (f.liquidatorOnFreeMail) w.push('L’adresse du liquidateur est une messagerie grand public, et non l’adresse d’une étude.');
  else if (f.domains) {
    w.push(`Le domaine de l’adresse du liquidateur (${f.domains.liquidator}) diffère de celui du demandeur (${f.domains.requester}) : le lien partira vers une autre organisation que celle qui le demande.`);
  }
  if (f.liquidatorElsewhere.count > 0) {
    const refs = f.liquidatorElsewhere.refs.join(', ');
    w.push(`L’adresse du liquidateur figure dans ${f.liquidatorElsewhere.count} autre(s) demande(s) récente(s) pour d’autres entreprises${refs ? ` : ${refs}` : ''}.`);
  }
  if (f.requesterNew) w.push('Première demande reçue de ce demandeur.');
  if (f.linkReissues > 0) {
    w.push(`Le lien a déjà été renvoyé ${f.linkReissues} fois sans être utilisé : la demande revient aux agents.`);
  }
  return w;
}
