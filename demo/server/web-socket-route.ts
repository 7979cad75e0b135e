import { upgradeWebSocket } from '@hono/node-server';
import type { Handler } from 'hono';
import type { WebSocket } from 'ws';
import type { DemoState } from './demo-state.js';
import { readIntegerQuery } from './read-integer-query.js';
import { AUTH_CLOSE_CODE } from './web-socket-hub.js';
import type { WsTicketBinding } from './ws-ticket-store.js';

/** Marks a one-time ticket in `Sec-WebSocket-Protocol`: `['sw-auth-proxy.ticket', ticket]`. */
export const WS_TICKET_PROTOCOL = 'sw-auth-proxy.ticket';

/** Marks an access token in `Sec-WebSocket-Protocol` (pages with `exposeAccessToken`). */
export const WS_BEARER_PROTOCOL = 'sw-auth-proxy.bearer';

type Verdict = { readonly kind: 'accepted'; readonly binding: WsTicketBinding } | { readonly kind: 'refused'; readonly reason: string };

/**
 * The subprotocol the server answers with: the credential's marker. A browser that offered
 * protocols fails the handshake unless the answer names one of them, and the credential value
 * itself must never be echoed back.
 */
export function selectWebSocketProtocol(offered: ReadonlySet<string>): string | false {
  if (offered.has(WS_TICKET_PROTOCOL)) return WS_TICKET_PROTOCOL;
  if (offered.has(WS_BEARER_PROTOCOL)) return WS_BEARER_PROTOCOL;
  return false;
}

/**
 * `GET /api/ws` with `Upgrade: websocket`: the demo's WebSocket endpoint (the `ws` server is wired
 * into the Node server by `startDemoServer`). The credential comes in the subprotocol list, never
 * in the URL: a ticket from `POST /api/ws-ticket` or, for pages with `exposeAccessToken`, the access
 * token. `?heartbeat=<ms>` asks for a `{"type":"heartbeat"}` message that often.
 *
 * A refused credential still completes the handshake and is then closed with 4401: a browser
 * reports a failed handshake only as close code 1006, which a client cannot tell from a network
 * failure, so it would back off instead of fetching a new ticket.
 */
export function webSocketRoute(state: DemoState): Handler {
  const upgrade = upgradeWebSocket(async (c) => {
    const verdict = await authenticate(state, c.req.header('Sec-WebSocket-Protocol'));
    const heartbeatMs = readIntegerQuery(c.req.query('heartbeat'), 0, 0, 60_000);
    return {
      onOpen: (_event, context) => {
        const socket = context.raw as WebSocket;
        if (verdict.kind === 'refused') {
          state.counters.wsTicketRefusals += 1;
          socket.close(AUTH_CLOSE_CODE, `credential refused: ${verdict.reason}`);
          return;
        }
        state.sockets.adopt(socket, verdict.binding, heartbeatMs > 0 ? Math.max(heartbeatMs, 100) : 0);
      },
    };
  });
  return async (c, next) => {
    // A plain GET falls through to the API routes (and their 401).
    if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') return next();
    if (!state.sockets.accepting) {
      state.counters.wsUpgradesRejected += 1;
      return c.text('The WebSocket server is restarting.\n', 503);
    }
    // The upgrade middleware's context type is narrower than the route's; the request is the same.
    return upgrade(c as Parameters<typeof upgrade>[0], next);
  };
}

async function authenticate(state: DemoState, header: string | undefined): Promise<Verdict> {
  const offered = (header ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  const ticketAt = offered.indexOf(WS_TICKET_PROTOCOL);
  if (ticketAt !== -1) {
    const outcome = state.wsTickets.redeem(offered[ticketAt + 1] ?? '');
    return outcome.kind === 'redeemed'
      ? { kind: 'accepted', binding: outcome.binding }
      : { kind: 'refused', reason: `ticket ${outcome.reason}` };
  }
  const bearerAt = offered.indexOf(WS_BEARER_PROTOCOL);
  if (bearerAt !== -1) {
    const claims = await state.accessTokens.verify(offered[bearerAt + 1] ?? '');
    if (!claims || state.sessions.isRevoked(claims.sid)) return { kind: 'refused', reason: 'access token invalid' };
    return { kind: 'accepted', binding: claims };
  }
  return { kind: 'refused', reason: 'no credential' };
}
