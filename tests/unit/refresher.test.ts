import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionExpiredError } from '../../sw/errors/session-expired-error.js';
import type { RefreshResult } from '../../sw/refresher.js';
import { barrier, deferred } from './helpers/deferred.js';
import { eventually } from './helpers/eventually.js';
import { tokenResponse } from './helpers/fake-network.js';
import { TOKEN_ENDPOINT, refreshTrigger, tokenSet } from './helpers/fixtures.js';
import { refresherHarness as setup, restartedWorker } from './helpers/refresher-harness.js';

const NOW = Date.UTC(2030, 0, 1, 12);

// The clock stands still unless a test moves it, so times and durations are exact. Timers stay
// real: fake-indexeddb and AbortSignal.timeout run on them.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Every message a refresh produced, to check that none of them carries a token. */
function messagesOf(result: RefreshResult, announced: unknown[]): string {
  return JSON.stringify([result.ok ? null : { message: result.error.message, stack: result.error.stack }, announced]);
}

describe('Refresher: the RFC 6749 §6 request', () => {
  it('POSTs a form-encoded refresh_token grant with client_id and scope', async () => {
    const { refresher, network } = await setup({ scope: 'read write' });
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));

    await refresher.refresh(1, refreshTrigger());

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
    await refresher.refresh(1, refreshTrigger());
    expect(network.sent[0]!.text).toBe('grant_type=refresh_token&refresh_token=rt-1');
  });

  it("sends JSON with refreshBodyFormat: 'json'", async () => {
    const { refresher, network } = await setup({ refreshBodyFormat: 'json', scope: 'read' });
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));
    await refresher.refresh(1, refreshTrigger());

    const [sent] = network.sent;
    expect(sent!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(sent!.text)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'demo-spa', scope: 'read' });
  });

  it("in cookie mode sends credentials: 'include' and no refresh_token in the body", async () => {
    const { refresher, network } = await setup({ refreshTokenStorage: 'cookie' });
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));
    const result = await refresher.refresh(1, refreshTrigger());

    expect(result.ok).toBe(true);
    const [sent] = network.sent;
    expect(sent!.request.credentials).toBe('include');
    expect(sent!.text).toBe('grant_type=refresh_token&client_id=demo-spa');
  });

  it('uses the rotated refresh token next time, or keeps the old one when the server did not rotate', async () => {
    const { refresher, network } = await setup();
    const answers = [
      tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }),
      tokenResponse({ access_token: 'at-3' }),
      tokenResponse({ access_token: 'at-4' }),
    ];
    network.route(TOKEN_ENDPOINT, () => answers.shift()!);

    await refresher.refresh(1, refreshTrigger());
    await refresher.refresh(2, refreshTrigger());
    await refresher.refresh(3, refreshTrigger());
    expect(network.sent.map((s) => new URLSearchParams(s.text).get('refresh_token'))).toEqual(['rt-1', 'rt-2', 'rt-2']);
  });
});

