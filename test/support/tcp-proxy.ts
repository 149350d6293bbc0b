import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the PostgreSQL server, to cut the database away as a failover or a restart does: `cut()`
 * drops every connection and refuses new ones until `restore()`.
 */
export async function tcpProxy(target = { host: '127.0.0.1', port: 5432 }) {
  const sockets = new Set<Socket>();
  let down = false;
  let frozen = false;
  const server = createServer((client) => {
    if (down) return void client.destroy();
    if (frozen) return void sockets.add(client); // accepted, never answered
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    /** A connection string like `url`, through the proxy. */
    through(url: string): string {
      const u = new URL(url);
      u.host = `127.0.0.1:${port}`;
      return u.href;
    },
    cut(): void {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore(): void {
      down = false;
    },
    /**
     * A network partition: every connection stays open and nothing more passes either way, nor is anything closed;
     * new connections are accepted and never answered (a packet-dropping firewall, a host gone without a reset).
     */
    freeze(): void {
      frozen = true;
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
