import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDovecotConfig } from './dovecot-config';
import { findDovecotBinary } from './dovecot-binary';
import { addDovecotUser } from './dovecot-users';
import { findFreePort } from './find-free-port';
import { probeImapGreeting } from './imap-greeting';
import {
  appendMessage,
  ensureMailbox,
  listMessages,
  mailboxState,
  type AppendedMessage,
  type ListedMessage,
  type MailboxState,
} from './imap-seed';
import { guardAgainstOrphans, removeDirQuietly, type OrphanGuard } from './orphan-guard';
import { isProcessAlive, killProcessGroup, readPidFile } from './process-alive';
import { readTail } from './read-tail';
import { isRoot, runDaemonizer } from './run-command';
import { findSystemUser, type SystemUser } from './system-user';
import { waitUntil } from './wait-until';

export interface DovecotOptions {
  /** Parent of the sandbox's temp dir (default: the OS temp dir). Must be traversable by `dovecot`. */
  baseDir?: string;
  /** IMAP port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Keep the temp dir after stop() (for post-mortems). Also enabled by LIQUIBOT_SANDBOX_KEEP=1. */
  keep?: boolean;
}

export interface DovecotSandbox {
  readonly host: string;
  readonly port: number;
  readonly baseDir: string;
  readonly configPath: string;
  /** Per-user passwd-files live here (see addDovecotUser). */
  readonly usersDir: string;
  /** Errors and warnings; logins and disconnects are in dovecot-info.log next to it. */
  readonly logFile: string;
  /** Add a login; usable at once, no reload needed. */
  addUser(user: string, password: string): void;
  /** `imap://user:password@127.0.0.1:port/mailbox`, parts percent-encoded. */
  imapUrl(user: string, password: string, mailbox?: string): string;
  /** The user's Maildir (its root is INBOX); exists after the first login or delivery. */
  maildirOf(user: string): string;
  ensureMailbox(user: string, password: string, mailbox: string): Promise<void>;
  appendMessage(user: string, password: string, raw: string | Buffer, mailbox?: string, flags?: string[]): Promise<AppendedMessage>;
  listMessages(user: string, password: string, mailbox?: string): Promise<ListedMessage[]>;
  mailboxState(user: string, password: string, mailbox?: string): Promise<MailboxState>;
  /**
   * Make Dovecot hand out a new UIDVALIDITY for the user's INBOX: delete its dovecot-uidlist and
   * index files (dovecot.index*, dovecot.list.index*). The next session that opens INBOX finds
   * no UID list, rescans the Maildir, numbers the messages from UID 1 again and takes a new
   * UIDVALIDITY, always above the previous one (Dovecot keeps the last value it gave out in
   * dovecot-uidvalidity, which stays). A session that has INBOX selected during the reset keeps
   * its old view (old UIDVALIDITY, new mail invisible) until it reconnects.
   */
  resetUidValidity(user: string): void;
  /** Stop and start again with the same config, port and mail (for fault tests). */
  restart(): Promise<void>;
  /** Stop Dovecot and delete the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Start a private Dovecot IMAP server from a config written to a temp dir. Needs root (Dovecot
 * switches to the `dovecot` and `dovenull` users) and the dovecot-imapd package.
 */
export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotSandbox> {
  const binary = findDovecotBinary();
  if (!isRoot()) throw new Error('the Dovecot sandbox must run as root (it drops to the dovecot user); CI runs as root');
  const internalUser = await requireUser('dovecot');
  await requireUser('dovenull');

  const baseDir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'liquibot-dovecot-'));
  const keep = options.keep ?? process.env.LIQUIBOT_SANDBOX_KEEP === '1';
  const configPath = join(baseDir, 'dovecot.conf');
  const usersDir = join(baseDir, 'users');
  const mailRoot = join(baseDir, 'mail');
  const logFile = join(baseDir, 'dovecot.log');
  const pidFile = join(baseDir, 'run', 'master.pid');
  let guard: OrphanGuard | undefined;

  const start = async (port: number): Promise<void> => {
    try {
      await runDaemonizer(binary, ['-c', configPath], join(baseDir, 'dovecot-start.log'));
      await waitUntil(`Dovecot IMAP on port ${port}`, () => probeImapGreeting(HOST, port), { timeoutMs: 20_000 });
    } catch (err) {
      throw new Error(`Dovecot did not start (${configPath}): ${(err as Error).message}\n${readTail(logFile)}`, { cause: err });
    }
  };
  const shutdown = async (): Promise<void> => {
    const pid = readPidFile(pidFile);
    if (pid === undefined || !isProcessAlive(pid)) return;
    // Signal the whole process group (the master called setsid), not just the master: alone,
    // the master takes ~1 s to exit and does not wait for its children, so an imap process
    // serving a connected client lingers ~10 s holding the old connection open. Signalled
    // together, everything is gone in tens of milliseconds.
    await killProcessGroup(pid, 10_000);
  };

  try {
    const port = options.port ?? (await findFreePort(HOST));
    prepareDirs(baseDir, mailRoot, internalUser);
    mkdirSync(usersDir, { mode: 0o755 });
    writeFileSync(
      configPath,
      renderDovecotConfig({ baseDir, port, usersDir, mailRoot, homeRoot: join(baseDir, 'home') }),
    );
    guard = guardAgainstOrphans({ pidFile, signal: 'SIGTERM', processGroup: true, removeDir: keep ? undefined : baseDir });
    await start(port);

    const login = (user: string, password: string) => ({ host: HOST, port, user, password });
    let stopped = false;
    return {
      host: HOST,
      port,
      baseDir,
      configPath,
      usersDir,
      logFile,
      addUser: (user, password) => addDovecotUser(usersDir, user, password),
      imapUrl: (user, password, mailbox = 'INBOX') => imapUrl(HOST, port, user, password, mailbox),
      maildirOf: (user) => join(mailRoot, user),
      ensureMailbox: (user, password, mailbox) => ensureMailbox(login(user, password), mailbox),
      appendMessage: (user, password, raw, mailbox = 'INBOX', flags = []) =>
        appendMessage(login(user, password), raw, { mailbox, flags }),
      listMessages: (user, password, mailbox = 'INBOX') => listMessages(login(user, password), mailbox),
      mailboxState: (user, password, mailbox = 'INBOX') => mailboxState(login(user, password), mailbox),
      resetUidValidity: (user) => resetUidValidity(join(mailRoot, user)),
      async restart() {
        await shutdown();
        await start(port);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await shutdown();
        guard?.disarm();
        if (!keep) removeDirQuietly(baseDir);
      },
    };
  } catch (err) {
    await shutdown();
    guard?.disarm();
    if (!keep) removeDirQuietly(baseDir);
    throw err;
  }
}