describe('Refresher: outcomes', () => {
  it('reads a token response by what it is: JSON sent as text/plain, and form-encoded', async () => {
    const { refresher, network, store } = await setup();
    const answers = [
      new Response(JSON.stringify({ access_token: 'at-2', token_type: 'Bearer', refresh_token: 'rt-2', expires_in: 60 }), {
        headers: { 'Content-Type': 'text/plain' },
      }),
      new Response('access_token=at-3&token_type=bearer&refresh_token=rt-3&expires_in=60', {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    ];
    network.route(TOKEN_ENDPOINT, () => answers.shift()!);

    expect(await refresher.refresh(1, refreshTrigger())).toMatchObject({ ok: true, record: { tokens: { refreshToken: 'rt-2' } } });
    expect(await refresher.refresh(2, refreshTrigger())).toMatchObject({ ok: true, record: { tokens: { accessToken: 'at-3' } } });
    expect((await store.read()).tokens).toMatchObject({ accessToken: 'at-3', refreshToken: 'rt-3', expiresAt: NOW + 60_000 });
  });

  it('stores the new tokens and announces the cycle (refresh-started, token-refreshed) without a token', async () => {
    const { refresher, network, store, announcements, attempts, states } = await setup();
    network.route(TOKEN_ENDPOINT, () => {
      vi.setSystemTime(NOW + 250); // the server takes a quarter of a second
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 60 });
    });
    const trigger = refreshTrigger('expired');

    const result = await refresher.refresh(1, trigger);

    expect(result).toMatchObject({
      ok: true,
      refreshed: true,
      record: { generation: 2, tokens: { accessToken: 'at-2', refreshToken: 'rt-2' } },
    });
    expect(await store.read()).toEqual(result.ok && result.record);
    expect(announcements.types()).toEqual(['refresh-started', 'token-refreshed']);
    const [started] = announcements.of('refresh-started');
    expect(started).toEqual({ refreshId: expect.any(String), trigger, fromGeneration: 1, at: NOW });
    expect(announcements.of('token-refreshed')).toEqual([
      {
        generation: 2,
        expiresAt: NOW + 250 + 60_000,
        refreshId: started!.refreshId,
        trigger,
        attempts: 1,
        waiters: 1,
        durationMs: 250,
      },
    ]);
    expect(JSON.stringify(announcements.all)).not.toMatch(/at-2|rt-2/);
    expect(attempts).toEqual(['started', 'succeeded']);
    expect(states).toEqual(['authenticated', 'refreshing', 'authenticated']);
    expect(refresher.inFlight).toBeUndefined();
  });

  it('each cycle has its own refreshId', async () => {
    const { refresher, network, announcements } = await setup();
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: `at-${network.sent.length + 1}` }));
    await refresher.refresh(1, refreshTrigger());
    await refresher.refresh(2, refreshTrigger());
    const ids = announcements.of('refresh-started').map((s) => s.refreshId);
    expect(new Set(ids).size).toBe(2);
    expect(announcements.of('token-refreshed').map((t) => t.refreshId)).toEqual(ids);
  });

  it('fails without a call when there is no session', async () => {
    const { refresher, network, announcements } = await setup({}, { login: false });
    const result = await refresher.refresh(0, refreshTrigger());
    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(!result.ok && result.error).toBeInstanceOf(SessionExpiredError);
    expect(network.sent).toHaveLength(0);
    expect(announcements.all).toEqual([]);
    expect(refresher.inFlight).toBeUndefined();
  });

  it('ends the session without a call when memory mode lost its refresh token (the worker restarted)', async () => {
    const { store, config, network } = await setup({ refreshTokenStorage: 'memory' });
    const { refresher: restarted, machine, announcements } = await restartedWorker(config, network);

    const result = await restarted.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(!result.ok && result.error.message).toBe(
      'Failed to refresh the access token: no refresh token is stored (memory mode loses it when the worker stops)',
    );
    expect(network.sent).toHaveLength(0);
    const [started] = announcements.of('refresh-started');
    expect(announcements.of('session-expired')).toEqual([{ reason: 'no-refresh-token', refreshId: started!.refreshId }]);
    expect(machine.state()).toBe('expired');
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'expired' });
  });

  it('gives up an attempt the server does not answer within refreshTimeoutMs', async () => {
    const { refresher, network, store, announcements } = await setup({ refreshTimeoutMs: 20, backoff: { maxAttempts: 1 } });
    network.route(
      TOKEN_ENDPOINT,
      ({ request }) =>
        new Promise<Response>((_, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
        }),
    );

    const result = await refresher.refresh(1, refreshTrigger());

    expect(!result.ok && result.error.message).toBe('Failed to refresh the access token: no answer within 20 ms');
    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    expect(announcements.of('refresh-failed')).toMatchObject([{ reason: 'timeout', status: null, attempt: 1, final: true }]);
    expect((await store.read()).tokens?.accessToken).toBe('at-1');
  });

  it.each([
    ['invalid_grant', 400, { error: 'invalid_grant', error_description: 'rt-1 was revoked' }, 'invalid_grant'],
    ['invalid_client', 401, { error: 'invalid_client' }, 'invalid_grant'],
    ['unauthorized_client', 400, { error: 'unauthorized_client' }, 'invalid_grant'],
    ['another error code', 400, { error: 'invalid_request' }, 'refresh-rejected'],
    ['no JSON', 401, 'nope', 'refresh-rejected'],
  ] as const)(
    'a %s rejection clears the tokens and announces session-expired once, without retrying',
    async (_case, status, body, reason) => {
      const { refresher, network, store, announcements, attempts, machine, sleeps } = await setup();
      network.route(TOKEN_ENDPOINT, () => (typeof body === 'string' ? new Response(body, { status }) : Response.json(body, { status })));

      const result = await refresher.refresh(1, refreshTrigger());

      expect(result).toMatchObject({ ok: false, sessionEnded: true });
      expect(!result.ok && result.error).toBeInstanceOf(SessionExpiredError);
      expect(await store.read()).toMatchObject({ generation: 2, tokens: null, ended: 'expired' });
      const [started] = announcements.of('refresh-started');
      expect(announcements.all).toEqual([
        { type: 'refresh-started', payload: started },
        { type: 'session-expired', payload: { reason, refreshId: started!.refreshId } },
      ]);
      expect(machine.state()).toBe('expired');
      expect(attempts).toEqual(['started', 'failed']);
      expect(network.sent).toHaveLength(1);
      expect(sleeps.delays).toEqual([]);
      expect(messagesOf(result, announcements.all)).not.toMatch(/at-1|rt-1/);
    },
  );

  it('after the session ended, a later refresh makes no call and announces nothing', async () => {
    const { refresher, network, announcements } = await setup();
    network.route(TOKEN_ENDPOINT, () => Response.json({ error: 'invalid_grant' }, { status: 400 }));
    await refresher.refresh(1, refreshTrigger());

    const later = await refresher.refresh(2, refreshTrigger());

    expect(later).toMatchObject({ ok: false, sessionEnded: true });
    expect(network.sent).toHaveLength(1);
    expect(announcements.of('session-expired')).toHaveLength(1);
  });

  it('announces session-expired only if it was the one to end the session', async () => {
    const { refresher, network, store, announcements, otherWorker } = await setup();
    const other = await otherWorker();
    network.route(TOKEN_ENDPOINT, () => Response.json({ error: 'invalid_grant' }, { status: 400 }));
    // The other worker logs out right after this worker re-read the session to check for a race.
    const read = store.read.bind(store);
    vi.spyOn(store, 'read').mockImplementation(async () => {
      const record = await read();
      if (network.sent.length === 1) await other.store.clear('logged-out');
      return record;
    });

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(announcements.of('session-expired')).toEqual([]);
    expect(await read()).toMatchObject({ tokens: null, ended: 'logged-out' });
  });

  it('an invalid_grant that lost a race with another worker`s rotation keeps that worker`s session', async () => {
    const { refresher, network, store, announcements, machine, otherWorker } = await setup();
    const other = await otherWorker();
    network.route(TOKEN_ENDPOINT, async () => {
      // While our request was on the wire, another worker spent rt-1 first and stored its result.
      await other.store.save(tokenSet({ accessToken: 'at-other', refreshToken: 'rt-other' }), true);
      return Response.json({ error: 'invalid_grant' }, { status: 400 });
    });

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: true, refreshed: false, record: { generation: 2, tokens: { accessToken: 'at-other' } } });
    expect(await store.read()).toMatchObject({ generation: 2, tokens: { accessToken: 'at-other', refreshToken: 'rt-other' } });
    expect(announcements.types()).toEqual(['refresh-started']);
    expect(machine.state()).toBe('authenticated');
  });

  it('a logout while the refresh is on the wire stays a logout: the late tokens are not stored', async () => {
    const { refresher, network, store, announcements, machine, states } = await setup();
    const onTheWire = deferred();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => {
      onTheWire.resolve();
      return answer.promise;
    });

    const pending = refresher.refresh(1, refreshTrigger());
    await onTheWire.promise;
    await store.clear('logged-out');
    machine.send({ type: 'logged-out' });
    answer.resolve(tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' }));
    const result = await pending;

    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(await store.read()).toMatchObject({ generation: 2, tokens: null, ended: 'logged-out' });
    expect(JSON.stringify(await store.read())).not.toMatch(/at-2|rt-2/);
    expect(announcements.of('token-refreshed')).toEqual([]);
    expect(announcements.of('session-expired')).toEqual([]);
    expect(machine.state()).toBe('anonymous');
    expect(states.at(-1)).toBe('anonymous');
  });

  it('a logout while a failed attempt waits to be retried stays a logout: no further call', async () => {
    const { refresher, network, store, machine, sleeps, announcements } = await setup();
    network.route(TOKEN_ENDPOINT, () => new Response('busy', { status: 503 }));
    sleeps.hold();

    const pending = refresher.refresh(1, refreshTrigger());
    await eventually(() => sleeps.pending.length === 1, 'the first retry is waiting');
    await store.clear('logged-out');
    machine.send({ type: 'logged-out' });
    sleeps.pending[0]!.resolve();
    const result = await pending;

    expect(result).toMatchObject({ ok: false, sessionEnded: true });
    expect(network.sent).toHaveLength(1);
    expect(announcements.of('refresh-failed').map((f) => f.final)).toEqual([false]);
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'logged-out', refreshBlockedUntil: 0 });
    expect(machine.state()).toBe('anonymous');
  });
});

