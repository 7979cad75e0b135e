import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installAuthProxy, type AuthProxyHandle } from '../../sw/install-auth-proxy.js';
import {
  MESSAGE_SOURCE,
  type AuthStatus,
  type BroadcastMessage,
  type Reply,
  type RequestMap,
  type RequestType,
} from '../../sw/protocol.js';
import { STORE_TIMEOUT_MS, TokenStore } from '../../sw/token-store.js';
import { deferred } from './helpers/deferred.js';
import { eventually } from './helpers/eventually.js';
import { FakeNetwork, expiredToken, tokenResponse } from './helpers/fake-network.js';
import { API_ORIGIN, APP_ORIGIN, LOGIN_ENDPOINT, TOKEN_ENDPOINT, WORKER_URL, tokenSet, uniqueDatabaseName } from './helpers/fixtures.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const HOUR = 3_600_000;

const disposables: { dispose(): void }[] = [];

// Only the clock is fake: the worker's own timers, BroadcastChannel and fake-indexeddb run for real.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});
afterEach(() => {
  for (const item of disposables.splice(0)) item.dispose();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

type Listener = (event: unknown) => void;

/**
 * The parts of a ServiceWorkerGlobalScope that `installAuthProxy` touches, with the listeners it
 * adds kept so the test can dispatch fetch and message events to them.
 */
function workerScope() {
  const listeners = new Map<string, Set<Listener>>();
  return {
    scope: {
      location: new URL(WORKER_URL),
      clients: { claim: vi.fn(async () => undefined) },
      skipWaiting: vi.fn(async () => undefined),
      addEventListener: (type: string, listener: Listener) => {
        if (!listeners.has(type)) listeners.set(type, new Set());
        listeners.get(type)!.add(listener);
      },
      removeEventListener: (type: string, listener: Listener) => {
        listeners.get(type)?.delete(listener);
      },
    },
    listeners: (type: string) => [...(listeners.get(type) ?? [])],
  };
}

/**
 * A worker started with `installAuthProxy` on a fake scope, a fake network (login endpoint, token
 * endpoint, API accepting `api.validToken`) and a BroadcastChannel listening like a tab would.
 */
async function startWorker(databaseName = uniqueDatabaseName(), extra: Record<string, unknown> = {}) {
  const { scope, listeners } = workerScope();
  vi.stubGlobal('self', scope);
  const api = { validToken: 'at-1' };
  const auth: { respond: () => Response | Promise<Response> } = {
    respond: () => tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }),
  };
  const network = new FakeNetwork()
    .route(LOGIN_ENDPOINT, () => tokenResponse({ access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600 }))
    .route(TOKEN_ENDPOINT, () => auth.respond())
    .route(API_ORIGIN, (sent) =>
      sent.headers.get('authorization') === `Bearer ${api.validToken}` ? Response.json({ ok: true }) : expiredToken(),
    );
  vi.stubGlobal('fetch', network.fetch);

  const channelName = `test-${crypto.randomUUID()}`;
  const heard: BroadcastMessage[] = [];
  const tab = new BroadcastChannel(channelName);
  tab.onmessage = (event: MessageEvent<BroadcastMessage>) => heard.push(event.data);
  disposables.push({ dispose: () => tab.close() });

  const handle: AuthProxyHandle = installAuthProxy({
    protectedOrigins: [{ origin: API_ORIGIN, pathPrefixes: ['/api'] }],
    tokenEndpoints: [LOGIN_ENDPOINT],
    refreshEndpoint: TOKEN_ENDPOINT,
    channelName,
    databaseName,
    backoff: { maxAttempts: 1 },
    ...extra,
  });
  disposables.push(handle);

  /** Send a fetch event through the worker's listener; resolves with what it answered. */
  const fetchThrough = (request: Request): Promise<Response> => {
    let responded: Promise<Response> | undefined;
    const waits: Promise<unknown>[] = [];
    const event = {
      request,
      clientId: 'tab-1',
      resultingClientId: '',
      respondWith: (response: Promise<Response>) => (responded = response),
      waitUntil: (promise: Promise<unknown>) => waits.push(promise),
    };
    for (const listener of listeners('fetch')) listener(event);
    expect(responded, 'the worker did not answer').toBeDefined();
    return responded!;
  };

  /** Every promise the worker passed to a message event's `waitUntil`, the answers included. */
  const messageWaits: Promise<unknown>[] = [];
  /** Post a command the way the page's client does; resolves with the worker's reply. */
  const ask = async <K extends RequestType>(type: K, payload: RequestMap[K]['request']): Promise<Reply<K>> => {
    const replies: Reply<K>[] = [];
    const event = {
      data: { source: MESSAGE_SOURCE, type, payload },
      source: { type: 'window', url: `${APP_ORIGIN}/dashboard`, id: 'tab-1' },
      ports: [{ postMessage: (reply: Reply<K>) => replies.push(reply) }],
      waitUntil: (promise: Promise<unknown>) => messageWaits.push(promise),
    };
    const answered = messageWaits.length;
    for (const listener of listeners('message')) listener(event);
    await messageWaits[answered];
    expect(replies).toHaveLength(1);
    return replies[0]!;
  };
  const status = async (): Promise<AuthStatus> => {
    const reply = await ask('status', null);
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.payload;
  };
  const login = async () => {
    expect((await fetchThrough(new Request(LOGIN_ENDPOINT, { method: 'POST', body: 'user=ada' }))).status).toBe(200);
  };
  return {
    databaseName,
    scope,
    network,
    api,
    auth,
    heard,
    listeners,
    handle,
    fetchThrough,
    ask,
    messageWaits,
    status,
    login,
    refreshCalls: () => network.to(TOKEN_ENDPOINT),
  };
}

