import { z } from 'zod';
import { AGENT_REPLY_ERRORS as PARSED_REPLY_ERRORS } from '../../parsers/agent-reply';
import { PROBLEM_CODES, PROBLEM_HINTS } from '../../parsers/problems';
import { mailAddress, mailLine, mailParagraph, NO_HIDDEN_CHARACTERS, trusted } from './mail-data';

// Descriptions are shown to admins (docs/templates.md, `liquibot templates vars`): French.
// Optional values are `null` (never absent): with strictVariables an absent variable is an error,
// a null one is simply falsy in `{% if %}` and empty in `{{ }}`.
//
// Every text variable is either data received from outside (mailLine, mailAddress, mailParagraph:
// the template only ever sees it sanitised, see mail-data.ts and parsers/one-line.ts) or a value
// liquibot makes itself, declared with trusted() and a strict format. compileTemplate refuses
// anything else.

/** Bounds of the values received from outside, in characters (ellipsis included). */
export const MAIL_DATA_LIMITS = {
  name: 120,
  subject: 200,
  found: 200,
  readLine: 200,
  checkDetail: 500,
  warning: 500,
  reason: 4_000,
  serverResponse: 1_000,
  templateIssue: 500,
} as const;

/** A mail address as received (mail data, one line); the parsers already judged it. */
export const mailAddressSchema = mailAddress();

/** A person we write to or about: address and display name both come from a mail. */
export const contactSchema = z.object({
  email: mailAddressSchema.describe('Adresse électronique'),
  name: mailLine(MAIL_DATA_LIMITS.name).nullable().default(null).describe('Nom affiché, ou null s’il est inconnu'),
});

// Same shape as parsers/subject.ts TICKET_REF_RE, anchored: a reference is safe in a subject.
export const ticketRefSchema = trusted(
  z.string().regex(/^LJ-\d{6}-\d{4,}$/, 'a ticket reference looks like LJ-261126-0042'),
  'made by liquibot (LJ-date-number)',
).describe('Référence du dossier, ex. LJ-261126-0042');
/** Exactly 14 digits: a SIRET as written in a mail never gets here raw (see problems[].found). */
export const siretSchema = trusted(z.string().regex(/^\d{14}$/, 'a SIRET is 14 digits'), 'a checked SIRET: 14 digits, nothing else');
const httpUrlSchema = trusted(
  z.url({ protocol: /^https?$/ }).regex(/^[^\s\p{Cc}\p{Cf}]+$/u, 'a link is one word'),
  'the reset link, made by liquibot’s link provider',
);
const mailtoSchema = trusted(
  z.string().max(4_000).startsWith('mailto:').regex(/^[^\s\p{Cc}\p{Cf}]+$/u, 'a mailto: link is one word (percent-encoded)'),
  'built by liquibot from its own address, the reference and the token, percent-encoded',
);
/** Words of liquibot's own code (a check's label): one plain line. */
const liquibotText = (max: number, why: string) =>
  trusted(z.string().min(1).max(max).regex(NO_HIDDEN_CHARACTERS, 'one line, no control or invisible character'), why);