describe('Refresher: one refresh at a time', () => {
  it('50 concurrent refresh(g) calls share one POST and one result, and count as 50 waiters', async () => {
    const { refresher, network, locks, announcements } = await setup();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => answer.promise);

    const results = Array.from({ length: 50 }, () => refresher.refresh(1, refreshTrigger()));
    await locks.requested(1);
    expect(refresher.inFlight?.promise).toBe(results[0]);
    expect(refresher.inFlight?.info).toMatchObject({ from: 1, trigger: refreshTrigger(), tokenRejected: true, waiters: 50 });
    answer.resolve(tokenResponse({ access_token: 'at-2' }));
    const settled = await Promise.all(results);

    expect(network.sent).toHaveLength(1);
    expect(locks.requests).toBe(1);
    expect(new Set(settled).size).toBe(1);
    expect(settled[0]).toMatchObject({ ok: true, refreshed: true, record: { generation: 2, tokens: { accessToken: 'at-2' } } });
    expect(announcements.of('token-refreshed')).toMatchObject([{ waiters: 50, attempts: 1 }]);
    expect(refresher.inFlight).toBeUndefined();
  });

  it.each([
    ['unauthorized', true],
    ['expired', true],
    ['proactive', false],
    ['visible', false],
  ] as const)('a cycle started by %s has tokenRejected %s', async (kind, rejected) => {
    const { refresher, network } = await setup();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => answer.promise);
    const pending = refresher.refresh(1, refreshTrigger(kind));
    expect(refresher.inFlight?.info.tokenRejected).toBe(rejected);
    answer.resolve(tokenResponse({ access_token: 'at-2' }));
    await pending;
  });

  it('a background refresh (waiter = false) counts only the callers that wait', async () => {
    const { refresher, network, announcements } = await setup();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => answer.promise);

    const background = refresher.refresh(1, refreshTrigger('proactive'), false);
    expect(refresher.inFlight?.info.waiters).toBe(0);
    const joined = refresher.refresh(1, refreshTrigger());
    const alsoBackground = refresher.refresh(1, refreshTrigger('visible'), false);
    expect(joined).toBe(background);
    expect(alsoBackground).toBe(background);
    answer.resolve(tokenResponse({ access_token: 'at-2' }));
    await background;

    expect(network.sent).toHaveLength(1);
    expect(announcements.of('token-refreshed')).toMatchObject([{ waiters: 1, trigger: refreshTrigger('proactive') }]);
  });

  it('a caller that saw an older generation joins the refresh under way', async () => {
    const { refresher, network } = await setup();
    const answer = deferred<Response>();
    network.route(TOKEN_ENDPOINT, () => answer.promise);

    const current = refresher.refresh(1, refreshTrigger());
    const stale = refresher.refresh(0, refreshTrigger());
    answer.resolve(tokenResponse({ access_token: 'at-2' }));
    expect(stale).toBe(current);
    await current;
    expect(network.sent).toHaveLength(1);
  });

  it('two worker versions refreshing at once make one POST: the second sees the first`s result under the lock', async () => {
    const { refresher, network, locks, otherWorker } = await setup();
    const other = await otherWorker();
    const bothAsked = barrier(2);
    network.route(TOKEN_ENDPOINT, async () => {
      await bothAsked.arrive();
      return tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' });
    });

    const mine = refresher.refresh(1, refreshTrigger());
    const theirs = other.refresher.refresh(1, refreshTrigger());
    await locks.requested(2);
    void bothAsked.arrive(); // both workers have queued for the lock; let the server answer
    const [a, b] = await Promise.all([mine, theirs]);

    expect(network.sent).toHaveLength(1);
    expect(locks.maxActive).toBe(1);
    expect(a).toMatchObject({ ok: true, refreshed: true, record: { generation: 2, tokens: { accessToken: 'at-2' } } });
    expect(b).toMatchObject({ ok: true, refreshed: false, record: { generation: 2, tokens: { accessToken: 'at-2' } } });
    expect(other.machine.state()).toBe('authenticated');
  });

  it('re-reads the store once the lock is granted: if another worker refreshed meanwhile, no call is made', async () => {
    const { refresher, network, locks, lockName, announcements, attempts, otherWorker } = await setup();
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'never-used' }));
    const other = await otherWorker();

    const held = locks.hold(lockName);
    await held.granted;
    const pending = refresher.refresh(1, refreshTrigger());
    await locks.requested(2); // queued behind the other worker
    await other.store.save(tokenSet({ accessToken: 'at-other', refreshToken: 'rt-other' }), true);
    held.release();
    const result = await pending;

    expect(network.sent).toHaveLength(0);
    expect(result).toMatchObject({ ok: true, refreshed: false, record: { generation: 2, tokens: { accessToken: 'at-other' } } });
    expect(announcements.types()).toEqual(['refresh-started']);
    expect(attempts).toEqual([]);
  });

  it('a refresh for a newer generation waits for the one under way instead of joining it', async () => {
    const { refresher, network, locks } = await setup();
    const answers = [deferred<Response>(), deferred<Response>()];
    network.route(TOKEN_ENDPOINT, () => answers[network.sent.length - 1]!.promise);

    const first = refresher.refresh(1, refreshTrigger());
    const second = refresher.refresh(2, refreshTrigger());
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
