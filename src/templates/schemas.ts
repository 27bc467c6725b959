import { z } from 'zod';
import { PROBLEM_CODES } from '../../parsers/problems';

// Descriptions are shown to admins (docs/templates.md, `liquibot templates vars`): French.
// Optional values are `null` (never absent): with strictVariables an absent variable is an error,
// a null one is simply falsy in `{% if %}` and empty in `{{ }}`.

const optionalText = (description: string) => z.string().max(2_000).nullable().default(null).describe(description);

/** A mail address; loose on purpose: the parsers already judged it, rendering must not reject it. */
export const mailAddressSchema = z
  .string()
  .max(320)
  .regex(/^[^\s@<>]+@[^\s@<>]+$/, 'not a mail address');

/** A person we write to or about. */
export const contactSchema = z.object({
  email: mailAddressSchema.describe('Adresse électronique'),
  name: optionalText('Nom affiché, ou null s’il est inconnu'),
});

// Same shape as parsers/subject.ts TICKET_REF_RE, anchored: a reference is safe in a subject.
export const ticketRefSchema = z
  .string()
  .regex(/^LJ-\d{6}-\d{4,}$/, 'a ticket reference looks like LJ-261126-0042')
  .describe('Référence du dossier, ex. LJ-261126-0042');
export const siretSchema = z.string().regex(/^\d{14}$/, 'a SIRET is 14 digits');
const httpUrlSchema = z.url({ protocol: /^https?$/ });
const mailtoSchema = z.string().max(4_000).startsWith('mailto:');

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
  found: optionalText('Ce qui a été trouvé dans la demande (ex. le SIRET tel qu’écrit), ou null'),
});

export const nonConformitySchema = ticketBaseSchema.extend({
  receivedAt: z.date().describe('Date de réception de la demande'),
  problems: z.array(problemSchema).min(1).describe('Problèmes relevés (au moins un)'),
});

export const checkResultSchema = z.object({
  label: z.string().min(1).max(500).describe('Contrôle effectué'),
  ok: z.boolean().describe('true si le contrôle est réussi'),
  detail: optionalText('Précision sur le résultat, ou null'),
});

export const approvalRequestSchema = ticketBaseSchema.extend({
  receivedAt: z.date().describe('Date de réception de la demande'),
  siret: siretSchema.describe('SIRET de l’entreprise (filtres format_siret et siren pour l’affichage)'),
  liquidatorEmail: mailAddressSchema.describe('Adresse du liquidateur, à laquelle le lien sera envoyé'),
  checks: z.array(checkResultSchema).describe('Résultats des contrôles automatiques'),
  warnings: z.array(z.string().max(2_000)).describe('Points d’attention pour l’agent (peut être vide)'),
  approveMailto: mailtoSchema.describe('Lien mailto: pré-rempli pour valider'),
  refuseMailto: mailtoSchema.describe('Lien mailto: pré-rempli pour refuser'),
  approvalToken: z
    .string()
    .regex(/^ljv-[0-9a-f]{32}$/, 'an approval token is ljv- and 32 hex digits')
    .describe('Jeton de validation (secret, réservé aux agents) : une réponse qui le cite est rattachée à cette demande'),
});

export const resetLinkSchema = ticketBaseSchema.extend({
  siret: siretSchema.describe('SIRET de l’entreprise concernée'),
  administratorName: optionalText('NOM PRÉNOM de l’administrateur du compte, ou null s’il est inconnu'),
  link: httpUrlSchema.describe('Lien de création du mot de passe'),
  validityHours: z.number().int().positive().max(720).describe('Durée de validité du lien, en heures'),
});

export const resolvedSchema = ticketBaseSchema.extend({
  siret: siretSchema.describe('SIRET de l’entreprise'),
  liquidatorEmail: mailAddressSchema.describe('Adresse à laquelle le lien a été envoyé'),
  sentAt: z.date().describe('Date d’envoi du lien'),
  validityHours: z.number().int().positive().max(720).describe('Durée de validité du lien, en heures'),
});

