import { describe, expect, it } from 'vitest';
import type { InboundMail } from '../../parsers/inbound-mail';
import { detectIgnoreReason } from '../../parsers/loop-guard';
import { makeAttachment, makeMail } from './make-mail';

const OWN = { addresses: ['liquibot@support.example.fr'], messageIdDomain: 'liquibot.support.example.fr' };

describe('detectIgnoreReason', () => {
  it.each<[string, Partial<InboundMail>, ReturnType<typeof detectIgnoreReason>]>([
    ['ordinary request', {}, null],
    ['from our address', { from: { address: 'liquibot@support.example.fr', name: '' } }, 'own-mail'],
    ['from our address, other case', { from: { address: 'LiquiBot@Support.Example.FR', name: '' } }, 'own-mail'],
    ['our Message-ID domain', { messageId: '<lj-1.notice@liquibot.support.example.fr>' }, 'own-mail'],
    ['our Message-ID domain, upper case', { messageId: '<LJ-1@LIQUIBOT.SUPPORT.EXAMPLE.FR>' }, 'own-mail'],
    ['a look-alike Message-ID domain', { messageId: '<x@evil-liquibot.support.example.fr.example>' }, null],
    ['a subdomain is not ours', { messageId: '<x@a.liquibot.support.example.fr.attacker>' }, null],
    ['X-Liquibot-Ticket header', { headers: { 'x-liquibot-ticket': ['LJ-261126-0042'] } }, 'own-mail'],
    ['own mail wins over bounce', { from: { address: 'liquibot@support.example.fr', name: '' }, returnPath: '' }, 'own-mail'],
    [
      'multipart/report delivery-status',
      { contentType: 'multipart/report', headers: { 'content-type': ['multipart/report; report-type=delivery-status;\tboundary="b"'] } },
      'bounce',
    ],
    [
      'report-type quoted, upper case',
      { contentType: 'multipart/report', headers: { 'content-type': ['multipart/report; boundary="b"; report-type="Delivery-Status"'] } },
      'bounce',
    ],
    ['message/delivery-status part', { attachments: [makeAttachment(new Uint8Array(1), { declaredType: 'message/delivery-status' })] }, 'bounce'],
    ['MAILER-DAEMON', { from: { address: 'mailer-daemon@mx.example.fr', name: '' } }, 'bounce'],
    ['postmaster', { from: { address: 'Postmaster@mx.example.fr', name: '' } }, 'bounce'],
    ['null Return-Path', { returnPath: '' }, 'bounce'],
    ['no Return-Path at all is not a bounce', { returnPath: null }, null],
    ['bounce wins over auto-reply', { returnPath: '', headers: { 'auto-submitted': ['auto-replied'] } }, 'bounce'],
    ['Auto-Submitted: auto-replied', { headers: { 'auto-submitted': ['auto-replied'] } }, 'auto-reply'],
    ['Auto-Submitted: auto-generated', { headers: { 'auto-submitted': ['auto-generated'] } }, 'auto-reply'],
    ['Auto-Submitted with parameters', { headers: { 'auto-submitted': ['Auto-Replied; owner-email="a@b.fr"'] } }, 'auto-reply'],
    ['Auto-Submitted: no', { headers: { 'auto-submitted': ['no'] } }, null],
    ['Auto-Submitted: No (comment)', { headers: { 'auto-submitted': [' No ; x=y'] } }, null],
    ['X-Autoreply', { headers: { 'x-autoreply': ['yes'] } }, 'auto-reply'],
    ['X-Autorespond', { headers: { 'x-autorespond': ['Absence'] } }, 'auto-reply'],
    ['X-Auto-Response-Suppress (any value)', { headers: { 'x-auto-response-suppress': ['All'] } }, 'auto-reply'],
    [
      'read receipt',
      { contentType: 'multipart/report', headers: { 'content-type': ['multipart/report; report-type=disposition-notification; boundary=b'] } },
      'auto-reply',
    ],
    ['auto-reply wins over bulk', { headers: { 'auto-submitted': ['auto-generated'], precedence: ['bulk'] } }, 'auto-reply'],
    ['Precedence: bulk', { headers: { precedence: ['bulk'] } }, 'bulk'],
    ['Precedence: list', { headers: { precedence: ['List'] } }, 'bulk'],
    ['Precedence: junk', { headers: { precedence: [' junk '] } }, 'bulk'],
    ['Precedence: first-class', { headers: { precedence: ['first-class'] } }, null],
    ['List-Id', { headers: { 'list-id': ['Lettre <lettre.example.fr>'] } }, 'bulk'],
    ['List-Unsubscribe', { headers: { 'list-unsubscribe': ['<mailto:u@example.fr>'] } }, 'bulk'],
    ['a mere multipart/report without report-type', { contentType: 'multipart/report', headers: { 'content-type': ['multipart/report; boundary=b'] } }, null],
  ])('%s → %s', (_name, over, want) => {
    expect(detectIgnoreReason(makeMail(over), OWN)).toBe(want);
  });
});