describe('installAuthProxy', () => {
  it('adds install, activate (clients.claim), fetch and message listeners, and dispose() removes every one (#12)', async () => {
    const worker = await startWorker();
    expect(worker.listeners('install')).toHaveLength(1);
    expect(worker.listeners('activate')).toHaveLength(1);
    expect(worker.listeners('fetch')).toHaveLength(1);
    expect(worker.listeners('message')).toHaveLength(1);
    const claimed = deferred();
    const claims = worker.scope.clients.claim.mock.calls.length;
    worker.listeners('activate')[0]!({ waitUntil: (promise: Promise<unknown>) => void promise.then(() => claimed.resolve()) });
    await claimed.promise;
    expect(worker.scope.clients.claim.mock.calls.length).toBe(claims + 1);
    worker.handle.dispose();
    for (const type of ['install', 'activate', 'fetch', 'message']) expect(worker.listeners(type), type).toHaveLength(0);
  });

  it('the handshake tells the page how long a logout may take: a refresh attempt, the server, the store steps (#7)', async () => {
    const worker = await startWorker(undefined, { refreshTimeoutMs: 5000 });
    const reply = await worker.ask('hello', { clientVersion: '0.0.0', protocol: 1 });
    expect(reply).toMatchObject({ ok: true, payload: { logoutTimeoutMs: 2 * 5000 + 8 * STORE_TIMEOUT_MS } });
  });

  it('a captured login moves the state to authenticated, says so on the channel, and shows in status', async () => {
    const worker = await startWorker();
    expect((await worker.status()).state).toBe('anonymous');
    await worker.login();

    const status = await worker.status();
    expect(status).toMatchObject({ state: 'authenticated', hasValidToken: true, generation: 1, expiresAt: NOW + HOUR, debug: false });
    // A login's window: from 30 % of the lifetime to 10 % before expiry.
    expect(status.refreshAt).toBeGreaterThanOrEqual(NOW + HOUR * 0.3);
    expect(status.refreshAt).toBeLessThanOrEqual(NOW + HOUR - 360_000);
    await eventually(() => worker.heard.some((m) => m.type === 'state-changed'), 'state-changed is broadcast');
    expect(worker.heard.filter((m) => m.type === 'state-changed').map((m) => m.payload)).toEqual([
      { state: 'authenticated', previous: 'anonymous' },
    ]);
  });

  it('counts refresh calls and failures in status, and reports the last failure', async () => {
    const worker = await startWorker();
    await worker.login();
    worker.api.validToken = 'at-2';
    worker.auth.respond = () => new Response('busy', { status: 503 });

    expect((await worker.fetchThrough(new Request(`${API_ORIGIN}/api/me`))).status).toBe(401);

    expect(await worker.status()).toMatchObject({
      state: 'backoff',
      counters: { requests: 1, refreshes: 1, refreshFailures: 1, replayed: 0 },
      lastError: { name: 'RefreshFailedError', message: 'Failed to refresh the access token: the server answered 503' },
    });
    expect((await worker.status()).refreshBlockedUntil).toBeGreaterThan(NOW);
  });
});

