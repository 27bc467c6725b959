import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'hang';

export interface HangingProxy {
  port: number;
  /** `host:port` of the proxy, to put in place of the real server's in a URL. */
  address: string;
  /**
   * 'hang': new connections are accepted and never answered, and open ones stop forwarding in both
   * directions (the server seems to have frozen, the TCP connection stays up); 'pass': new connections
   * reach the real server.
   */
  setMode(mode: ProxyMode): void;
  /** Connections accepted so far. */
  accepted(): number;
  stop(): Promise<void>;
}

/**
 * A TCP proxy in front of a real server that can play a server that accepts connections and then says
 * nothing (the case timeouts are for: no refusal, no reset, no answer).
 */
export async function startHangingProxy(upstream: { host: string; port: number }, mode: ProxyMode = 'hang'): Promise<HangingProxy> {
  let current = mode;
  let count = 0;
  const sockets = new Set<Socket>();
  const frozen: (() => void)[] = [];
  const server: Server = createServer((client) => {
    count += 1;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (current === 'hang') {
      client.on('data', () => {}); // read and drop: the client sees its bytes go, and nothing come back
      return;
    }
    const server = createConnection(upstream);
    sockets.add(server);
    server.on('close', () => {
      sockets.delete(server);
      client.destroy();
    });
    server.on('error', () => client.destroy());
    client.on('close', () => server.destroy());
    client.pipe(server);
    server.pipe(client);
    frozen.push(() => {
      client.unpipe(server);
      server.unpipe(client);
      client.on('data', () => {});
      server.on('data', () => {});
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    port,
    address: `127.0.0.1:${port}`,
    setMode(next) {
      current = next;
      if (next === 'hang') for (const freeze of frozen.splice(0)) freeze();
    },
    accepted: () => count,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
