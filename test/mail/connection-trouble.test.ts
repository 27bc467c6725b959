import { describe, expect, it } from 'vitest';
import { imapTrouble } from '../../src/mail/mailbox-watcher';
import { smtpTrouble } from '../../src/mail/smtp-transport';

/** An error shaped as imapflow 2.10 throws it from connect() (commands/login.js, errors.js). */
const imapError = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);
/** An error shaped as nodemailer 10.6 reports it (code from lib/errors, responseCode from the server's reply). */
const smtpError = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);

describe('imapTrouble', () => {
  it.each<[string, Error, 'auth_failed' | 'unreachable', string]>([
    ['LOGIN refused (Dovecot)', imapError('Command failed', { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED', response: 'Authentication failed.' }),
      'auth_failed', 'authentication failed: AUTHENTICATIONFAILED Authentication failed.'],
    ['refused without a response code', imapError('Command failed', { authenticationFailed: true, response: 'LOGIN failed' }), 'auth_failed', 'authentication failed: LOGIN failed'],
    ['Exchange: authenticated but not connected', imapError('Authentication failed', { authenticationFailed: true }), 'auth_failed', 'authentication failed: Authentication failed'],
    ['the server\'s own auth backend down (NO [UNAVAILABLE])', imapError('Command failed', { authenticationFailed: true, serverResponseCode: 'UNAVAILABLE', response: 'Temporary authentication failure.' }),
      'unreachable', 'Command failed Temporary authentication failure.'],
    ['nothing listening', imapError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }), 'unreachable', 'ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1'],
    ['timeout', imapError('Connection timed out', { code: 'CONNECT_TIMEOUT' }), 'unreachable', 'CONNECT_TIMEOUT Connection timed out'],
  ])('%s → %s', (_name, err, kind, error) => {
    expect(imapTrouble(err)).toMatchObject({ kind, error });
  });
});

describe('smtpTrouble', () => {
  it.each<[string, Error, 'auth_failed' | 'unreachable' | null]>([
    ['535 bad credentials', smtpError('Invalid login: 535 5.7.8 Authentication credentials invalid', { code: 'EAUTH', responseCode: 535 }), 'auth_failed'],
    ['credentials missing', smtpError('Missing credentials for "PLAIN"', { code: 'EAUTH' }), 'auth_failed'],
    ['530 authentication required at MAIL FROM', smtpError('Mail command failed: 530 5.7.0 Authentication required', { code: 'EENVELOPE', responseCode: 530 }), 'auth_failed'],
    ['nothing listening', smtpError('connect ECONNREFUSED 127.0.0.1:2', { code: 'ESOCKET' }), 'unreachable'],
    ['greeting never came', smtpError('Greeting never received', { code: 'ETIMEDOUT' }), 'unreachable'],
    ['name does not resolve', smtpError('getaddrinfo ENOTFOUND smtp.nowhere', { code: 'EDNS' }), 'unreachable'],
    ['421 service closing', smtpError('421 4.3.2 Service shutting down', { code: 'EENVELOPE', responseCode: 421 }), 'unreachable'],
    ['one recipient refused for good', smtpError('Recipient command failed: 550 5.1.1 <a@b.fr>: unknown', { code: 'EENVELOPE', responseCode: 550 }), null],
    ['a mailbox full (4xx)', smtpError('Recipient command failed: 452 4.2.2 mailbox full', { code: 'EENVELOPE', responseCode: 452 }), null],
    ['the message refused after DATA', smtpError('Message failed: 554 5.6.0 content rejected', { code: 'EMESSAGE', responseCode: 554 }), null],
  ])('%s → %s', (_name, err, kind) => {
    expect(smtpTrouble(err)?.kind ?? null).toBe(kind);
  });

  it('keeps the error\'s words, its addresses masked', () => {
    expect(smtpTrouble(smtpError('Invalid login: 535 no such user support@x.fr', { code: 'EAUTH', responseCode: 535 }))?.error)
      .toBe('EAUTH 535 Invalid login: 535 no such user [address]');
  });
});
