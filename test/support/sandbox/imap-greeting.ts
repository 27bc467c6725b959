import { connect } from 'node:net';

/**
 * Resolve true once the server at host:port sends an IMAP `* OK` greeting; reject otherwise.
 * Dovecot forks into the background before its listeners accept, so the port is probed.
 */
export function probeImapGreeting(host: string, port: number, timeoutMs = 2_000): Promise<true> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    const finish = (err?: Error): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve(true);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error('no IMAP greeting before timeout')));
    socket.on('error', (err) => finish(err));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!received.includes('\n')) return;
      if (received.startsWith('* OK')) finish();
      else finish(new Error(`unexpected IMAP greeting: ${received.trim()}`));
    });
    socket.on('end', () => finish(new Error('connection closed before an IMAP greeting')));
  });
}
