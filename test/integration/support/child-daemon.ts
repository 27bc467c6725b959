import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '../../../bin/liquibot');

/** `liquibot run` as a child process, with its JSON log lines kept for assertions. */
export interface ChildDaemon {
  process: ChildProcess;
  lines: string[];
  /** Log messages (the `msg` field) seen so far. */
  messages(): string[];
  exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startChildDaemon(env: Record<string, string | undefined>): ChildDaemon {
  const child = spawn(BIN, ['run'], { env: { ...process.env, LOG_PRETTY: 'false', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    lines,
    exited,
    messages: () => lines.map((l) => {
      try {
        return String((JSON.parse(l) as { msg?: string }).msg ?? '');
      } catch {
        return l;
      }
    }),
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