/** `imap://user:password@host:port/mailbox` with every part percent-encoded. */
export function imapUrl(host: string, port: number, user: string, password: string, mailbox = 'INBOX'): string {
  return `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(mailbox)}`;
}

/** Delete INBOX's UID list and indexes so Dovecot assigns a new UIDVALIDITY (see DovecotSandbox). */
export function resetUidValidity(maildir: string): void {
  const names = readdirSync(maildir).filter(
    (name) => name === 'dovecot-uidlist' || name.startsWith('dovecot.index') || name.startsWith('dovecot.list.index'),
  );
  if (!names.includes('dovecot-uidlist')) throw new Error(`no dovecot-uidlist in ${maildir}: log in once first`);
  for (const name of names) rmSync(join(maildir, name), { force: true });
}

async function requireUser(name: string): Promise<SystemUser> {
  const user = await findSystemUser(name);
  if (!user) throw new Error(`system user ${name} is missing (it comes with dovecot-core): run scripts/setup.sh`);
  return user;
}

function prepareDirs(baseDir: string, mailRoot: string, owner: SystemUser): void {
  // mkdtemp makes 0700; Dovecot's unprivileged processes must traverse it.
  chmodSync(baseDir, 0o755);
  mkdirSync(join(baseDir, 'state'));
  for (const dir of [mailRoot, join(baseDir, 'home')]) {
    mkdirSync(dir);
    chownSync(dir, owner.uid, owner.gid);
  }
}
