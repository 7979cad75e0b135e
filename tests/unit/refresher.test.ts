import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { RefreshFailedError } from '../../sw/errors/refresh-failed-error.js';
import { SessionExpiredError } from '../../sw/errors/session-expired-error.js';
import { Refresher, type RefreshResult } from '../../sw/refresher.js';
import { TokenStore } from '../../sw/token-store.js';
import { barrier, deferred } from './helpers/deferred.js';
import { FakeNetwork, tokenResponse } from './helpers/fake-network.js';
import { TOKEN_ENDPOINT, recordAnnouncements, testConfig, tokenSet, type ConfigOverrides } from './helpers/fixtures.js';
import { MemoryLocks } from './helpers/memory-locks.js';

/** A logged-in worker (`at-1`/`rt-1`, generation 1) whose refresher talks to a fake network under an in-memory lock. */
async function setup(overrides: ConfigOverrides = {}, { login = true } = {}) {
  const config = testConfig(overrides);
  const store = new TokenStore(config.databaseName, config.refreshTokenStorage);
  const network = new FakeNetwork();
  const locks = new MemoryLocks();
  const announcements = recordAnnouncements();
  const attempts: string[] = [];
  const refresher = new Refresher({
    config,
    store,
    announce: announcements.announce,
    locks,
    fetch: network.fetch,
    onAttempt: (outcome) => attempts.push(outcome),
  });
  if (login) await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
  const lockName = `sw-auth-proxy:refresh:${config.databaseName}`;
  /** Another worker version of the same origin: same database, same lock, its own memory. */
  const otherWorker = () => {
    const otherStore = new TokenStore(config.databaseName, config.refreshTokenStorage);
    const otherRefresher = new Refresher({ config, store: otherStore, announce: () => undefined, locks, fetch: network.fetch });
    return { store: otherStore, refresher: otherRefresher };
  };
  return { config, store, network, locks, announcements, attempts, refresher, lockName, otherWorker };
}

/** Every message a refresh produced, to check that none of them carries a token. */
function messagesOf(result: RefreshResult, announced: unknown[]): string {
  return JSON.stringify([result.ok ? null : { message: result.error.message, stack: result.error.stack }, announced]);
}

describe('Refresher: the RFC 6749 §6 request', () => {
  it('POSTs a form-encoded refresh_token grant with client_id and scope', async () => {
    const { refresher, network } = await setup({ scope: 'read write' });
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));

    await refresher.refresh(1);

    expect(network.sent).toHaveLength(1);
    const [sent] = network.sent;
    expect(sent!.url).toBe(TOKEN_ENDPOINT);
    expect(sent!.method).toBe('POST');
    expect(sent!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(sent!.headers.get('accept')).toBe('application/json');
    expect(sent!.text).toBe('grant_type=refresh_token&refresh_token=rt-1&client_id=demo-spa&scope=read+write');
    expect(sent!.request.credentials).toBe('omit');
    expect(sent!.request.cache).toBe('no-store');
  });

  it('leaves out client_id and scope when they are not configured', async () => {
    const { refresher, network } = await setup({ clientId: undefined });
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));
    await refresher.refresh(1);
    expect(network.sent[0]!.text).toBe('grant_type=refresh_token&refresh_token=rt-1');
  });

  it("sends JSON with refreshBodyFormat: 'json'", async () => {
    const { refresher, network } = await setup({ refreshBodyFormat: 'json', scope: 'read' });
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));
    await refresher.refresh(1);

    const [sent] = network.sent;
    expect(sent!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(sent!.text)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'demo-spa', scope: 'read' });
  });

  it("in cookie mode sends credentials: 'include' and no refresh_token in the body", async () => {
    const { refresher, network } = await setup({ refreshTokenStorage: 'cookie' });
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));
    const result = await refresher.refresh(1);

    expect(result.ok).toBe(true);
    const [sent] = network.sent;
    expect(sent!.request.credentials).toBe('include');
    expect(sent!.text).toBe('grant_type=refresh_token&client_id=demo-spa');
  });

  it('uses the rotated refresh token next time, or keeps the old one when the server did not rotate', async () => {
    const { refresher, network } = await setup();
    const answers = [tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }), tokenResponse({ access_token: 'at-3' }), tokenResponse({ access_token: 'at-4' })];
    network.route(TOKEN_ENDPOINT, () => answers.shift()!);

    await refresher.refresh(1);
    await refresher.refresh(2);
    await refresher.refresh(3);
    expect(network.sent.map((s) => new URLSearchParams(s.text).get('refresh_token'))).toEqual(['rt-1', 'rt-2', 'rt-2']);
  });
});

