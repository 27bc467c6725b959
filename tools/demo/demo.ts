/**
 * `npm run demo`: liquibot end to end on embedded defaults. Starts a sandbox mailbox (Dovecot) and an
 * SMTP sink on loopback, an embedded database under ./data/demo, drops a few sample requests in the
 * mailbox, runs the daemon until everything is answered, then shows what happened to each mail.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config';
import { startDaemon } from '../../src/daemon';
import { createLogger } from '../../src/log';
import { startDovecot } from '../../test/support/sandbox/dovecot';
import { startSmtpSink } from '../../test/support/sandbox/smtp-sink';
import { eventsOfTicket, findTicketByRef } from '../../src/db/ticket-queries';
import { outboxBacklog } from '../../src/db/outbox-queries';
import { parseMail } from '../../src/mail/parse-mail';
import { buildAutoReply, buildRequestMail, buildUnrelatedMail } from '../../test/support/sample-mails';
import { startConsole, type RunningConsole } from '../../src/console/start-console';
import { hashPassword } from '../../src/console/secrets';
import { insertUser } from '../../src/db/console-queries';

const DEMO_DIR = resolve(process.env.DEMO_DIR ?? './data/demo');
/** The console's demo accounts (the embedded database is thrown away at the next run). */
const DEMO_ACCOUNTS = [
  { email: 'agent@demo.example.fr', password: 'demo-agent-console', role: 'agent' },
  { email: 'admin@demo.example.fr', password: 'demo-admin-console', role: 'admin' },
] as const;

interface Sample {
  label: string;
  raw: string;
}

