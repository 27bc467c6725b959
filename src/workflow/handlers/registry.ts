import type { Classification } from '../classify';
import type { MailHandler } from './handler';
import { handleAgentReply, handleAgentUnbound } from './handle-agent-mail';
import { handleNotForUs } from './handle-not-for-us';
import { handleFollowUp, handleNewRequest, handleUnboundMessage } from './handle-request';

/** One handler per kind of mail, as the classifier names them. Adding a kind without a handler does not compile. */
export const MAIL_HANDLERS: { readonly [K in Classification['kind']]: MailHandler<K> } = {
  ignored: (ctx, c) => handleNotForUs(ctx, c),
  unrelated: (ctx, c) => handleNotForUs(ctx, c),
  'new-request': handleNewRequest,
  'follow-up': handleFollowUp,
  'unbound-message': handleUnboundMessage,
  'agent-reply': handleAgentReply,
  'agent-unbound': handleAgentUnbound,
};
