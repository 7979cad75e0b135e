import type { BrowserContext, JSHandle, Page } from '@playwright/test';
import type { AuthWebSocket, AuthWebSocketEventType } from '../../client/websocket-entry.js';
import type { DemoServer } from './fixtures/demo-server.js';
import { expect, login, openApp, test } from './fixtures/test.js';

/** One event of the socket under test, as the page recorded it (errors as `{ name, message }`). */
interface Recorded {
  type: AuthWebSocketEventType;
  detail: Record<string, unknown>;
  at: number;
}

interface Harness {
  socket: AuthWebSocket;
  log: Recorded[];
}

/** What a test asks of `connectWebSocket` in the page; functions cannot cross, so switches stand in. */
interface ConnectSetup {
  /** @default '/api/ws' */
  path?: string;
  /** `?for=` on the ticket endpoint, so the server's log tells two sockets' tickets apart. */
  ticketTag?: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  heartbeatTimeoutMs?: number;
  /** Jitter at its maximum: two sockets then follow the same schedule. */
  maxJitter?: boolean;
  /** Offer this already spent ticket first, then fetch fresh ones. */
  spentTicket?: string;
  /** Use this access token as the credential (`exposeAccessToken` pages). */
  accessToken?: string;
}

/** The request log's markers for a credential found in a URL (see demo/server/redact-credentials.ts). */
const CREDENTIAL_MARKER = /\[(jwt|refresh_token|authorization_code|ws_ticket|redacted)\]/;

async function openRealtime(context: BrowserContext, app: DemoServer, path = '/realtime.html'): Promise<Page> {
  const page = await openApp(context, `${app.origin}${path}`);
  await login(page);
  return page;
}

/** `connectWebSocket` in the page, with every event recorded. */
function connect(page: Page, setup: ConnectSetup = {}): Promise<JSHandle<Harness>> {
  return page.evaluateHandle((setup) => {
    const log: Recorded[] = [];
    const ticketEndpoint = setup.ticketTag === undefined ? '/api/ws-ticket' : `/api/ws-ticket?for=${setup.ticketTag}`;
    let offeredSpent = false;
    const socket = window.connectWebSocket(setup.path ?? '/api/ws', {
      credential:
        setup.accessToken !== undefined
          ? { type: 'access-token', getToken: () => setup.accessToken! }
          : setup.spentTicket !== undefined
            ? {
                type: 'protocols',
                get: async (signal) => {
                  if (!offeredSpent) {
                    offeredSpent = true;
                    return ['sw-auth-proxy.ticket', setup.spentTicket!];
                  }
                  const response = await fetch(ticketEndpoint, { method: 'POST', signal });
                  return ['sw-auth-proxy.ticket', ((await response.json()) as { ticket: string }).ticket];
                },
              }
            : { type: 'ticket', endpoint: ticketEndpoint },
      initialDelayMs: setup.initialDelayMs ?? 1000,
      maxDelayMs: setup.maxDelayMs ?? 16_000,
      heartbeatTimeoutMs: setup.heartbeatTimeoutMs ?? 0,
      ...(setup.maxJitter ? { random: () => 1 } : {}),
    });
    const types = ['connecting', 'open', 'message', 'disconnected', 'reconnecting', 'closed'] as const;
    for (const type of types) {
      socket.addEventListener(type, (event) => {
        const detail: Record<string, unknown> = { ...event.detail };
        if (detail['error'] instanceof Error) detail['error'] = { name: detail['error'].name, message: detail['error'].message };
        log.push({ type, detail, at: performance.now() });
      });
    }
    return { socket, log };
  }, setup);
}

function details(harness: JSHandle<Harness>, type: AuthWebSocketEventType): Promise<Record<string, unknown>[]> {
  return harness.evaluate((h, type) => h.log.filter((event) => event.type === type).map((event) => event.detail), type);
}

async function waitForEvents(page: Page, harness: JSHandle<Harness>, type: AuthWebSocketEventType, count = 1): Promise<void> {
  await page.waitForFunction(({ harness, type, count }) => harness.log.filter((event) => event.type === type).length >= count, {
    harness,
    type,
    count,
  });
}

