import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { createDemoApp } from './create-demo-app.js';
import type { DemoAppOptions } from './demo-app-options.js';
import { selectWebSocketProtocol } from './web-socket-route.js';

/** Options of {@link startDemoServer}: the app's options plus the port. */
export interface DemoServerOptions extends DemoAppOptions {
  /**
   * Port on 127.0.0.1; `0` picks a free one (read it back from {@link DemoServer.port}).
   * @default 5173
   */
  port?: number;
}

/** A running demo server. */
export interface DemoServer {
  /** `http://localhost:<port>/`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, ends open ones (keep-alive, event streams, WebSockets) and resolves when closed. */
  close(): Promise<void>;
}

/** The port the demo uses unless told otherwise. */
export const DEFAULT_PORT = 5173;

/** Only this machine can reach the demo: it hands out tokens to anyone who asks. */
const LISTEN_HOST = '127.0.0.1';

/**
 * Starts the demo auth + API server on 127.0.0.1.
 *
 * @example
 * ```ts
 * const server = await startDemoServer({ port: 0, accessTokenTtl: 5 });
 * await fetch(new URL('/api/me', server.url));
 * await server.close();
 * ```
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const { port: requestedPort = DEFAULT_PORT, ...appOptions } = options;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new RangeError(`Failed to start the demo server: port must be 0 to 65535, got ${String(requestedPort)}`);
  }
  const app = createDemoApp(appOptions);
  // The `ws` server does the WebSocket protocol; @hono/node-server 2 hands it the upgrades that a
  // route answered with `upgradeWebSocket` (see web-socket-route.ts), so routing, logging and the
  // request log stay in the Hono app.
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => selectWebSocketProtocol(offered),
    maxPayload: 64 * 1024,
  });
  // createAdaptorServer without TLS/HTTP2 options is a plain node:http server.
  // The cast only bridges `noServer?: boolean | undefined` (@types/ws) and `noServer?: boolean`
  // (node-server's structural type) under exactOptionalPropertyTypes.
  const websocket = { server: sockets } as unknown as NonNullable<Parameters<typeof createAdaptorServer>[0]['websocket']>;
  const server = createAdaptorServer({ fetch: app.fetch, websocket }) as Server;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(requestedPort, LISTEN_HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  return {
    // `localhost`, not 127.0.0.1: it is a secure context, so browsers allow service workers there.
    url: `http://localhost:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        // Upgraded sockets are no longer HTTP connections: closeAllConnections does not see them.
        for (const socket of sockets.clients) socket.terminate();
      }),
  };
}
