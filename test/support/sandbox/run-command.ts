import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface RunOptions {
  /** Run as this unprivileged user (through `runuser`); only meaningful when we are root. */
  user?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Run a program and resolve with its stdout; reject with an error carrying stdout and stderr,
 * because the first thing anyone needs when initdb or dovecot refuses to start is their message.
 */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const [program, argv] = options.user ? ['runuser', ['-u', options.user, '--', file, ...args]] : [file, [...args]];
  return new Promise((resolve, reject) => {
    execFile(
      program,
      argv,
      {
        cwd: options.cwd,
        env: { ...process.env, LC_ALL: 'C', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) {
          const output = [stderr.trim(), stdout.trim()].filter(Boolean).join('\n');
          reject(new Error(`${[program, ...argv].join(' ')} failed: ${output || err.message}`, { cause: err }));
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/** True when this process runs as root (uid 0). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Run a program that forks a daemon and exits (dovecot). Output goes to `outputFile`, not to
 * pipes: the daemon inherits the descriptors and would hold pipes open until it dies, which
 * keeps execFile waiting. Resolves when the foreground process exits with status 0.
 */
export function runDaemonizer(file: string, args: readonly string[], outputFile: string): Promise<void> {
  const fd = openSync(outputFile, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' } });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const output = readFileSync(outputFile, 'utf8').trim();
      reject(new Error(`${[file, ...args].join(' ')} exited with ${signal ?? code}: ${output}`));
    });
  }).finally(() => closeSync(fd));
}