async function waitForMessage(page: Page, harness: JSHandle<Harness>, data: string): Promise<void> {
  await page.waitForFunction(
    ({ harness, data }) => harness.log.some((event) => event.type === 'message' && event.detail['data'] === data),
    { harness, data },
  );
}

/** Send `text` and wait for the server's echo: proof the socket is really up. */
async function roundTrip(page: Page, harness: JSHandle<Harness>, text: string): Promise<void> {
  expect(await harness.evaluate((h, text) => h.socket.send(text), text)).toBe(true);
  await waitForMessage(page, harness, text);
}

/** Upgrade requests to `/api/ws` in the server's log whose query is `query`. */
async function upgrades(app: DemoServer, query = ''): Promise<number> {
  return (await app.requests()).filter((entry) => entry.path === '/api/ws' && entry.query === query).length;
}

test('connects with a one-time ticket in the subprotocol list; nothing secret in any URL', async ({ context, app }) => {
  const page = await openRealtime(context, app);
  const socket = await connect(page);

  await waitForEvents(page, socket, 'open');
  expect(await details(socket, 'open')).toEqual([{ attempt: 0, protocol: 'sw-auth-proxy.ticket' }]);
  await roundTrip(page, socket, 'hello');
  expect(JSON.parse(String((await details(socket, 'message'))[0]!['data']))).toEqual({ type: 'welcome', sub: 'ada', connection: 1 });

  expect(await app.stats()).toMatchObject({ wsTicketsIssued: 1, wsConnections: 1, wsTicketRefusals: 0, wsOpen: 1 });
  const log = await app.requests();
  // The ticket request went through the proxy (bearer attached); the handshake carried no header.
  expect(log.filter((entry) => entry.path === '/api/ws-ticket').map((entry) => entry.authorization)).toEqual(['bearer']);
  expect(log.filter((entry) => entry.path === '/api/ws').map((entry) => [entry.query, entry.authorization])).toEqual([['', 'none']]);
  expect(log.filter((entry) => CREDENTIAL_MARKER.test(`${entry.path}?${entry.query}`))).toEqual([]);
});

test('session expiry closes the socket with 4401; it reconnects at once with a ticket bought through a refresh', async ({
  context,
  app,
}) => {
  const page = await openRealtime(context, app);
  const socket = await connect(page);
  await waitForEvents(page, socket, 'open');

  await app.expireAccessTokens();

  await waitForEvents(page, socket, 'open', 2);
  expect(await details(socket, 'disconnected')).toEqual([{ code: 4401, reason: 'session ended', wasClean: true }]);
  expect(await details(socket, 'reconnecting')).toEqual([{ attempt: 0, delayMs: 0, cause: 'unauthorized' }]);
  await roundTrip(page, socket, 'after expiry');
  expect(await app.stats()).toMatchObject({ refreshCalls: 1, wsTicketsIssued: 2, wsConnections: 2, wsAuthCloses: 1, wsOpen: 1 });
});

test('a revoked session closes the socket for good, with reason unauthorized', async ({ context, app }) => {
  const page = await openRealtime(context, app);
  const socket = await connect(page);
  await waitForEvents(page, socket, 'open');

  await app.revokeAll();

  await waitForEvents(page, socket, 'closed');
  const [closed] = await details(socket, 'closed');
  expect(closed).toEqual({
    reason: 'unauthorized',
    error: { name: 'WebSocketAuthError', message: expect.stringMatching(/^Failed to get a WebSocket ticket: .* answered 401$/) },
  });
  expect(await socket.evaluate((h) => h.socket.state)).toBe('closed');
  // One immediate retry (its ticket request failed after the proxy's one refresh attempt), then nothing.
  expect(await details(socket, 'reconnecting')).toEqual([{ attempt: 0, delayMs: 0, cause: 'unauthorized' }]);
  expect(await app.stats()).toMatchObject({ refreshCalls: 1, wsTicketsIssued: 1, wsConnections: 1, wsOpen: 0 });
});