describe('Refresher: outcomes', () => {
  it('stores the new tokens, announces token-refreshed without a token, and reports the attempt', async () => {
    const { refresher, network, store, announcements, attempts } = await setup();
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 60 }));
    const before = Date.now();

    const result = await refresher.refresh(1);

    expect(result).toMatchObject({ ok: true, refreshed: true, record: { generation: 2, tokens: { accessToken: 'at-2', refreshToken: 'rt-2' } } });
    expect(await store.read()).toEqual(result.ok && result.record);
    const [announced] = announcements.of('token-refreshed');
    expect(announcements.all).toHaveLength(1);
    expect(announced!.generation).toBe(2);
    expect(announced!.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(JSON.stringify(announcements.all)).not.toMatch(/at-2|rt-2/);
    expect(attempts).toEqual(['started', 'succeeded']);
    expect(refresher.inFlight).toBeUndefined();
  });

  it('fails without a call when there is no session', async () => {
    const { refresher, network, announcements } = await setup({}, { login: false });
    const result = await refresher.refresh(0);
    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(!result.ok && result.error).toBeInstanceOf(SessionExpiredError);
    expect(network.sent).toHaveLength(0);
    expect(announcements.all).toEqual([]);
  });

  it('ends the session without a call when memory mode lost its refresh token (the worker restarted)', async () => {
    const { store, config, network, announcements } = await setup({ refreshTokenStorage: 'memory' });
    const restartedStore = new TokenStore(config.databaseName, 'memory');
    const restarted = new Refresher({ config, store: restartedStore, announce: announcements.announce, locks: new MemoryLocks(), fetch: network.fetch });

    const result = await restarted.refresh(1);

    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(!result.ok && result.error.message).toBe(
      'Failed to refresh the access token: no refresh token is stored (memory mode loses it when the worker stops)',
    );
    expect(network.sent).toHaveLength(0);
    expect(announcements.of('session-expired')).toEqual([{ reason: 'no-refresh-token' }]);
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'expired' });
  });

  it.each([
    ['a 503', () => new Response('busy', { status: 503 }), 'the server answered 503'],
    ['a network error', () => Promise.reject(new TypeError('Failed to fetch')), 'network error'],
    ['a body that is not JSON', () => new Response('<html>', { status: 200 }), 'malformed response (the body is not JSON)'],
    [
      'a token response without access_token',
      () => Response.json({ refresh_token: 'rt-leaked' }),
      'malformed response (Failed to read the token response: `access_token` is missing or not a string)',
    ],
    [
      'a DPoP token',
      () => Response.json({ access_token: 'at-dpop', token_type: 'DPoP', refresh_token: 'rt-dpop' }),
      'malformed response (Failed to read the token response: `token_type` is not "Bearer")',
    ],
  ])('on %s keeps the tokens and reports a RefreshFailedError', async (_case, answer, reason) => {
    const { refresher, network, store, announcements, attempts } = await setup();
    network.route(TOKEN_ENDPOINT, answer);

    const result = await refresher.refresh(1);

    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    const error = !result.ok ? result.error : undefined;
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(error?.message).toBe(`Failed to refresh the access token: ${reason}`);
    expect(announcements.all).toEqual([{ type: 'error', payload: { name: 'RefreshFailedError', message: error?.message } }]);
    expect(await store.read()).toMatchObject({ generation: 1, tokens: { accessToken: 'at-1', refreshToken: 'rt-1' } });
    expect(attempts).toEqual(['started', 'failed']);
    expect(messagesOf(result, announcements.all)).not.toMatch(/at-1|rt-1|at-dpop|rt-dpop|rt-leaked/);
  });

  it('gives up when the server does not answer within refreshTimeoutMs', async () => {
    const { refresher, network, store } = await setup({ refreshTimeoutMs: 20 });
    network.route(TOKEN_ENDPOINT, ({ request }) => new Promise<Response>((_, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason));
    }));

    const result = await refresher.refresh(1);

    expect(!result.ok && result.error.message).toBe('Failed to refresh the access token: no answer within 20 ms');
    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    expect((await store.read()).tokens?.accessToken).toBe('at-1');
  });

  it.each([
    ['invalid_grant', 400, { error: 'invalid_grant', error_description: 'rt-1 was revoked' }, 'invalid_grant'],
    ['invalid_client', 401, { error: 'invalid_client' }, 'invalid_grant'],
    ['another error code', 400, { error: 'invalid_request' }, 'refresh-rejected'],
    ['no JSON', 401, 'nope', 'refresh-rejected'],
  ] as const)('a %s rejection clears the tokens and announces session-expired once', async (_case, status, body, reason) => {
    const { refresher, network, store, announcements, attempts } = await setup();
    network.route(TOKEN_ENDPOINT, () => (typeof body === 'string' ? new Response(body, { status }) : Response.json(body, { status })));

    const result = await refresher.refresh(1);

    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(!result.ok && result.error).toBeInstanceOf(SessionExpiredError);
    expect(await store.read()).toMatchObject({ generation: 2, tokens: null, ended: 'expired' });
    expect(announcements.all).toEqual([{ type: 'session-expired', payload: { reason } }]);
    expect(attempts).toEqual(['started', 'failed']);
    expect(network.sent).toHaveLength(1);
    expect(messagesOf(result, announcements.all)).not.toMatch(/at-1|rt-1/);
  });

  it('an invalid_grant that lost a race with another worker`s rotation keeps that worker`s session', async () => {
    const { refresher, network, store, announcements, otherWorker } = await setup();
    const other = otherWorker();
    network.route(TOKEN_ENDPOINT, async () => {
      // While our request was on the wire, another worker spent rt-1 first and stored its result.
      await other.store.save(tokenSet({ accessToken: 'at-other', refreshToken: 'rt-other' }), true);
      return Response.json({ error: 'invalid_grant' }, { status: 400 });
    });

    const result = await refresher.refresh(1);

    expect(result).toMatchObject({ ok: true, refreshed: false, record: { generation: 2, tokens: { accessToken: 'at-other' } } });
    expect(await store.read()).toMatchObject({ generation: 2, tokens: { accessToken: 'at-other', refreshToken: 'rt-other' } });
    expect(announcements.all).toEqual([]);
  });

  it('a logout while the refresh is on the wire stays a logout: the late tokens are not stored', async () => {
    const { refresher, network, store, announcements } = await setup();
    const onTheWire = deferred();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => {
      onTheWire.resolve();
      return answer.promise;
    });

    const pending = refresher.refresh(1);
    await onTheWire.promise;
    await store.clear('logged-out');
    answer.resolve(tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }));
    const result = await pending;

    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(await store.read()).toMatchObject({ generation: 2, tokens: null, ended: 'logged-out' });
    expect(JSON.stringify(await store.read())).not.toMatch(/at-2|rt-2/);
    expect(announcements.of('token-refreshed')).toEqual([]);
  });
});

