import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readPidFile, trySignal } from './process-alive';

export interface OrphanGuardOptions {
  /** Pid file of the server (postmaster.pid, master.pid); read when it is time to kill. */
  pidFile: string;
  /** Signal that makes the server shut down cleanly (SIGINT for PostgreSQL, SIGTERM for Dovecot). */
  signal: 'SIGINT' | 'SIGTERM' | 'SIGQUIT';
  /** Signal the pid's whole process group (a daemon that called setsid, like Dovecot). */
  processGroup?: boolean;
  /** Directory to delete once the server is gone; omit to keep it. */
  removeDir?: string;
}

export interface OrphanGuard {
  /** Disarm both the exit hook and the watchdog (the server was stopped normally). */
  disarm(): void;
}

// A shell loop outside Node: it survives a SIGKILLed test worker, which no 'exit' hook does.
const WATCHDOG_SCRIPT = `
owner=$1; pidfile=$2; sig=$3; dir=$4; group=$5
while kill -0 "$owner" 2>/dev/null; do sleep 1; done
pid=$(head -n 1 "$pidfile" 2>/dev/null)
if [ -n "$pid" ]; then
  target=$pid
  if [ "$group" = 1 ]; then target=-$pid; fi
  kill -s "$sig" -- "$target" 2>/dev/null
  i=0
  while kill -0 -- "$target" 2>/dev/null && [ "$i" -lt 150 ]; do sleep 0.2; i=$((i+1)); done
  kill -s KILL -- "$target" 2>/dev/null
fi
if [ -n "$dir" ]; then rm -rf "$dir"; fi
`;

/**
 * Make sure a daemonised server does not outlive this process: a synchronous `exit` hook
 * signals it at once, and a detached watchdog shell signals it (and removes its directory)
 * when this process is gone for any reason, including SIGKILL.
 */
export function guardAgainstOrphans(options: OrphanGuardOptions): OrphanGuard {
  const signalName = options.signal.replace(/^SIG/, '');
  const watchdog = spawn(
    'sh',
    ['-c', WATCHDOG_SCRIPT, 'liquibot-sandbox-watchdog', String(process.pid), options.pidFile, signalName, options.removeDir ?? '', options.processGroup ? '1' : '0'],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.on('error', () => {
    // No `sh`: the exit hook below still covers normal exits.
  });
  watchdog.unref();

  const onExit = (): void => {
    const pid = readPidFile(options.pidFile);
    if (pid !== undefined) trySignalQuietly(options.processGroup ? -pid : pid, options.signal);
  };
  addExitHook(onExit);

  let armed = true;
  return {
    disarm() {
      if (!armed) return;
      armed = false;
      exitHooks.delete(onExit);
      // Negative pid: the whole group, so the watchdog's `sleep` goes too.
      if (watchdog.pid !== undefined) trySignalQuietly(-watchdog.pid, 'SIGKILL');
    },
  };
}

// One process listener for all guards: a test file may start many servers.
const exitHooks = new Set<() => void>();
let exitListenerInstalled = false;

function addExitHook(hook: () => void): void {
  exitHooks.add(hook);
  if (exitListenerInstalled) return;
  exitListenerInstalled = true;
  process.once('exit', () => {
    for (const run of exitHooks) run();
  });
}

function trySignalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    trySignal(pid, signal);
  } catch {
    // Exit hooks must not throw.
  }
}

/** Remove a directory tree, ignoring errors (used in teardown paths). */
export function removeDirQuietly(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Best effort: it lives under the OS temp dir.
  }
}
