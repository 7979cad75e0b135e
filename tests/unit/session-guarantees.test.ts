import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IndexedDbStorage } from '../../sw/indexeddb-storage.js';
import { STORE_TIMEOUT_MS, TokenStore } from '../../sw/token-store.js';
import { deferred } from './helpers/deferred.js';
import { eventually, settle } from './helpers/eventually.js';
import { expiredToken, tokenResponse } from './helpers/fake-network.js';
import { LOGIN_ENDPOINT, tokenSet, uniqueDatabaseName } from './helpers/fixtures.js';
import { MemoryStorage } from './helpers/memory-storage.js';
import { apiRequest, authorizationOf, proxyHarness } from './helpers/proxy-harness.js';

/**
 * One regression test per defect of issue 10 (numbered as there): each guarantee of the README
 * that a review broke, held by the session that now owns it.
 */

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const REVOKE = 'https://auth.example.com/oauth/revoke';

const loginRequest = () => new Request(LOGIN_ENDPOINT, { method: 'POST', body: 'user=grace' });
const refreshTokensSent = (sent: { text: string }[]) => sent.map((s) => new URLSearchParams(s.text).get('refresh_token'));

describe('#1 a store that cannot open never hangs a request', () => {
  it('an upgrade blocked by an old connection: the request is answered after the store bound, with a store error', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const storage = new MemoryStorage();
    storage.readFault = { kind: 'hang' };
    storage.writeFault = { kind: 'hang' };
    const { send, announcements, apiRequests } = await proxyHarness({}, { storage, login: false, awaitReady: false });

    const response = send(apiRequest('/api/me'));
    await vi.advanceTimersByTimeAsync(STORE_TIMEOUT_MS);

    // Nothing is known, so the request goes out as the page sent it and gets the server's answer.
    expect((await response).status).toBe(401);
    expect(apiRequests().map(authorizationOf)).toEqual([null]);
    expect(announcements.of('error').map((error) => error.name)).toEqual(['SessionStoreError']);
  });

  it('IndexedDB: a live store lets the app delete the database (it closes on versionchange), then works again', async () => {
    const name = uniqueDatabaseName();
    const store = new TokenStore(name, 'indexeddb', { storage: new IndexedDbStorage(name) });
    await store.save(tokenSet(), false);

    const deleted = await new Promise<string>((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve('deleted');
      request.onblocked = () => resolve('blocked');
    });

    expect(deleted).toBe('deleted');
    expect(await store.read()).toMatchObject({ generation: 0, tokens: null });
  });

  it('IndexedDB: a store opened while an older-version connection holds on answers within its bound, from memory', async () => {
    const name = uniqueDatabaseName();
    const old = await new Promise<IDBDatabase>((resolve) => {
      // A v1 worker's database, kept open by a connection that never lets go (no onversionchange).
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('state');
      request.onsuccess = () => resolve(request.result);
    });
    const faults: string[] = [];
    const store = new TokenStore(name, 'indexeddb', { timeoutMs: 50, onFault: (error) => faults.push(error.message) });

    expect(await store.read()).toMatchObject({ generation: 0, tokens: null });
    expect(faults).toEqual(['Failed to read the session: no answer within 50 ms; the session goes on from memory']);
    old.close(); // the old connection lets go: the upgrade goes through and the store works again
    await store.save(tokenSet({ accessToken: 'at-1' }), false);
    expect((await new TokenStore(name, 'indexeddb').read()).tokens?.accessToken).toBe('at-1');
  });
});

describe('#2 a refresh whose result cannot be stored', () => {
  it('still reaches the waiting request, leaves refreshing, and the rotated refresh token is the one sent next', async () => {
    const storage = new MemoryStorage();
    const { send, api, auth, refreshCalls, machine, announcements } = await proxyHarness({}, { storage });
    api.validToken = 'at-2';
    // The disk fills up while the server answers: the rotated tokens cannot be written.
    auth.respond = () => {
      storage.writeFault = { kind: 'throw', name: 'QuotaExceededError' };
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    };

    expect((await send(apiRequest('/api/me', { method: 'POST', body: '{}' }))).status).toBe(200);
    expect(machine.state()).toBe('authenticated');

    // The next refresh waits for a store that can keep what it rotates, then spends rt-2.
    storage.writeFault = null;
    api.validToken = 'at-3';
    auth.respond = () => tokenResponse({ access_token: 'at-3', refresh_token: 'rt-3' });
    expect((await send(apiRequest('/api/me'))).status).toBe(200);

    expect(refreshTokensSent(refreshCalls())).toEqual(['rt-1', 'rt-2']);
    expect(announcements.of('error').map((error) => error.name)).toEqual(['SessionStoreError']);
  });

  it('once the disk works again, the remembered session is written (a restarted worker finds rt-2)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const storage = new MemoryStorage();
    const { send, api, auth } = await proxyHarness({}, { storage });
    auth.respond = () => {
      storage.writeFault = { kind: 'throw', name: 'QuotaExceededError' };
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    };
    api.validToken = 'at-2';
    expect((await send(apiRequest('/api/me'))).status).toBe(200);
    expect(storage.record?.tokens?.refreshToken).toBe('rt-1');

    storage.writeFault = null;
    vi.advanceTimersByTime(STORE_TIMEOUT_MS); // tried again no more often than the store's bound
    expect((await send(apiRequest('/api/me'))).status).toBe(200);

    await eventually(() => storage.record?.tokens?.accessToken === 'at-2', 'the session was written');
    expect(storage.record?.tokens?.refreshToken).toBe('rt-2');
  });
});

