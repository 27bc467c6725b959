import type { TicketEventKind } from '../db/vocabulary';

/** Each kind of history line, in French, for the ticket page (a new kind must be named here: the type says so). */
export const EVENT_LABELS: Readonly<Record<TicketEventKind, string>> = {
  request_received: 'Demande reçue',
  follow_up_received: 'Réponse du demandeur reçue',
  requester_message: 'Message du demandeur (non lié)',
  duplicate_request: 'Demande en double',
  checked: 'Vérification automatique',
  status_changed: 'Changement d’état',
  notice_suppressed: 'Avis non envoyé',
  mail_ignored: 'Message ignoré',
  mail_queued: 'Mail mis en file d’envoi',
  delivery_failed: 'Échec d’envoi',
  approval_requested: 'Demande de validation envoyée aux agents',
  approval_waiting: 'En attente derrière une autre demande',
  same_siret_request: 'Autre demande pour le même SIRET',
  decision: 'Décision',
  decision_rejected: 'Tentative de décision refusée',
  reminded: 'Rappel aux agents',
  link_issued: 'Lien émis',
  link_expired: 'Lien expiré',
  link_verified: 'Lien vérifié',
  reopen_requested: 'Nouveau lien demandé',
  retention_purged: 'Purge (rétention)',
  handed_to_agents: 'Message transmis aux agents',
  person_handled: 'Traité par une personne',
  notice_superseded: 'Avis remplacé avant envoi',
};