async function main(): Promise<void> {
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(DEMO_DIR, { recursive: true });
  const say = (line = '') => process.stdout.write(`${line}\n`);
  say('liquibot demo: starting a sandbox mailbox (Dovecot) and an SMTP sink on 127.0.0.1 …');
  const dovecot = await startDovecot();
  const sink = await startSmtpSink({ dir: join(DEMO_DIR, 'sent') });
  let daemon: Awaited<ReturnType<typeof startDaemon>> | null = null;
  let webConsole: RunningConsole | null = null;
  try {
    dovecot.addUser('support', 'demo-secret');
    const config = loadConfig({
      ...process.env,
      IMAP_URL: dovecot.imapUrl('support', 'demo-secret'),
      SMTP_URL: `${sink.url}?starttls=never`,
      DATABASE_URL: '',
      DATA_DIR: DEMO_DIR,
      MAIL_FROM: 'liquibot@support.example.fr',
      AGENTS_ADDRESS: 'agents@support.example.fr',
      AGENT_SENDERS: '@support.example.fr',
      HTTP_PORT: process.env.HTTP_PORT ?? '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    });
    const samples: Sample[] = [
      { label: 'conforming request', raw: buildRequestMail({ from: 'etude.martin@mandataires.example.fr', fromName: 'Maître Claire Martin', siret: '732 829 320 00074' }) },
      { label: 'no court document, bad SIRET', raw: buildRequestMail({ from: 'etude.durand@mandataires.example.fr', fromName: 'Maître Paul Durand', siret: '12345678912345', attachment: 'none' }) },
      { label: 'a Word file instead of the document', raw: buildRequestMail({ from: 'scp.leroy@mandataires.example.fr', siret: '35600000000048', attachment: 'docx' }) },
      { label: 'out-of-office auto-reply', raw: buildAutoReply('absent@mandataires.example.fr') },
      { label: 'unrelated question', raw: buildUnrelatedMail('compta@entreprise.example.fr') },
    ];
    for (const s of samples) await dovecot.appendMessage('support', 'demo-secret', s.raw);
    say(`${samples.length} sample mails are in the mailbox; starting liquibot (embedded database in ${DEMO_DIR}) …`);

    const outcomes = new Map<number, { outcome: string; ticketRef: string | null }>();
    const log = createLogger({ level: config.LOG_LEVEL, pretty: true });
    daemon = await startDaemon({ config, log, onProcessed: (r) => outcomes.set(r.inboundId, r) });
    const d = daemon;
    // The web console, on the daemon's HTTP server (unless the daemon already serves it).
    const routes = d.operations.http?.routes ?? null;
    if (routes?.match('GET', `${config.CONSOLE_PATH}/login`).kind !== 'mounted') {
      webConsole = await startConsole({ config, database: d.database, log, routes, kick: () => d.outbox.kick() });
    }
    for (const a of DEMO_ACCOUNTS) {
      await insertUser(d.database.db, { email: a.email, role: a.role, passwordHash: await hashPassword(a.password), invitationTokenHash: null, invitationExpiresAt: null, now: new Date() });
    }
    await waitFor(async () => outcomes.size >= samples.length && (await outboxBacklog(d.database.db)).count === 0, 60_000);

    // The requester answers the non-conformity notice with the fix, on the same thread.
    const notice = sink.messages.find((m) => m.envelope.to.includes('etude.durand@mandataires.example.fr'));
    if (notice) {
      say('Maître Durand answers the notice with a valid SIRET and the court document …');
      await dovecot.appendMessage('support', 'demo-secret', buildRequestMail({
        from: 'etude.durand@mandataires.example.fr', fromName: 'Maître Paul Durand', siret: '44306184100047',
        liquidatorEmail: null, subject: `RE: ${notice.subject}`, inReplyTo: notice.messageId ?? undefined,
        references: notice.messageId ? [notice.messageId] : [],
        preamble: 'Bonjour, voici la demande complétée avec les minutes du greffe.',
      }));
      samples.push({ label: 'the fix, as a reply', raw: '' });
      await waitFor(async () => outcomes.size >= samples.length && (await outboxBacklog(d.database.db)).count === 0, 60_000);
    }

    // An agent approves the first request by answering its approval request.
    const approval = sink.messages.find((m) => m.envelope.to.includes('agents@support.example.fr'));
    if (approval) {
      say('Paul Durand, agent, answers VALIDER to the first approval request …');
      await dovecot.appendMessage('support', 'demo-secret', [
        'From: Paul Durand <paul.durand@support.example.fr>', 'To: liquibot@support.example.fr',
        `Subject: RE: ${(await parseMail(approval.raw)).subject}`, `Date: ${new Date().toUTCString()}`,
        `Message-ID: <demo-approval-${Date.now()}@support.example.fr>`, `In-Reply-To: ${approval.messageId}`,
        `References: ${approval.messageId}`, 'Content-Type: text/plain; charset=UTF-8', '', 'VALIDER', '',
      ].join('\r\n'));
      samples.push({ label: 'an agent approves', raw: '' });
      await waitFor(async () => outcomes.size >= samples.length && (await outboxBacklog(d.database.db)).count === 0, 60_000);
    }

    say('');
    say('What liquibot did with each mail:');
    let i = 0;
    for (const [, r] of [...outcomes.entries()].sort((a, b) => a[0] - b[0])) {
      const label = samples[i++]?.label ?? '?';
      let status = '';
      if (r.ticketRef) {
        const t = await findTicketByRef(d.database.db, r.ticketRef);
        status = t ? `${t.ref} now ${t.status}` : '';
      }
      say(`  ${label.padEnd(38)} ${r.outcome.padEnd(34)} ${status}`);
    }
    say('');
    say(`Mails received by the SMTP sink (${sink.messages.length}), saved as .eml in ${join(DEMO_DIR, 'sent')}:`);
    for (const m of sink.messages) say(`  → ${m.envelope.to.join(', ').padEnd(40)} ${(await parseMail(m.raw)).subject}`);
    const ref = [...outcomes.values()].find((o) => o.outcome.startsWith('agent-reply'))?.ticketRef;
    if (ref) {
      const t = await findTicketByRef(d.database.db, ref);
      if (t) {
        say('');
        say(`History of ${ref}:`);
        for (const e of await eventsOfTicket(d.database.db, t.id)) {
          say(`  ${e.at.toISOString()} ${e.kind}${e.toStatus ? ` → ${e.toStatus}` : ''}`);
        }
      }
    }
    const http = d.operations.http;
    if (http && config.CONSOLE_ENABLED) {
      const url = `http://${http.host}:${http.port}${config.CONSOLE_PATH}/`;
      say('');
      say(`Web console: ${url}`);
      for (const a of DEMO_ACCOUNTS) say(`  ${a.role.padEnd(6)} ${a.email} / ${a.password}`);
      if (process.stdout.isTTY && process.env.DEMO_EXIT !== '1') {
        say('The daemon keeps running for the console: Ctrl-C stops it (DEMO_EXIT=1 npm run demo exits at once).');
        await new Promise<void>((resolveStop) => {
          process.once('SIGINT', () => resolveStop());
          process.once('SIGTERM', () => resolveStop());
        });
      }
    }
    say('');
    say('Stopping. The database stays in ./data/demo: DATA_DIR=./data/demo npm run liquibot -- tickets list');
  } finally {
    await webConsole?.close();
    await daemon?.stop();
    await sink.stop();
    await dovecot.stop();
  }
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`demo: nothing happened within ${timeoutMs / 1000} s`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
