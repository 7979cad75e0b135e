import { WebSocketAuthError } from './errors/websocket-auth-error.js';
import { WebSocketUnavailableError } from './errors/websocket-unavailable-error.js';

/** Marks a one-time ticket in the subprotocol list: `['sw-auth-proxy.ticket', ticket]`. */
export const TICKET_PROTOCOL = 'sw-auth-proxy.ticket';

/** Marks an access token in the subprotocol list: `['sw-auth-proxy.bearer', token]`. */
export const BEARER_PROTOCOL = 'sw-auth-proxy.bearer';

/** The endpoint the default credential comes from (the demo server's). */
export const DEFAULT_TICKET_ENDPOINT = '/api/ws-ticket';

/**
 * How `connectWebSocket` gets a fresh credential before every connect.
 *
 * - `ticket` (the default): `POST` to a protected endpoint that answers `{ "ticket": "…" }`. The
 *   request goes through the auth proxy, which adds the bearer and refreshes if needed, so the page
 *   never holds a long-lived token; the ticket opens one socket and expires soon after.
 * - `access-token`: the access token itself, for apps whose worker sets `exposeAccessToken` and so
 *   already hand the token to the page. `getToken` must return a current one.
 * - `protocols`: anything else; return the subprotocol entries that carry the credential, and throw
 *   a `WebSocketAuthError` when there is no session.
 */
export type WebSocketCredentialSource =
  | { readonly type: 'ticket'; readonly endpoint?: string }
  | { readonly type: 'access-token'; readonly getToken: () => string | Promise<string> }
  | { readonly type: 'protocols'; readonly get: (signal: AbortSignal) => Promise<readonly string[]> };

/**
 * RFC 7230 `token` characters: the only ones a subprotocol may have (the WebSocket constructor
 * throws a SyntaxError on anything else).
 */
const PROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The subprotocol entries that carry a fresh credential. Throws `WebSocketAuthError` when the
 * server says there is no session, `WebSocketUnavailableError` for anything worth retrying.
 */
export async function obtainCredential(
  source: WebSocketCredentialSource,
  signal: AbortSignal,
  fetchImpl: typeof fetch,
): Promise<readonly string[]> {
  switch (source.type) {
    case 'ticket':
      return [TICKET_PROTOCOL, await fetchTicket(source.endpoint ?? DEFAULT_TICKET_ENDPOINT, signal, fetchImpl)];
    case 'access-token': {
      const token = await source.getToken();
      return [BEARER_PROTOCOL, checkToken(token, 'Failed to use the access token for the WebSocket')];
    }
    case 'protocols':
      return source.get(signal);
    default: {
      const unknown: never = source;
      throw new TypeError(`Unknown WebSocket credential source: ${JSON.stringify(unknown)}`);
    }
  }
}

async function fetchTicket(endpoint: string, signal: AbortSignal, fetchImpl: typeof fetch): Promise<string> {
  const response = await fetchImpl(endpoint, {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
    signal,
  });
  if (response.status === 401 || response.status === 403) {
    // The proxy has already refreshed and replayed once: a 401 that still arrives means the
    // session itself is over.
    throw new WebSocketAuthError(`Failed to get a WebSocket ticket: ${endpoint} answered ${response.status}`);
  }
  if (!response.ok) throw new WebSocketUnavailableError(`Failed to get a WebSocket ticket: ${endpoint} answered ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new WebSocketUnavailableError(`Failed to get a WebSocket ticket: ${endpoint} did not answer JSON`);
  }
  const ticket = typeof body === 'object' && body !== null ? (body as { ticket?: unknown }).ticket : undefined;
  return checkToken(ticket, 'Failed to get a WebSocket ticket');
}

function checkToken(value: unknown, action: string): string {
  if (typeof value !== 'string' || !PROTOCOL_TOKEN.test(value)) {
    // Never echo the value: it may be a credential.
    throw new WebSocketUnavailableError(`${action}: it is missing or not a valid subprotocol token`);
  }
  return value;
}