describe('found by the model-based test', () => {
  it('a store that cannot be written does not spend the refresh token (a restart would send it again)', async () => {
    const storage = new MemoryStorage();
    const { send, api, refreshCalls, announcements } = await proxyHarness({}, { storage });
    storage.writeFault = { kind: 'throw', name: 'QuotaExceededError' };
    api.validToken = 'at-2';

    expect((await send(apiRequest('/api/me'))).status).toBe(401);

    expect(refreshCalls()).toHaveLength(0);
    expect(announcements.of('refresh-failed').map((failed) => [failed.reason, failed.final])).toEqual([['store-unavailable', true]]);
    expect(storage.record?.tokens?.refreshToken).toBe('rt-1');
  });

  it('memory mode: after the database is deleted, a new session at the same generation does not get the old refresh token', async () => {
    const storage = new MemoryStorage();
    const store = new TokenStore('deleted', 'memory', { storage });
    const other = new TokenStore('deleted', 'memory', { storage });
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
    storage.delete();
    const theirs = await other.save(tokenSet({ accessToken: 'at-other', refreshToken: 'rt-other' }), false);

    const now = await store.read();
    expect(now.generation).toBe(theirs.generation);
    expect(store.refreshTokenOf(now)).toBeNull();
  });
});

describe('#3 a request is replayed only within the session it was sent in', () => {
  it('a POST answered 401, then a new login: the page gets its 401, nothing is replayed, no refresh', async () => {
    const { send, api, apiRequests, refreshCalls } = await proxyHarness();
    api.respond = async () => {
      expect((await send(loginRequest())).status).toBe(200); // another tab logs in as someone else
      return expiredToken();
    };

    expect((await send(apiRequest('/api/orders', { method: 'POST', body: '{"item":1}' }))).status).toBe(401);

    expect(apiRequests()).toHaveLength(1);
    expect(refreshCalls()).toHaveLength(0);
  });

  it('a new login lands while the refresh is under way: the refresh result is not used for the old request', async () => {
    const { send, api, auth, apiRequests } = await proxyHarness();
    api.validToken = 'at-login';
    auth.respond = async () => {
      expect((await send(loginRequest())).status).toBe(200);
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    };
    api.respond = (sent) => (authorizationOf(sent) === 'Bearer at-login' ? Response.json({}) : expiredToken());

    expect((await send(apiRequest('/api/orders', { method: 'POST', body: '{"item":1}' }))).status).toBe(401);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-1']);
  });
});

describe('#4 the token never follows a redirect', () => {
  it('a protected URL answering 302 to an unprotected path: refused, nothing sent there, an error event', async () => {
    const { send, api, network, errors } = await proxyHarness();
    api.respond = (sent) =>
      new URL(sent.url).pathname === '/api/to-public'
        ? new Response(null, { status: 302, headers: { Location: '/public/echo' } })
        : Response.json({ got: authorizationOf(sent) });

    const response = await send(apiRequest('/api/to-public'));

    expect(response.type).toBe('error');
    expect(network.sent.map((s) => [new URL(s.url).pathname, s.request.redirect])).toEqual([['/api/to-public', 'manual']]);
    expect(errors.map((error) => error.name)).toEqual(['RedirectRefusedError']);
    expect(errors[0]!.message).not.toMatch(/at-1/);
  });

  it('a page that asked for redirect: manual gets the redirect itself', async () => {
    const { send, api } = await proxyHarness();
    api.respond = () => new Response(null, { status: 302, headers: { Location: '/public/echo' } });
    expect((await send(apiRequest('/api/to-public', { redirect: 'manual' }))).status).toBe(302);
  });
});

