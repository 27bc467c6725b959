import type { TicketStatus } from '../db/vocabulary';

/** A ticket's state as people read it, in French (mails to agents and requesters, the console). */
export const STATUS_LABELS: Readonly<Record<TicketStatus, string>> = {
  non_conforming: 'non conforme, en attente du demandeur',
  awaiting_approval: 'en attente de validation',
  resolved: 'résolue, lien envoyé',
  refused: 'refusée',
  link_expired: 'lien expiré',
  reissued: 'lien renvoyé',
  abandoned: 'abandonnée (jamais complétée)',
};
