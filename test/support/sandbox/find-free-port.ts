import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;

/**
 * A TCP port on `host` that is free right now, for a server we are about to start.
 *
 * Candidates are drawn at random below the kernel's ephemeral range (32768+ on Linux) and
 * checked by binding them. A port from `listen(0)` would come from the ephemeral range,
 * where any outgoing connection (the tests make many) can take it between our check and
 * the server's own bind; below that range only another listener can, which the check sees.
 * Falls back to `listen(0)` if no candidate is free.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const highest = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 50 && highest > LOWEST; attempt += 1) {
    const candidate = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
    if ((await tryBind(host, candidate)) !== undefined) return candidate;
  }
  const port = await tryBind(host, 0);
  if (port === undefined) throw new Error(`no free TCP port on ${host}`);
  return port;
}

function tryBind(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = address !== null && typeof address !== 'string' ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST ? first : 32_768;
  } catch {
    return 32_768; // Not Linux: the IANA dynamic range starts at 49152, so this is conservative.
  }
}