describe('#5 memory mode: a refresh that loses to a concurrent write', () => {
  it('does not leave its refresh token attached to the session that won', async () => {
    const storage = new MemoryStorage();
    const store = new TokenStore('memory-race', 'memory', { storage });
    const first = await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
    // Another context logs in between this refresh's read and its write.
    const other = new TokenStore('memory-race', 'memory', { storage });
    const replace = storage.replace.bind(storage);
    let raced = false;
    storage.replace = async (expected, next) => {
      if (!raced) {
        raced = true;
        await other.save(tokenSet({ accessToken: 'at-other', refreshToken: 'rt-other' }), false);
      }
      return replace(expected, next);
    };

    expect(await store.saveRefresh(tokenSet({ accessToken: 'at-2', refreshToken: 'rt-2' }), first.generation, true)).toBeNull();

    const now = await store.read();
    expect(now.tokens?.accessToken).toBe('at-other');
    expect(store.refreshTokenOf(now)).toBeNull();
  });
});

describe('#6 the pause and other fields are never lost', () => {
  it('two worker versions refreshing at once in a failing window make one server call: the pause is written under the lock', async () => {
    const first = await proxyHarness({ backoff: { maxAttempts: 1 } });
    const { network, auth, api } = first;
    api.validToken = 'at-2'; // both workers' requests get a 401
    auth.respond = () => new Response('down', { status: 500 });
    const second = await first.otherWorker();

    await Promise.all([first.send(apiRequest('/api/a')), second.send(apiRequest('/api/b'))]);

    expect(network.to('https://auth.example.com/oauth/token')).toHaveLength(1);
    expect(second.owner.machine.state()).toBe('backoff');
  });

  it('a write that keeps the generation (a pause) and one that sets the refresh key both survive', async () => {
    const storage = new MemoryStorage();
    const store = new TokenStore('lost-update', 'indexeddb', { storage });
    const other = new TokenStore('lost-update', 'indexeddb', { storage });
    const { generation } = await store.save(tokenSet(), false);
    const replace = storage.replace.bind(storage);
    let raced = false;
    storage.replace = async (expected, next) => {
      if (!raced) {
        raced = true;
        await other.pauseRefresh(123_456, 2, 1);
      }
      return replace(expected, next);
    };

    const key = await store.refreshKey(generation);

    expect(storage.record).toMatchObject({ pendingRefreshKey: key, refreshBlockedUntil: 123_456, failedCycles: 2 });
  });
});

describe('#7 logout and a refresh in flight', () => {
  it('logout waits for the refresh attempt and revokes the refresh token that is live after it', async () => {
    const { owner, auth, network, store, send, refreshCalls } = await proxyHarness(
      { revocationEndpoint: REVOKE },
      { tokens: { expiresAt: Date.now() - 1 } },
    );
    network.route(REVOKE, () => new Response(null, { status: 200 }));
    const answer = deferred();
    auth.respond = async () => {
      await answer.promise;
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    };
    // The token has expired: this request refreshes before it is sent.
    const request = send(apiRequest('/api/me'));
    await eventually(() => refreshCalls().length === 1, 'the refresh was sent');
    const loggedOut = owner.logout(true);
    await settle();
    answer.resolve();
    await Promise.all([request, loggedOut]);

    expect(new URLSearchParams(network.to(REVOKE)[0]!.text).get('token')).toBe('rt-2');
    expect((await store.read()).tokens).toBeNull();
  });
});

describe('#8 IndexedDB unavailable (Lockdown Mode) or failing', () => {
  it('logged out: protected requests go out untouched, never a network error', async () => {
    const storage = new MemoryStorage();
    storage.readFault = { kind: 'throw', name: 'InvalidStateError' };
    storage.writeFault = { kind: 'throw', name: 'InvalidStateError' };
    const { send, api, announcements } = await proxyHarness({}, { storage, login: false });
    api.respond = (sent) => Response.json({ got: authorizationOf(sent) });

    expect(await (await send(apiRequest('/api/public-info'))).json()).toEqual({ got: null });
    expect(announcements.of('error')).toHaveLength(1);
  });

  it('a login is kept in memory: requests carry its token until the worker stops', async () => {
    const storage = new MemoryStorage();
    storage.readFault = { kind: 'throw', name: 'UnknownError' };
    storage.writeFault = { kind: 'throw', name: 'UnknownError' };
    const { send, api, apiRequests } = await proxyHarness({}, { storage, login: false });
    api.validToken = 'at-login';

    expect((await send(loginRequest())).status).toBe(200);
    expect((await send(apiRequest('/api/me'))).status).toBe(200);
    expect(apiRequests().map(authorizationOf)).toEqual(['Bearer at-login']);
  });

  it('a closed connection is not kept: the next operation opens a new one', async () => {
    const name = uniqueDatabaseName();
    const storage = new IndexedDbStorage(name);
    const store = new TokenStore(name, 'indexeddb', { storage });
    await store.save(tokenSet({ accessToken: 'at-1' }), false);
    storage.close();

    expect((await store.read()).tokens?.accessToken).toBe('at-1');
  });
});