/** A template's name (or an outbox row's kind, which is one). */
const templateNameSchema = trusted(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a template name'), 'a template name, from liquibot’s catalog');

/** Variables of every mail tied to a ticket. */
export const ticketBaseSchema = z.object({
  ticketRef: ticketRefSchema,
  requester: contactSchema.describe('Demandeur (expéditeur de la demande dans la base de connaissances)'),
});

export const acknowledgmentSchema = ticketBaseSchema.extend({
  receivedAt: z.date().describe('Date de réception de la demande'),
  siret: siretSchema.describe('SIRET de l’entreprise en liquidation (14 chiffres)'),
  liquidatorEmail: mailAddressSchema.describe('Adresse du liquidateur, à laquelle le lien sera envoyé'),
});

export const problemSchema = z.object({
  code: z.enum(PROBLEM_CODES).describe('Code du problème : ' + PROBLEM_CODES.join(', ')),
  found: mailLine(MAIL_DATA_LIMITS.found)
    .nullable()
    .default(null)
    .describe('Ce qui a été trouvé dans la demande (ex. le SIRET tel qu’écrit), ou null'),
  hint: z
    .enum(PROBLEM_HINTS)
    .nullable()
    .default(null)
    .describe(
      'Précision sur ce qui a été trouvé, ou null : ' +
        'SIRET_UNLABELLED (un SIRET valide écrit ailleurs que sur la ligne « SIRET concerné : », cité dans found), ' +
        'SIREN_NOT_SIRET (un SIREN à 9 chiffres), SIRET_WRONG_LENGTH (ni 9 ni 14 chiffres, voir digits), ' +
        'SIRET_CHECK_FAILED (14 chiffres, clé de contrôle fausse), SIRET_NOT_DIGITS (des lettres dans le numéro), ' +
        'SIRET_NO_NUMBER (pas de numéro après le libellé), EMAIL_UNLABELLED (des adresses écrites sans libellé, citées dans found)',
    ),
  digits: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .nullable()
    .default(null)
    .describe('Nombre de chiffres du numéro donné comme SIRET (SIREN_NOT_SIRET, SIRET_WRONG_LENGTH, SIRET_CHECK_FAILED), ou null'),
});

export const nonConformitySchema = ticketBaseSchema.extend({
  receivedAt: z.date().describe('Date de réception de la demande'),
  problems: z.array(problemSchema).min(1).describe('Problèmes relevés (au moins un)'),
});

export const checkResultSchema = z.object({
  label: liquibotText(500, 'the name of one of liquibot’s checks').describe('Contrôle effectué'),
  ok: z.boolean().describe('true si le contrôle est réussi'),
  detail: mailLine(MAIL_DATA_LIMITS.checkDetail)
    .nullable()
    .default(null)
    .describe('Précision sur le résultat (adresse, noms des fichiers joints…), ou null'),
});

export const approvalRequestSchema = ticketBaseSchema.extend({
  receivedAt: z.date().describe('Date de réception de la demande'),
  siret: siretSchema.describe('SIRET de l’entreprise (filtres format_siret et siren pour l’affichage)'),
  liquidatorEmail: mailAddressSchema.describe('Adresse du liquidateur, à laquelle le lien sera envoyé'),
  checks: z.array(checkResultSchema).describe('Résultats des contrôles automatiques'),
  // liquibot writes them, but they quote what mails said (references, addresses, old → new values).
  warnings: z
    .array(mailLine(MAIL_DATA_LIMITS.warning).describe('Un point d’attention'))
    .describe('Points d’attention pour l’agent (peut être vide)'),
  companyName: mailLine(MAIL_DATA_LIMITS.name)
    .nullable()
    .default(null)
    .describe('Nom de l’entreprise lu dans les minutes du greffe, ou null (ni la demande ni l’annuaire des comptes ne le donnent) ; le modèle renvoie alors à la fiche publique du SIREN'),
  // Read from the documents the requester sent: received data.
  documentReadings: z
    .array(mailLine(MAIL_DATA_LIMITS.warning).describe('Ce qui a été lu dans un document'))
    .default([])
    .describe('« Lu dans le document » : une ligne par document (tribunal, date du jugement, société, liquidateur, SIREN, avec leur page)'),
  // From the imported accounts file, not from liquibot: shown as received data.
  administratorName: mailLine(MAIL_DATA_LIMITS.name)
    .nullable()
    .default(null)
    .describe('NOM Prénom de l’administrateur du compte dans l’annuaire des comptes, ou null si l’annuaire n’a pas ce SIRET'),
  approveMailto: mailtoSchema.describe('Lien mailto: pré-rempli pour valider'),
  refuseMailto: mailtoSchema.describe('Lien mailto: pré-rempli pour refuser (le motif reste à écrire)'),
  approvalToken: trusted(
    z.string().regex(/^ljv-[0-9a-f]{32}$/, 'an approval token is ljv- and 32 hex digits'),
    'a random token made by liquibot',
  ).describe('Jeton de validation (secret, réservé aux agents) : une réponse qui le cite est rattachée à cette demande'),
});

export const resetLinkSchema = ticketBaseSchema.extend({
  siret: siretSchema.describe('SIRET de l’entreprise concernée'),
  // From the imported accounts file, not from liquibot: shown as received data.
  administratorName: mailLine(MAIL_DATA_LIMITS.name)
    .nullable()
    .default(null)
    .describe('NOM PRÉNOM de l’administrateur du compte, ou null s’il est inconnu'),
  link: httpUrlSchema.describe('Lien de création du mot de passe'),
  validityHours: z.number().int().positive().max(720).describe('Durée de validité du lien, en heures'),
  expiresAt: z.date().describe('Fin de validité du lien (son envoi + validityHours)'),
});

export const resolvedSchema = ticketBaseSchema.extend({
  siret: siretSchema.describe('SIRET de l’entreprise'),
  liquidatorEmail: mailAddressSchema.describe('Adresse à laquelle le lien a été envoyé'),
  sentAt: z.date().describe('Date d’envoi du lien'),
  validityHours: z.number().int().positive().max(720).describe('Durée de validité du lien, en heures'),
});

export const refusalSchema = ticketBaseSchema.extend({
  siret: siretSchema.nullable().default(null).describe('SIRET de l’entreprise, ou null'),
  reason: mailParagraph(MAIL_DATA_LIMITS.reason).describe('Motif du refus, tel qu’écrit par l’agent (ses retours à la ligne sont gardés)'),
  refusedAt: z.date().describe('Date du refus'),
});

export const approvalConfirmationSchema = ticketBaseSchema.extend({
  siret: siretSchema.describe('SIRET de l’entreprise'),
  liquidatorEmail: mailAddressSchema.describe('Adresse à laquelle le lien est envoyé'),
  approvedBy: contactSchema.describe('Agent qui a validé'),
  approvedAt: z.date().describe('Date de la validation'),
});

/** Why an agent's reply was not counted: the grammar's errors (parsers/agent-reply.ts), and a reply not bound to the request. */
export const AGENT_REPLY_ERRORS = [...PARSED_REPLY_ERRORS, 'NOT_BOUND'] as const;

export const agentReplyErrorSchema = ticketBaseSchema.extend({
  agent: contactSchema.describe('Agent destinataire (auteur de la réponse)'),
  error: z
    .enum(AGENT_REPLY_ERRORS)
    .describe('Pourquoi la réponse n’a pas été comprise : ' + AGENT_REPLY_ERRORS.join(', ')),
  read: z
    .array(mailLine(MAIL_DATA_LIMITS.readLine).describe('Une ligne lue'))
    .max(6)
    .describe('Les lignes de la réponse sur lesquelles porte l’erreur, telles que lues (hors texte cité et signature) ; vide si rien n’a été lu'),
  minReasonWords: z.number().int().positive().describe('Nombre minimal de mots d’un motif de refus'),
  minReasonCharacters: z.number().int().positive().describe('Nombre minimal de lettres ou chiffres d’un motif de refus'),
  approveMailto: mailtoSchema.nullable().default(null).describe('Lien mailto: pour valider (le même que dans la demande de validation), ou null'),
  refuseMailto: mailtoSchema.nullable().default(null).describe('Lien mailto: pour refuser (le même que dans la demande de validation), ou null'),
});

export const alreadyDecidedSchema = ticketBaseSchema.extend({
  agent: contactSchema.describe('Agent destinataire (auteur de la réponse arrivée trop tard)'),
  decision: z.enum(['APPROVED', 'REFUSED']).describe('Décision déjà prise : APPROVED ou REFUSED'),
  decidedBy: contactSchema.describe('Agent qui a décidé (son nom tel qu’inscrit avec sa décision, et son adresse)'),
  decidedAt: z.date().describe('Date de la décision'),
});

export const refusalConfirmationSchema = ticketBaseSchema.extend({
  siret: siretSchema.nullable().default(null).describe('SIRET de l’entreprise, ou null'),
  liquidatorEmail: mailAddressSchema.nullable().default(null).describe('Adresse du liquidateur indiquée dans la demande, ou null'),
  reason: mailParagraph(MAIL_DATA_LIMITS.reason).describe('Motif du refus, tel que transmis au demandeur'),
  refusedBy: contactSchema.describe('Agent qui a refusé'),
  refusedAt: z.date().describe('Date du refus'),
});

export const linkStillValidSchema = ticketBaseSchema.extend({
  siret: siretSchema.describe('SIRET de l’entreprise'),
  sentTo: mailAddressSchema.describe('Adresse à laquelle le lien a été envoyé'),
  sentAt: z.date().describe('Date d’envoi du lien'),
  validUntil: z.date().describe('Fin de validité du lien'),
});

export const waitingRequestSchema = z.object({
  ticketRef: ticketRefSchema,
  siret: siretSchema.nullable().default(null).describe('SIRET, ou null'),
  requesterEmail: mailAddressSchema.describe('Adresse du demandeur'),
  receivedAt: z.date().describe('Date de réception de la demande'),
  waitingSince: z.date().describe('Depuis quand la demande attend une décision (envoi de sa demande de validation)'),
  waitingHours: z.number().int().nonnegative().describe('Heures d’attente'),
  overdue: z.boolean().describe('Vrai au-delà du seuil de rappel'),
  escalated: z.boolean().describe('Vrai au-delà du seuil d’escalade'),
  behind: ticketRefSchema.nullable().default(null).describe('Demande de la même entreprise devant laquelle elle attend (sa demande de validation partira après), ou null'),
  approveMailto: mailtoSchema.nullable().default(null).describe('Lien mailto: pour valider (le même que dans la demande de validation), ou null'),
  refuseMailto: mailtoSchema.nullable().default(null).describe('Lien mailto: pour refuser (le même que dans la demande de validation), ou null'),
});

export const personWaitSchema = z.object({
  ticketRef: ticketRefSchema,
  status: liquibotText(100, 'the ticket’s state in French, from src/workflow/status-labels.ts').describe('État de la demande, en français'),
  since: z.date().describe('Depuis quand un message attend une personne'),
  waitingHours: z.number().int().nonnegative().describe('Heures d’attente'),
  overdue: z.boolean().describe('Vrai au-delà du seuil de rappel'),
  escalated: z.boolean().describe('Vrai au-delà du seuil d’escalade'),
});

export const lockedLinkSchema = z.object({
  ticketRef: ticketRefSchema,
  liquidatorEmail: mailAddressSchema.describe('Adresse à laquelle le lien avait été envoyé'),
  lockedAt: z.date().describe('Date du blocage (dernière tentative erronée)'),
  failedAttempts: z.number().int().positive().describe('Nombre de triplets erronés saisis'),
});

export const reminderDigestSchema = z.object({
  thresholdHours: z.number().int().positive().describe('Seuil de rappel, en heures'),
  repeatHours: z.number().int().positive().describe('Intervalle entre deux rappels tant que des demandes restent en retard, en heures'),
  escalationHours: z.number().int().positive().nullable().default(null).describe('Seuil d’escalade, en heures, ou null sans adresse d’escalade'),
  escalationAddress: mailAddressSchema.nullable().default(null).describe('Adresse à laquelle les demandes trop anciennes sont signalées, ou null'),
  forEscalation: z.boolean().describe('Vrai pour l’exemplaire envoyé à l’adresse d’escalade (sans liens de décision)'),
  generatedAt: z.date().describe('Date du rappel'),
  approvals: z.array(waitingRequestSchema).describe('Toutes les demandes en attente de décision, la plus ancienne d’abord'),
  needsPerson: z.array(personWaitSchema).describe('Demandes dont un message attend la réponse d’une personne'),
  lockedLinks: z.array(lockedLinkSchema).describe('Liens bloqués par des triplets erronés, sans nouveau lien depuis'),
});

// The file and message of a template issue quote what an admin wrote (paths, template text): one line each.
export const templateIssueSchema = z.object({
  file: mailLine(MAIL_DATA_LIMITS.templateIssue).describe('Fichier'),
  line: z.number().int().describe('Ligne'),
  column: z.number().int().describe('Colonne'),
  message: mailLine(MAIL_DATA_LIMITS.templateIssue).describe('Problème'),
});

export const adminTemplateErrorSchema = z.object({
  templateName: templateNameSchema.describe('Nom du modèle refusé (ex. reset-link)'),
  errors: z.array(templateIssueSchema).min(1).describe('Erreurs trouvées'),
  rejectedAt: z.date().describe('Date du refus'),
  activeVersion: trusted(z.string().regex(/^[0-9a-f]{12}$/, 'a template version is 12 hex digits'), 'a template version: a hash made by liquibot')
    .nullable()
    .default(null)
    .describe('Version du modèle toujours utilisée, ou null'),
});

export const deliveryFailureSchema = z.object({
  ticketRef: ticketRefSchema.nullable().default(null).describe('Référence du dossier, ou null'),
  recipient: mailAddressSchema.describe('Adresse qui n’a pas pu être jointe'),
  mailName: templateNameSchema.describe('Modèle du message non distribué (ex. reset-link)'),
  responseCode: z.number().int().nullable().default(null).describe('Code SMTP (ex. 550), ou null'),
  // Written by the remote server, i.e. by whoever runs the recipient's domain.
  response: mailLine(MAIL_DATA_LIMITS.serverResponse).describe('Réponse du serveur distant'),
  failedAt: z.date().describe('Date de l’échec'),
  permanent: z.boolean().default(true).describe('Vrai pour une erreur définitive (5xx) ; faux quand les essais (OUTBOX_MAX_ATTEMPTS) sont épuisés sur des erreurs temporaires (4xx)'),
  attempts: z.number().int().nullable().default(null).describe('Nombre de tentatives, ou null'),
});

export const tooLargeSchema = z.object({
  requester: contactSchema.describe('Expéditeur du message refusé'),
  subject: mailLine(MAIL_DATA_LIMITS.subject).describe('Objet du message refusé'),
  receivedAt: z.date().describe('Date de réception'),
  sizeBytes: z.number().int().positive().describe('Taille du message, en octets'),
  maxBytes: z.number().int().positive().describe('Taille maximale acceptée, en octets'),
});

/** Why liquibot handed a message to a person instead of acting on it (a code; the template says it in French). */
export const HANDOFF_REASONS = ['QUESTION_WHILE_AWAITING', 'AFTER_DECISION', 'LINK_ALREADY_USED', 'NO_LINK', 'UNBOUND', 'DUPLICATE'] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

/** A message liquibot does not act on, for the agents: the request's context and the message itself. */
export const handoffSchema = ticketBaseSchema.extend({
  status: liquibotText(100, 'the ticket’s state in French, from src/workflow/status-labels.ts').describe('État de la demande, en français'),
  siret: siretSchema.nullable().default(null).describe('SIRET de la demande, ou null'),
  liquidatorEmail: mailAddressSchema.nullable().default(null).describe('Adresse du liquidateur de la demande, ou null'),
  reason: z.enum(HANDOFF_REASONS).describe('Pourquoi liquibot n’a pas traité le message lui-même : ' + HANDOFF_REASONS.join(', ')),
  message: z.object({
    from: contactSchema.describe('Expéditeur du message'),
    subject: mailLine(MAIL_DATA_LIMITS.subject).describe('Objet du message'),
    receivedAt: z.date().describe('Date de réception'),
    text: mailParagraph(MAIL_DATA_LIMITS.reason).describe('Texte du message (sans l’historique cité)'),
    bound: z.boolean().describe('Vrai si le message répond à un courriel envoyé par liquibot pour cette demande'),
  }).describe('Le message transmis'),
});

/** To the sender of a message handed to the agents: a person will answer. */
export const handoffNoticeSchema = ticketBaseSchema.extend({
  subject: mailLine(MAIL_DATA_LIMITS.subject).describe('Objet du message reçu'),
  receivedAt: z.date().describe('Date de réception du message'),
});
