/**
 * The floor (issue 15): the least work a request needs, run as a child process of the bench against
 * the same sandbox servers and mailbox bytes as liquibot's drain. Per mail:
 *   FETCH in chunks → sha256 → mailparser simpleParser → one transaction (the raw source as binary
 *   bytea through COPY, one small row, the two outbox rows with their Message-IDs) → the two mails
 *   through nodemailer with a pool of 3 (the approval request re-attaches the PDF; text + HTML) →
 *   outbox rows marked sent → \Seen on the chunk once its mails are committed.
 * Nothing else: no classification, checks, templates, history, logs.
 *
 * Drains what is unseen at start, prints one JSON line `{"event":"done",…}` on stdout, then waits for
 * SIGTERM (so the bench reads its CPU time while it is still alive). Configured by FLOOR_* variables.
 * Bundled by bench/floor/floor-child.ts and run with plain node, as bin/liquibot runs dist/cli.mjs.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import postgres from 'postgres';
import { chunksOf, floorMail, type FloorOutboxRow } from './floor-mails';
import { copyBinary } from './pg-copy-binary';
import { FLOOR_SCHEMA } from './floor-schema';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`floor: ${name} is not set`);
  return v;
};

const CHUNK = Number(env('FLOOR_CHUNK', '25'));
const MAX_IN_FLIGHT = Number(env('FLOOR_MAX_IN_FLIGHT', '60'));
const ctx = { from: env('FLOOR_FROM', 'liquibot@support.example.fr'), agents: env('FLOOR_AGENTS', 'agents@support.example.fr') };

async function main(): Promise<void> {
  // TCP_NODELAY: a COPY is two writes (the data, then CopyDone); with Nagle on (postgres.js leaves it
  // on), the small second one waits for the server's delayed ACK: about 100 ms per mail here.
  // `socket` is a documented option of postgres.js that its type declarations lack.
  const socket = ({ host, port }: { host: string[]; port: number[] }) => new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: host[0]!, port: port[0]!, noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  const sql = postgres(env('FLOOR_DATABASE_URL'), { max: 4, onnotice: () => {}, ...({ socket } as object) });
  await sql.unsafe(FLOOR_SCHEMA);
  const transport = nodemailer.createTransport({
    host: env('FLOOR_SMTP_HOST'), port: Number(env('FLOOR_SMTP_PORT')), secure: false, ignoreTLS: true,
    pool: true, maxConnections: 3, maxMessages: Infinity,
  });
  const client = new ImapFlow({
    host: env('FLOOR_IMAP_HOST'), port: Number(env('FLOOR_IMAP_PORT')), secure: false, doSTARTTLS: false,
    auth: { user: env('FLOOR_IMAP_USER'), pass: env('FLOOR_IMAP_PASS') }, logger: false,
  });
  client.on('error', (err) => {
    process.stderr.write(`floor: imap error ${err instanceof Error ? err.message : String(err)}\n`);
  });
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  const counts = { fetched: 0, stored: 0, duplicates: 0, sent: 0, failed: 0 };
  /** Wall ms spent in each stage on the main path (the sends run beside it): where the floor waits. */
  const stageMs = { fetchWait: 0, hash: 0, parse: 0, store: 0, backpressure: 0, flag: 0, drainSends: 0 };
  let t = performance.now();
  const lap = (stage: keyof typeof stageMs) => {
    const now = performance.now();
    stageMs[stage] += now - t;
    t = now;
  };
  const inFlight = new Set<Promise<void>>();
  try {
    const uidValidity = BigInt((client.mailbox as { uidValidity: bigint }).uidValidity);
    const uids = ((await client.search({ seen: false }, { uid: true })) || []).sort((a, b) => a - b);
    const chunks = chunksOf(uids, CHUNK);
    // Never an IMAP command inside `for await` of a fetch: collect the chunk, then act.
    const collect = async (chunk: number[]) => {
      const out: { uid: number; source: Buffer }[] = [];
      for await (const m of client.fetch(chunk.join(','), { uid: true, source: true }, { uid: true })) {
        if (m.source) out.push({ uid: m.uid, source: m.source });
      }
      return out.sort((a, b) => a.uid - b.uid);
    };
    let next = chunks.length > 0 ? collect(chunks[0]!) : null;
    for (let c = 0; c < chunks.length; c += 1) {
      t = performance.now();
      const messages = await next!;
      lap('fetchWait');
      // The next chunk streams in while this one is parsed and stored.
      next = c + 1 < chunks.length ? collect(chunks[c + 1]!) : null;
      counts.fetched += messages.length;
      const done: number[] = [];
      for (const { uid, source } of messages) {
        const sha = createHash('sha256').update(source).digest();
        lap('hash');
        const parsed = await simpleParser(source);
        lap('parse');
        const rows = await store(sql, { sha, uidValidity, uid: BigInt(uid), source, parsed });
        lap('store');
        done.push(uid);
        if (!rows) {
          counts.duplicates += 1;
          continue;
        }
        counts.stored += 1;
        const p = send(sql, transport, rows, parsed, counts).finally(() => inFlight.delete(p));
        inFlight.add(p);
        while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
        lap('backpressure');
      }
      // After the commit of every mail of the chunk: nothing lost if the process dies before.
      if (done.length > 0) await client.messageFlagsAdd(done.join(','), ['\\Seen'], { uid: true });
      lap('flag');
    }
    t = performance.now();
    await Promise.all(inFlight);
    lap('drainSends');
  } finally {
    lock.release();
  }
  const rounded = Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, Math.round(v)]));
  process.stdout.write(`${JSON.stringify({ event: 'done', ...counts, stageMs: rounded })}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  transport.close();
  await client.logout().catch(() => {});
  await sql.end({ timeout: 5 });
}

/** One transaction: the source by binary COPY, the request row and its two outbox rows. Null when already stored. */
async function store(sql: postgres.Sql, m: { sha: Buffer; uidValidity: bigint; uid: bigint; source: Buffer; parsed: ParsedMail }): Promise<(FloorOutboxRow & { requestId: string })[] | null> {
  const sender = m.parsed.from?.value[0]?.address ?? '';
  try {
    return await sql.begin(async (tx) => {
      const copy = await tx`copy floor_inbound (sha256, uid_validity, uid, raw) from stdin (format binary)`.writable();
      await new Promise<void>((resolve, reject) => {
        copy.once('error', reject);
        copy.once('finish', resolve);
        copy.end(copyBinary([[m.sha, m.uidValidity, m.uid, m.source]]));
      });
      const rows = await tx<{ request_id: string; purpose: 'ack' | 'approval'; message_id: string; recipient: string }[]>`
        with r as (
          insert into floor_requests (inbound_sha256, message_id, sender, subject)
          values (${m.sha}, ${m.parsed.messageId ?? null}, ${sender}, ${m.parsed.subject ?? null}) returning id
        )
        insert into floor_outbox (request_id, purpose, message_id, recipient)
        select r.id, p.purpose, '<floor-' || p.purpose || '-' || r.id || '@support.example.fr>', p.recipient
        from r, (values ('ack', ${sender}::text), ('approval', ${ctx.agents}::text)) as p (purpose, recipient)
        returning request_id, purpose, message_id, recipient`;
      return rows.map((r) => ({ requestId: r.request_id, purpose: r.purpose, messageId: r.message_id, recipient: r.recipient }));
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return null;
    throw err;
  }
}

async function send(sql: postgres.Sql, transport: Transporter, rows: (FloorOutboxRow & { requestId: string })[], parsed: ParsedMail, counts: { sent: number; failed: number }): Promise<void> {
  try {
    await Promise.all(rows.map((row) => transport.sendMail(floorMail(row, parsed, ctx))));
    await sql`update floor_outbox set status = 'sent', sent_at = now() where request_id = ${rows[0]!.requestId}`;
    counts.sent += rows.length;
  } catch (err) {
    counts.failed += rows.length;
    process.stderr.write(`floor: send failed ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

// The bench holds the other end: if it dies (killed, crashed), so does the floor.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();

main().catch((err) => {
  process.stderr.write(`floor failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