export const refusalSchema = ticketBaseSchema.extend({
  siret: siretSchema.nullable().default(null).describe('SIRET de l’entreprise, ou null'),
  reason: z.string().min(1).max(10_000).describe('Motif du refus, tel qu’écrit par l’agent'),
  refusedAt: z.date().describe('Date du refus'),
});

export const approvalConfirmationSchema = ticketBaseSchema.extend({
  siret: siretSchema.describe('SIRET de l’entreprise'),
  liquidatorEmail: mailAddressSchema.describe('Adresse à laquelle le lien est envoyé'),
  approvedBy: contactSchema.describe('Agent qui a validé'),
  approvedAt: z.date().describe('Date de la validation'),
});

export const AGENT_REPLY_ERRORS = ['NOT_UNDERSTOOD', 'BOTH', 'NEITHER', 'REFUSAL_WITHOUT_REASON', 'NOT_BOUND'] as const;

export const agentReplyErrorSchema = ticketBaseSchema.extend({
  agent: contactSchema.describe('Agent destinataire (auteur de la réponse)'),
  error: z
    .enum(AGENT_REPLY_ERRORS)
    .describe('Pourquoi la réponse n’a pas été comprise : ' + AGENT_REPLY_ERRORS.join(', ')),
  firstLine: optionalText('Première ligne non citée de la réponse, telle que lue, ou null'),
  approveMailto: mailtoSchema.nullable().default(null).describe('Lien mailto: pour valider, ou null'),
  refuseMailto: mailtoSchema.nullable().default(null).describe('Lien mailto: pour refuser, ou null'),
});

export const alreadyDecidedSchema = ticketBaseSchema.extend({
  agent: contactSchema.describe('Agent destinataire (auteur de la réponse arrivée trop tard)'),
  decision: z.enum(['APPROVED', 'REFUSED']).describe('Décision déjà prise : APPROVED ou REFUSED'),
  decidedBy: contactSchema.describe('Agent qui a décidé'),
  decidedAt: z.date().describe('Date de la décision'),
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
  receivedAt: z.date().describe('Date de réception'),
  waitingHours: z.number().int().nonnegative().describe('Heures d’attente'),
});

export const reminderDigestSchema = z.object({
  thresholdHours: z.number().int().positive().describe('Seuil d’attente, en heures'),
  generatedAt: z.date().describe('Date du rappel'),
  requests: z.array(waitingRequestSchema).min(1).describe('Demandes en attente de décision depuis plus du seuil'),
});

export const templateIssueSchema = z.object({
  file: z.string().describe('Fichier'),
  line: z.number().int().describe('Ligne'),
  column: z.number().int().describe('Colonne'),
  message: z.string().describe('Problème'),
});

export const adminTemplateErrorSchema = z.object({
  templateName: z.string().min(1).describe('Nom du modèle refusé (ex. reset-link)'),
  errors: z.array(templateIssueSchema).min(1).describe('Erreurs trouvées'),
  rejectedAt: z.date().describe('Date du refus'),
  activeVersion: z.string().nullable().default(null).describe('Version du modèle toujours utilisée, ou null'),
});

export const deliveryFailureSchema = z.object({
  ticketRef: ticketRefSchema.nullable().default(null).describe('Référence du dossier, ou null'),
  recipient: mailAddressSchema.describe('Adresse qui n’a pas pu être jointe'),
  mailName: z.string().min(1).describe('Modèle du message non distribué (ex. reset-link)'),
  responseCode: z.number().int().nullable().default(null).describe('Code SMTP (ex. 550), ou null'),
  response: z.string().min(1).max(2_000).describe('Réponse du serveur distant'),
  failedAt: z.date().describe('Date de l’échec'),
});

export const tooLargeSchema = z.object({
  requester: contactSchema.describe('Expéditeur du message refusé'),
  subject: z.string().max(2_000).describe('Objet du message refusé'),
  receivedAt: z.date().describe('Date de réception'),
  sizeBytes: z.number().int().positive().describe('Taille du message, en octets'),
  maxBytes: z.number().int().positive().describe('Taille maximale acceptée, en octets'),
});
