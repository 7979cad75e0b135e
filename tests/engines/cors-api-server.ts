import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the server answers CORS, chosen by the first path segment (`/<mode>/api/me` is the
 * upstream's `/api/me`):
 * - `ok`: what the README's checklist says a protected API and a token endpoint need;
 * - `no-headers`: the same, but `Access-Control-Allow-Headers` lists only `Content-Type` (no
 *   `Authorization`, no `Idempotency-Key`, no `DPoP`): the usual first misconfiguration;
 * - `other-origin`: `Access-Control-Allow-Origin` names another origin than the page's.
 */
export type CorsMode = 'ok' | 'no-headers' | 'other-origin';

/** One request as the server saw it (never a header's value). */
export interface CorsApiEntry {
  method: string;
  mode: string;
  /** The upstream path, without the mode. */
  path: string;
  /** Whether it carried `Authorization` (a preflight never does: it names it in `Access-Control-Request-Headers`). */
  authorization: boolean;
  /** `Access-Control-Request-Headers` of a preflight, lower case. */
  requestHeaders: string | null;
  bodyBytes: number;
}

export interface CorsApiServer {
  /** `http://localhost:<port>`: another origin than the app's. */
  origin: string;
  /** Where requests are forwarded to (the app server, whose API and token endpoint it fronts). */
  forwardTo(upstream: string): void;
  requests(): CorsApiEntry[];
  reset(): void;
  stop(): Promise<void>;
}

const MODES: readonly string[] = ['ok', 'no-headers', 'other-origin'] satisfies CorsMode[];
const FULL_HEADERS = 'Authorization, Content-Type, DPoP, Idempotency-Key, Last-Event-ID';

function corsHeaders(mode: string, origin: string | undefined): Record<string, string> {
  return {
    'access-control-allow-origin': mode === 'other-origin' ? 'http://localhost:1' : (origin ?? '*'),
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'WWW-Authenticate, DPoP-Nonce, Retry-After, Date',
    vary: 'Origin',
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real cross-origin API on loopback, in this process: a reverse proxy in front of the demo app
 * server (its `/api/*` and `/auth/token`), answering CORS itself by the mode in the path, so a
 * scenario can meet a misconfigured API and a correct one on the same origin.
 */
export async function startCorsApiServer(): Promise<CorsApiServer> {
  let upstream: string | null = null;
  let log: CorsApiEntry[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [, mode = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const body = await readBody(request);
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    log.push({
      method: request.method ?? 'GET',
      mode,
      path,
      authorization: request.headers.authorization !== undefined,
      requestHeaders: preflight ? String(request.headers['access-control-request-headers'] ?? '') : null,
      bodyBytes: body.byteLength,
    });
    if (!MODES.includes(mode) || upstream === null) {
      response.writeHead(404).end();
      return;
    }
    const cors = corsHeaders(mode, request.headers.origin);
    if (preflight) {
      response
        .writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
          'access-control-allow-headers': mode === 'no-headers' ? 'Content-Type' : FULL_HEADERS,
          'access-control-max-age': '0',
        })
        .end();
      return;
    }
    const forwarded = new Headers();
    for (const name of ['authorization', 'content-type', 'accept', 'cookie', 'dpop', 'idempotency-key', 'last-event-id']) {
      const value = request.headers[name];
      if (typeof value === 'string') forwarded.set(name, value);
    }
    const method = request.method ?? 'GET';
    const answer = await fetch(`${upstream}${path}${url.search}`, {
      method,
      headers: forwarded,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
    });
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!/^(?:access-control-|content-length$|content-encoding$|transfer-encoding$|connection$|keep-alive$|vary$)/.test(name))
        headers[name] = value;
    });
    const bytes = Buffer.from(await answer.arrayBuffer());
    response.writeHead(answer.status, { ...headers, ...cors, 'content-length': String(bytes.byteLength) });
    response.end(method === 'HEAD' ? undefined : bytes);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    forwardTo: (origin) => {
      upstream = origin;
    },
    requests: () => [...log],
    reset: () => {
      log = [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