describe('installAuthProxy: a tab becomes visible', () => {
  it('outside the refresh window nothing happens', async () => {
    const worker = await startWorker();
    await worker.login();
    expect(await worker.ask('visible', null)).toEqual({ ok: true, type: 'visible', payload: { refreshing: false } });
    expect(worker.refreshCalls()).toHaveLength(0);
  });

  it('inside the refresh window it starts one background refresh (trigger visible); asking again joins it', async () => {
    const worker = await startWorker();
    await worker.login();
    const answer = deferred<Response>();
    worker.auth.respond = () => answer.promise;
    vi.setSystemTime(NOW + HOUR - 1000);

    const before = worker.messageWaits.length;
    expect(await worker.ask('visible', null)).toEqual({ ok: true, type: 'visible', payload: { refreshing: true } });
    // The answer and the refresh both extend the message event, so the browser keeps the worker alive.
    expect(worker.messageWaits).toHaveLength(before + 2);
    let refreshDone = false;
    void worker.messageWaits[before + 1]!.then(() => (refreshDone = true));
    expect(await worker.ask('visible', null)).toEqual({ ok: true, type: 'visible', payload: { refreshing: true } });
    expect(worker.messageWaits).toHaveLength(before + 3);
    await eventually(() => worker.refreshCalls().length === 1, 'the refresh is on the wire');
    expect(refreshDone).toBe(false);
    answer.resolve(tokenResponse({ access_token: 'at-2' }));
    await worker.messageWaits[before + 1];

    await eventually(() => worker.heard.some((m) => m.type === 'token-refreshed'), 'token-refreshed is broadcast');
    const refreshed = worker.heard.find((m) => m.type === 'token-refreshed');
    expect(refreshed?.payload).toMatchObject({ trigger: { kind: 'visible', clientId: 'tab-1', method: null, url: null }, waiters: 0 });
    expect(worker.refreshCalls()).toHaveLength(1);
    expect((await worker.status()).generation).toBe(2);
  });

  it('while refreshing is paused it does not refresh', async () => {
    const databaseName = uniqueDatabaseName();
    const store = new TokenStore(databaseName, 'indexeddb');
    await store.save(tokenSet({ issuedAt: NOW, expiresAt: NOW + HOUR }), false);
    await store.pauseRefresh(NOW + HOUR, 1, NOW);
    const worker = await startWorker(databaseName);
    vi.setSystemTime(NOW + HOUR - 1000); // inside the refresh window, still paused

    expect(await worker.ask('visible', null)).toMatchObject({ ok: true, payload: { refreshing: false } });
    expect(worker.refreshCalls()).toHaveLength(0);
    expect((await worker.status()).state).toBe('backoff');
  });

  it('logged out, it does nothing', async () => {
    const worker = await startWorker();
    expect(await worker.ask('visible', null)).toMatchObject({ ok: true, payload: { refreshing: false } });
    expect(worker.refreshCalls()).toHaveLength(0);
  });
});

describe('installAuthProxy: surviving a restart', () => {
  it('set-debug as the very first message of a freshly started worker is not undone by start-up', async () => {
    const worker = await startWorker();
    // No status() first: the stored flags may still be being read when set-debug arrives.
    expect(await worker.ask('set-debug', { enabled: true })).toEqual({ ok: true, type: 'set-debug', payload: { enabled: true } });
    expect((await worker.status()).debug).toBe(true);
  });

  it('set-debug is kept for the next start of the worker', async () => {
    const first = await startWorker();
    expect((await first.status()).debug).toBe(false); // the worker has read its stored flags
    expect(await first.ask('set-debug', { enabled: true })).toEqual({ ok: true, type: 'set-debug', payload: { enabled: true } });
    expect((await first.status()).debug).toBe(true);
    first.handle.dispose();

    const restarted = await startWorker(first.databaseName);
    expect((await restarted.status()).debug).toBe(true);
  });

  it('a worker started during a stored pause starts in backoff and makes no refresh call', async () => {
    const databaseName = uniqueDatabaseName();
    const store = new TokenStore(databaseName, 'indexeddb');
    await store.save(tokenSet({ expiresAt: NOW + HOUR }), false);
    await store.pauseRefresh(NOW + 30_000, 2, NOW);

    const worker = await startWorker(databaseName);
    worker.api.validToken = 'at-2';

    expect(await worker.status()).toMatchObject({ state: 'backoff', refreshBlockedUntil: NOW + 30_000, hasValidToken: true });
    expect((await worker.fetchThrough(new Request(`${API_ORIGIN}/api/me`))).status).toBe(401);
    expect(worker.refreshCalls()).toHaveLength(0);

    vi.setSystemTime(NOW + 30_000);
    expect((await worker.fetchThrough(new Request(`${API_ORIGIN}/api/me`))).status).toBe(200);
    expect(worker.refreshCalls()).toHaveLength(1);
  });
});
