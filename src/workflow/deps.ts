import { agentReplyAuthenticationProblem, type Config } from '../config';
import { AppError } from '../errors';
import type { Database } from '../db/client';
import type { Logger } from '../log';
import { isAllowedAgent, parseAllowList } from '../approval/agent-allow-list';
import { checkDkim, type DkimResolver } from '../approval/dkim-check';
import { createBuiltinLinkProvider, type ResetLinkProvider } from '../reset/link-provider';
import { resolveLinkSecret } from '../reset/link-secret';
import type { MailRenderer } from '../outbox/outgoing-mail';
import type { PipelineDeps } from './context';
import type { DocumentCache } from '../mail/document-cache';
import type { SenderAddress } from '../../parsers/inbound-mail';

/**
 * Everything the message pipeline and the decisions need, built once from the configuration.
 * Throws AppError CONFIG_INVALID for a bad AGENT_SENDERS, a missing RESET_LINK_SECRET, or unsigned
 * agents' replies in production without the explicit override (agentReplyAuthenticationProblem): so
 * neither the daemon nor `liquibot replay` starts counting them (approve/refuse, which build the same
 * pipeline, refuse such a configuration alike).
 */
export function createPipelineDeps(input: {
  config: Config;
  database: Database;
  templates: MailRenderer;
  log: Logger;
  now?: () => Date;
  links?: ResetLinkProvider;
  dkimResolver?: DkimResolver;
  documents?: DocumentCache;
  /** True when the daemon reads court documents before the approval request (DOCUMENT_READING). */
  awaitDocumentReading?: boolean;
}): PipelineDeps {
  const { config } = input;
  const unsigned = agentReplyAuthenticationProblem(config);
  if (unsigned) throw new AppError('CONFIG_INVALID', unsigned);
  let allowList;
  try {
    allowList = parseAllowList(config.AGENT_SENDERS, { subaddressSeparators: config.SUBADDRESS_SEPARATORS });
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `configuration: AGENT_SENDERS: ${(err as Error).message}`);
  }
  const links = input.links ?? createBuiltinLinkProvider({
    secret: resolveLinkSecret(config),
    baseUrl: config.RESET_LINK_BASE_URL,
    validityHours: config.RESET_LINK_VALIDITY_HOURS,
  });
  return {
    database: input.database,
    config,
    templates: input.templates,
    log: input.log,
    now: input.now ?? (() => new Date()),
    links,
    // A SenderAddress (mail.from) is judged whole: an ambiguous From is never an agent. A bare string
    // can only be judged as one address.
    isAgent: (sender: string | SenderAddress) => isAllowedAgent(sender, allowList),
    checkDkim: (raw, domain) => checkDkim(raw, domain, input.dkimResolver ? { resolver: input.dkimResolver } : undefined),
    documents: input.documents,
    awaitDocumentReading: input.awaitDocumentReading ?? false,
  };
}