test('a reused ticket is refused by the server and the helper recovers with a new one', async ({ context, app }) => {
  const page = await openRealtime(context, app);
  // Spend a ticket with a plain WebSocket first.
  const spent = await page.evaluate(async () => {
    const { ticket } = (await (await fetch('/api/ws-ticket', { method: 'POST' })).json()) as { ticket: string };
    await new Promise<void>((resolve, reject) => {
      const plain = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/ws`, ['sw-auth-proxy.ticket', ticket]);
      plain.onmessage = () => {
        plain.close();
        resolve();
      };
      plain.onclose = (event) => reject(new Error(`closed with ${event.code}`));
    });
    return ticket;
  });
  expect((await app.stats()).wsConnections).toBe(1);

  const socket = await connect(page, { spentTicket: spent });

  await waitForEvents(page, socket, 'open', 2);
  expect(await details(socket, 'disconnected')).toEqual([{ code: 4401, reason: 'credential refused: ticket used', wasClean: true }]);
  expect(await details(socket, 'reconnecting')).toEqual([{ attempt: 0, delayMs: 0, cause: 'unauthorized' }]);
  await roundTrip(page, socket, 'recovered');
  expect(await app.stats()).toMatchObject({ wsTicketRefusals: 1, wsTicketsIssued: 2, wsConnections: 2, wsOpen: 1 });
});

test('the WebSocket side restarting: the helper reconnects within its backoff bound', async ({ context, app }) => {
  const page = await openRealtime(context, app);
  const socket = await connect(page);
  await waitForEvents(page, socket, 'open');

  await app.webSocketsDown();
  // Let it fail at least twice against the refusing server (503 on the upgrade).
  await expect.poll(async () => (await app.stats()).wsUpgradesRejected, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  const atUp = await app.webSocketsUp();
  const upAt = await page.evaluate(() => performance.now());

  await waitForEvents(page, socket, 'open', 2);
  const after = await app.stats();
  // The first attempt after the restart succeeded: none was refused after `up`.
  expect(after.wsUpgradesRejected).toBe(atUp.wsUpgradesRejected);
  expect(after).toMatchObject({ wsConnections: 2, wsOpen: 1 });
  const reconnects = await details(socket, 'reconnecting');
  expect(reconnects.length).toBeGreaterThanOrEqual(atUp.wsUpgradesRejected);
  reconnects.forEach((reconnect, index) => {
    // Full jitter: anywhere in [0, min(16 s, 1 s · 2^(attempt - 1))].
    expect(reconnect).toEqual({ attempt: index + 1, delayMs: expect.any(Number), cause: 'network' });
    expect(reconnect['delayMs']).toBeLessThanOrEqual(Math.min(16_000, 1000 * 2 ** index));
  });
  // The attempt pending at `up` was due within the last delay drawn.
  const openAt = (await socket.evaluate((h) => h.log.filter((event) => event.type === 'open').map((event) => event.at)))[1]!;
  expect(openAt - upAt).toBeLessThanOrEqual(Number(reconnects.at(-1)!['delayMs']) + 5000);
  await roundTrip(page, socket, 'after restart');
});

test('close() while reconnecting stops every further attempt', async ({ context, app }) => {
  const page = await openRealtime(context, app);
  // Two sockets on the same schedule (maximal jitter); `control` keeps going and times the test.
  const fast = { initialDelayMs: 100, maxDelayMs: 400, maxJitter: true };
  const closing = await connect(page, { path: '/api/ws?client=closing', ticketTag: 'closing', ...fast });
  const control = await connect(page, { path: '/api/ws?client=control', ticketTag: 'control', ...fast });
  await waitForEvents(page, closing, 'open');
  await waitForEvents(page, control, 'open');

  await app.webSocketsDown();
  await expect.poll(() => upgrades(app, 'client=closing')).toBeGreaterThanOrEqual(3);
  // Close while only a timer is pending: every attempt so far has reached the server.
  await page.waitForFunction((h) => {
    if (h.socket.state !== 'reconnecting') return false;
    h.socket.close();
    return true;
  }, closing);
  const closedWith = await upgrades(app, 'client=closing');
  const ticketsAtClose = (await app.requests()).filter((entry) => entry.query === 'for=closing').length;

  // Long enough for the closed socket to have tried several times, measured by the control's tries.
  const controlAtClose = await upgrades(app, 'client=control');
  await expect.poll(() => upgrades(app, 'client=control')).toBeGreaterThanOrEqual(controlAtClose + 4);
  await app.webSocketsUp();
  await waitForEvents(page, control, 'open', 2);

  expect(await upgrades(app, 'client=closing')).toBe(closedWith);
  expect((await app.requests()).filter((entry) => entry.query === 'for=closing').length).toBe(ticketsAtClose);
  expect(await closing.evaluate((h) => [h.socket.state, h.log.at(-1)!.type])).toEqual(['closed', 'closed']);
  expect(await details(closing, 'closed')).toEqual([{ reason: 'client', error: null }]);
  expect((await app.stats()).wsOpen).toBe(1);
});

test('close() on an open socket ends it on the server and nothing reconnects', async ({ context, app }) => {
  const page = await openRealtime(context, app);
  const closing = await connect(page, { path: '/api/ws?client=closing', initialDelayMs: 50, maxDelayMs: 50 });
  // The control socket's heartbeats measure time passing on the server's side.
  const control = await connect(page, { path: '/api/ws?client=control&heartbeat=100' });
  await waitForEvents(page, closing, 'open');
  await waitForEvents(page, control, 'open');
  await expect.poll(async () => (await app.stats()).wsOpen).toBe(2);

  await closing.evaluate((h) => h.socket.close());

  await expect.poll(async () => (await app.stats()).wsOpen).toBe(1);
  const heartbeats = (): Promise<number> =>
    control.evaluate((h) => h.log.filter((event) => event.type === 'message' && String(event.detail['data']).includes('heartbeat')).length);
  const heartbeatsAtClose = await heartbeats();
  // Ten heartbeats (about 1 s) is twenty times the closed socket's reconnect delay.
  await expect.poll(heartbeats).toBeGreaterThanOrEqual(heartbeatsAtClose + 10);

  expect(await upgrades(app, 'client=closing')).toBe(1);
  expect(await closing.evaluate((h) => h.log.map((event) => event.type))).toEqual(['connecting', 'open', 'message', 'closed']);
  expect(await app.stats()).toMatchObject({ wsConnections: 2, wsOpen: 1 });
});

test('a connection that goes silent is replaced once the heartbeat watchdog fires', async ({ context, app }) => {
  const page = await openRealtime(context, app);
  const socket = await connect(page, { path: '/api/ws?heartbeat=200', heartbeatTimeoutMs: 2000 });
  await waitForEvents(page, socket, 'open');
  await waitForEvents(page, socket, 'message', 3);

  expect(await app.stallWebSockets()).toBe(1);

  await waitForEvents(page, socket, 'open', 2);
  expect(await details(socket, 'disconnected')).toEqual([{ code: 4408, reason: 'heartbeat timeout', wasClean: false }]);
  expect(await details(socket, 'reconnecting')).toEqual([{ attempt: 1, delayMs: expect.any(Number), cause: 'heartbeat' }]);
  await roundTrip(page, socket, 'alive again');
  // The abandoned socket was closed by the helper, not left open on the server.
  await expect.poll(async () => (await app.stats()).wsOpen).toBe(1);
  expect((await app.stats()).wsConnections).toBe(2);
});

test('with exposeAccessToken the access token itself can be the credential, still outside the URL', async ({ context, app }) => {
  const page = await openApp(context, `${app.origin}/variants/exposed/realtime.html`);
  const { access_token } = await login(page);
  expect(access_token).toEqual(expect.any(String));
  const socket = await connect(page, { accessToken: String(access_token) });

  await waitForEvents(page, socket, 'open');
  expect(await details(socket, 'open')).toEqual([{ attempt: 0, protocol: 'sw-auth-proxy.bearer' }]);
  await roundTrip(page, socket, 'bearer');
  expect(await app.stats()).toMatchObject({ wsTicketsIssued: 0, wsConnections: 1 });
  const log = await app.requests();
  expect(log.filter((entry) => CREDENTIAL_MARKER.test(`${entry.path}?${entry.query}`))).toEqual([]);
});
