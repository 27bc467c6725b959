import type { TemplateVars } from '../templates/catalog';
import type { TicketCheck } from '../workflow/ticket-check';

const KIND_LABEL: Record<string, string> = { pdf: 'PDF', jpeg: 'JPEG', png: 'PNG', tiff: 'TIFF' };

/** The two prefilled replies of an approval request; both carry the token so a reply is bound even without threading. */
export function approvalMailtos(liquibotAddress: string, ticketRef: string, token: string): { approveMailto: string; refuseMailto: string } {
  const subject = encodeURIComponent(`RE: [${ticketRef}] Validation requise`);
  const mailto = (body: string) => `mailto:${liquibotAddress}?subject=${subject}&body=${encodeURIComponent(body)}`;
  return {
    approveMailto: mailto(`VALIDER\n\n${token}`),
    refuseMailto: mailto(`REFUSER <motif>\n\n${token}`),
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
        .map((d) => `${d.filename ?? 'sans nom'} (${KIND_LABEL[d.kind] ?? d.kind}, ${Math.max(1, Math.round(d.size / 1024))} Ko)`)
        .join(', ') || null,
    },
  ];
}

export interface WarningFacts {
  /** Other tickets for the same SIRET that are open or recent. */
  otherTickets: { ref: string; status: string }[];
  liquidatorOnFreeMail: boolean;
  /** One entry per PDF document: whether the company's SIREN appears in its text. */
  sirenInPdfs: ('found' | 'not-found' | 'unreadable')[];
  /** Links already reissued, when the request comes back to the agents after the limit. */
  linkReissues: number;
}

/** Points worth a human look, in French, for the approval request. */
export function approvalWarnings(f: WarningFacts): string[] {
  const w: string[] = [];
  for (const t of f.otherTickets) w.push(`Une autre demande existe pour ce SIRET : ${t.ref} (état : ${t.status}).`);
  if (f.sirenInPdfs.includes('not-found') && !f.sirenInPdfs.includes('found')) {
    w.push('Le SIREN de l’entreprise n’a pas été trouvé dans le texte du document PDF joint : vérifiez qu’il concerne bien cette entreprise.');
  }
  if (f.liquidatorOnFreeMail) w.push('L’adresse du liquidateur est une messagerie grand public, et non l’adresse d’une étude.');
  if (f.linkReissues > 0) {
    w.push(`Le lien a déjà été renvoyé ${f.linkReissues} fois sans être utilisé : la demande revient aux agents.`);
  }
  return w;
}