describe('Refresher: one refresh at a time', () => {
  it('50 concurrent refresh(g) calls share one POST and one result', async () => {
    const { refresher, network, locks } = await setup();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => answer.promise);

    const results = Array.from({ length: 50 }, () => refresher.refresh(1));
    await locks.requested(1);
    expect(refresher.inFlight).toBe(results[0]);
    answer.resolve(tokenResponse({ access_token: 'at-2' }));
    const settled = await Promise.all(results);

    expect(network.sent).toHaveLength(1);
    expect(locks.requests).toBe(1);
    expect(new Set(settled).size).toBe(1);
    expect(settled[0]).toMatchObject({ ok: true, refreshed: true, record: { generation: 2, tokens: { accessToken: 'at-2' } } });
    expect(refresher.inFlight).toBeUndefined();
  });

  it('a caller that saw an older generation joins the refresh under way', async () => {
    const { refresher, network } = await setup();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => answer.promise);

    const current = refresher.refresh(1);
    const stale = refresher.refresh(0);
    answer.resolve(tokenResponse({ access_token: 'at-2' }));
    expect(stale).toBe(current);
    await current;
    expect(network.sent).toHaveLength(1);
  });

  it('two worker versions refreshing at once make one POST: the second sees the first`s result under the lock', async () => {
    const { refresher, network, locks, otherWorker } = await setup();
    const other = otherWorker();
    const bothAsked = barrier(2);
    network.route(TOKEN_ENDPOINT, async () => {
      await bothAsked.arrive();
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    });

    const mine = refresher.refresh(1);
    const theirs = other.refresher.refresh(1);
    await locks.requested(2);
    void bothAsked.arrive(); // both workers have queued for the lock; let the server answer
    const [a, b] = await Promise.all([mine, theirs]);

    expect(network.sent).toHaveLength(1);
    expect(locks.maxActive).toBe(1);
    expect(a).toMatchObject({ ok: true, refreshed: true, record: { generation: 2, tokens: { accessToken: 'at-2' } } });
    expect(b).toMatchObject({ ok: true, refreshed: false, record: { generation: 2, tokens: { accessToken: 'at-2' } } });
  });

  it('re-reads the store once the lock is granted: if another worker refreshed meanwhile, no call is made', async () => {
    const { refresher, network, locks, lockName, announcements, attempts, otherWorker } = await setup();
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'never-used' }));
    const other = otherWorker();

    const held = locks.hold(lockName);
    await held.granted;
    const pending = refresher.refresh(1);
    await locks.requested(2); // queued behind the other worker
    await other.store.save(tokenSet({ accessToken: 'at-other', refreshToken: 'rt-other' }), true);
    held.release();
    const result = await pending;

    expect(network.sent).toHaveLength(0);
    expect(result).toMatchObject({ ok: true, refreshed: false, record: { generation: 2, tokens: { accessToken: 'at-other' } } });
    expect(announcements.all).toEqual([]);
    expect(attempts).toEqual([]);
  });

  it('a refresh for a newer generation waits for the one under way instead of joining it', async () => {
    const { refresher, network, locks } = await setup();
    const answers = [deferred<Response>(), deferred<Response>()];
    network.route(TOKEN_ENDPOINT, () => answers[network.sent.length - 1]!.promise);

    const first = refresher.refresh(1);
    const second = refresher.refresh(2);
    expect(second).not.toBe(first);
    await locks.requested(2);
    answers[0]!.resolve(tokenResponse({ access_token: 'at-2' }));
    expect(await first).toMatchObject({ ok: true, record: { generation: 2 } });
    // Generation 2 is what the second caller already had: it needs a newer one, so it refreshes again.
    answers[1]!.resolve(tokenResponse({ access_token: 'at-3' }));
    expect(await second).toMatchObject({ ok: true, refreshed: true, record: { generation: 3, tokens: { accessToken: 'at-3' } } });
    expect(network.sent).toHaveLength(2);
    expect(locks.maxActive).toBe(1);
  });
});