describe('#10 a cross-origin refresh endpoint that exposes neither Retry-After nor Date', () => {
  it('429: retried on the backoff schedule alone; the token expiry still comes from expires_in', async () => {
    const { send, api, auth, refreshCalls, sleeps, store } = await proxyHarness({ backoff: { maxAttempts: 2 } });
    api.validToken = 'at-2';
    // What the page-side fetch of a CORS response without Access-Control-Expose-Headers shows:
    // no Retry-After, no Date.
    const answers = [new Response('slow down', { status: 429 }), tokenResponse({ access_token: 'at-2', expires_in: 600 })];
    auth.respond = () => answers.shift()!;
    const before = Date.now();

    expect((await send(apiRequest('/api/me'))).status).toBe(200);

    expect(refreshCalls()).toHaveLength(2);
    expect(sleeps.delays).toHaveLength(1); // one full-jitter delay, no server-given one
    const { tokens, serverTimeOffsetMs } = await store.read();
    expect(serverTimeOffsetMs).toBe(0);
    expect(tokens!.expiresAt! - before).toBeGreaterThanOrEqual(600_000);
    expect(tokens!.expiresAt! - Date.now()).toBeLessThanOrEqual(600_000);
  });
});

describe('#9 request slots', () => {
  it('a request waiting for a refresh holds no slot: another request goes out meanwhile', async () => {
    const { send, api, auth, apiRequests } = await proxyHarness({ maxWaitingRequests: 1 }, { requestsInFlight: 1 });
    const answer = deferred();
    auth.respond = async () => {
      await answer.promise;
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    };
    api.validToken = 'at-2';
    const waiting = send(apiRequest('/api/a'));
    await eventually(() => apiRequests().length === 1, 'the first request got its 401');

    // The queue is full, so this one does not wait for the refresh: it needs the slot now.
    expect((await send(apiRequest('/api/b'))).status).toBe(401);
    answer.resolve();
    expect((await waiting).status).toBe(200);
  });

  it('an aborted request stops waiting for a refresh at once and gives its place among the waiters back', async () => {
    const { send, api, auth, announcements } = await proxyHarness({ maxWaitingRequests: 1 });
    const answer = deferred();
    auth.respond = async () => {
      await answer.promise;
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    };
    api.validToken = 'at-2';
    const abort = new AbortController();
    const aborted = send(apiRequest('/api/a', { signal: abort.signal }));
    await eventually(() => announcements.of('refresh-started').length === 1, 'the refresh started');
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });

    // The one waiting place is free again: this request waits for the refresh and is replayed.
    const next = send(apiRequest('/api/b'));
    await settle();
    answer.resolve();
    expect((await next).status).toBe(200);
    expect(announcements.of('queue-full')).toEqual([]);
  });

  it('an aborted request leaves the queue for a slot at once, and the slot is not lost', async () => {
    const { send, api } = await proxyHarness({}, { requestsInFlight: 1 });
    const hold = deferred();
    api.respond = async () => {
      await hold.promise;
      return Response.json({});
    };
    const first = send(apiRequest('/api/slow'));
    const abort = new AbortController();
    const queued = send(apiRequest('/api/queued', { signal: abort.signal }));
    abort.abort();

    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    hold.resolve();
    expect((await first).status).toBe(200);
    expect((await send(apiRequest('/api/next'))).status).toBe(200);
  });
});

describe('#9 request slots: a storm larger than maxWaitingRequests', () => {
  it('requests that queued for a slot wait for the refresh however many they are: all succeed, one refresh', async () => {
    const { send, api, auth, refreshCalls, announcements } = await proxyHarness({ maxWaitingRequests: 2 }, { requestsInFlight: 2 });
    const answer = deferred();
    auth.respond = async () => {
      await answer.promise;
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    };
    api.validToken = 'at-2';

    // Two go out and get their 401; eight queue for the two slots meanwhile.
    const storm = Array.from({ length: 10 }, (_, i) => send(apiRequest(`/api/items/${i}`)));
    await eventually(() => announcements.of('refresh-started').length === 1, 'the refresh started');
    answer.resolve();

    expect((await Promise.all(storm)).map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(refreshCalls()).toHaveLength(1);
    expect(announcements.of('queue-full')).toEqual([]);
  });
});
