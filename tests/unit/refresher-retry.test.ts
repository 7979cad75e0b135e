import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefreshFailedError } from '../../sw/errors/refresh-failed-error.js';
import { tokenResponse } from './helpers/fake-network.js';
import { TOKEN_ENDPOINT, refreshTrigger, tokenSet } from './helpers/fixtures.js';
import { refresherHarness as setup, restartedWorker } from './helpers/refresher-harness.js';

const NOW = Date.UTC(2030, 0, 1, 12);

// The clock only moves when a test moves it; retries sleep through the harness's recorded sleep.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

/** With the harness's jitter of 0.5: half of 1 s, 2 s, 4 s, 8 s (default backoff). */
const RETRY_DELAYS = [500, 1000, 2000, 4000];
/**
 * The pause after the first failed cycle: 0.5–1.5 × the first cooldown (5 s) or the time spent
 * failing, if longer (here no time passes); the jitter of 0.5 gives 1 ×.
 */
const FIRST_PAUSE = 5000;

const answers =
  (...responses: (() => Response | Promise<Response>)[]) =>
  () =>
    responses.shift()!();
const status =
  (code: number, headers: HeadersInit = {}) =>
  () =>
    new Response('unavailable', { status: code, headers });

describe('Refresher: transient failures are retried within one cycle', () => {
  it.each([
    ['a 500', status(500), 'server-error', 500, 'the server answered 500'],
    ['a 503', status(503), 'server-error', 503, 'the server answered 503'],
    ['a 429 without Retry-After', status(429), 'rate-limited', 429, 'the server answered 429'],
    ['a network error', () => Promise.reject(new TypeError('Failed to fetch')), 'network', null, 'network error'],
  ] as const)(
    '%s: maxAttempts calls with full-jitter delays, then the cycle gives up and refreshing pauses',
    async (_case, answer, reason, code, detail) => {
      const { refresher, network, store, announcements, machine, sleeps, attempts } = await setup();
      network.route(TOKEN_ENDPOINT, answer);

      const result = await refresher.refresh(1, refreshTrigger());

      expect(network.sent).toHaveLength(5);
      expect(sleeps.delays).toEqual(RETRY_DELAYS);
      expect(result).toMatchObject({ ok: false, sessionEnded: false });
      expect(!result.ok && result.error).toBeInstanceOf(RefreshFailedError);
      const message = `Failed to refresh the access token: ${detail}`;
      expect(!result.ok && result.error.message).toBe(message);
      const [started] = announcements.of('refresh-started');
      expect(announcements.types()).toEqual(['refresh-started', ...Array(5).fill('refresh-failed')]);
      expect(announcements.of('refresh-failed')).toEqual(
        [1, 2, 3, 4, 5].map((attempt) => ({
          refreshId: started!.refreshId,
          reason,
          status: code,
          attempt,
          final: attempt === 5,
          retryAt: NOW + (attempt === 5 ? FIRST_PAUSE : RETRY_DELAYS[attempt - 1]!),
          waiters: 1,
          error: { name: 'RefreshFailedError', message },
        })),
      );
      expect(await store.read()).toMatchObject({
        generation: 1,
        tokens: { accessToken: 'at-1', refreshToken: 'rt-1' },
        refreshBlockedUntil: NOW + FIRST_PAUSE,
        failedCycles: 1,
      });
      expect(machine.state()).toBe('backoff');
      expect(machine.blockedUntil).toBe(NOW + FIRST_PAUSE);
      expect(attempts).toEqual(Array(5).fill(['started', 'failed']).flat());
      expect(refresher.inFlight).toBeUndefined();
    },
  );

  it('a timeout is transient too: every attempt gets its own refreshTimeoutMs', async () => {
    const { refresher, network, announcements } = await setup({ refreshTimeoutMs: 20, backoff: { maxAttempts: 2 } });
    network.route(
      TOKEN_ENDPOINT,
      ({ request }) =>
        new Promise<Response>((_, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
        }),
    );

    await refresher.refresh(1, refreshTrigger());

    expect(network.sent).toHaveLength(2);
    expect(announcements.of('refresh-failed').map((f) => [f.reason, f.final])).toEqual([
      ['timeout', false],
      ['timeout', true],
    ]);
  });

  it('500, 500, then 200: one logical refresh with two non-final failures and one token-refreshed', async () => {
    const { refresher, network, store, announcements, machine, sleeps, states } = await setup();
    network.route(
      TOKEN_ENDPOINT,
      answers(status(500), status(500), () => tokenResponse({ access_token: 'at-2', refresh_token: 'rt-2' })),
    );
    const waiting = Array.from({ length: 3 }, () => refresher.refresh(1, refreshTrigger()));

    const results = await Promise.all(waiting);

    expect(network.sent).toHaveLength(3);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toMatchObject({ ok: true, refreshed: true, record: { generation: 2, tokens: { accessToken: 'at-2' } } });
    expect(announcements.types()).toEqual(['refresh-started', 'refresh-failed', 'refresh-failed', 'token-refreshed']);
    expect(announcements.of('refresh-failed').map((f) => [f.attempt, f.final, f.waiters])).toEqual([
      [1, false, 3],
      [2, false, 3],
    ]);
    const [started] = announcements.of('refresh-started');
    expect(announcements.of('token-refreshed')).toMatchObject([{ refreshId: started!.refreshId, attempts: 3, waiters: 3, generation: 2 }]);
    expect(sleeps.delays).toEqual(RETRY_DELAYS.slice(0, 2));
    expect(await store.read()).toMatchObject({ refreshBlockedUntil: 0, failedCycles: 0 });
    expect(machine.state()).toBe('authenticated');
    expect(states).toEqual(['authenticated', 'refreshing', 'authenticated']);
  });

  it('429 with Retry-After: 2 waits at least 2 s (plus jitter) before the next attempt', async () => {
    const { refresher, network, sleeps, announcements } = await setup();
    network.route(
      TOKEN_ENDPOINT,
      answers(status(429, { 'Retry-After': '2' }), () => tokenResponse({ access_token: 'at-2' })),
    );

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result.ok).toBe(true);
    // 2 s × (1 + 0.5).
    expect(sleeps.delays).toEqual([3000]);
    expect(announcements.of('refresh-failed')).toMatchObject([{ reason: 'rate-limited', status: 429, final: false, retryAt: NOW + 3000 }]);
  });

  it('503 with an HTTP-date Retry-After is measured against the response`s Date, not this clock', async () => {
    const { refresher, network, sleeps } = await setup();
    const serverNow = NOW + 10 * 60_000; // the server's clock is ten minutes ahead of the browser's
    const headers = { Date: new Date(serverNow).toUTCString(), 'Retry-After': new Date(serverNow + 7000).toUTCString() };
    network.route(
      TOKEN_ENDPOINT,
      answers(status(503, headers), () => tokenResponse({ access_token: 'at-2' })),
    );

    await refresher.refresh(1, refreshTrigger());

    // 7 s asked, with up to as much again on top: the jitter of 0.5 gives 10.5 s.
    expect(sleeps.delays).toEqual([10_500]);
  });

  it('a long Retry-After pauses for as long as the server asked, and up to as much again', async () => {
    const { refresher, network, store, sleeps, announcements, machine } = await setup();
    network.route(TOKEN_ENDPOINT, status(503, { 'Retry-After': '120' }));

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    expect(network.sent).toHaveLength(1);
    expect(sleeps.delays).toEqual([]);
    expect(announcements.of('refresh-failed')).toMatchObject([{ attempt: 1, final: true, retryAt: NOW + 180_000 }]);
    expect(await store.read()).toMatchObject({ refreshBlockedUntil: NOW + 180_000, failedCycles: 1 });
    expect(machine.blockedUntil).toBe(NOW + 180_000);
  });

  it('backoff.maxAttempts and baseMs are honoured', async () => {
    const { refresher, network, sleeps } = await setup({ backoff: { maxAttempts: 3, baseMs: 100 } });
    network.route(TOKEN_ENDPOINT, status(502));
    await refresher.refresh(1, refreshTrigger());
    expect(network.sent).toHaveLength(3);
    expect(sleeps.delays).toEqual([50, 100]);
  });
});

describe('Refresher: a refresh ahead of expiry that fails', () => {
  it('does not retry at once: the token still works, so refreshing pauses for 0.5–1.5 × the time it has left', async () => {
    const { refresher, network, store, sleeps, announcements, machine } = await setup({}, { login: false });
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: NOW + 80_000 }), false);
    machine.send({ type: 'logged-in' });
    network.route(TOKEN_ENDPOINT, status(503));

    const result = await refresher.refresh(1, refreshTrigger('proactive'));

    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    expect(network.sent).toHaveLength(1);
    expect(sleeps.delays).toEqual([]);
    expect(announcements.of('refresh-failed')).toMatchObject([{ attempt: 1, final: true, retryAt: NOW + 80_000 }]);
    expect(await store.read()).toMatchObject({ refreshBlockedUntil: NOW + 80_000, failedCycles: 1, failingSince: NOW });
  });

  it('a 401-triggered refresh retries at once even though the token has not expired by this clock', async () => {
    const { refresher, network, store, sleeps, machine } = await setup({}, { login: false });
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: NOW + 3_600_000 }), false);
    machine.send({ type: 'logged-in' });
    network.route(
      TOKEN_ENDPOINT,
      answers(status(503), () => tokenResponse({ access_token: 'at-2' })),
    );

    const result = await refresher.refresh(1, refreshTrigger('unauthorized'));

    expect(result.ok).toBe(true);
    expect(sleeps.delays).toEqual([RETRY_DELAYS[0]]);
  });
});

describe('Refresher: the next refresh window', () => {
  const HOUR = 3_600_000;
  it.each([
    ['a refresh ahead of expiry that succeeds at once keeps the narrow window', 'proactive', [], NOW + HOUR - 360_000 - 90_000],
    ['one that needed a retry gets the spread window', 'unauthorized', [status(503)], NOW + HOUR * 0.6],
    ['one after expiry or a 401 gets the spread window', 'unauthorized', [], NOW + HOUR * 0.6],
  ] as const)('%s', async (_case, trigger, failures, refreshAt) => {
    const { refresher, network } = await setup();
    network.route(
      TOKEN_ENDPOINT,
      answers(...failures, () => tokenResponse({ access_token: 'at-2' })),
    );

    const result = await refresher.refresh(1, refreshTrigger(trigger));

    expect(result).toMatchObject({ ok: true, record: { tokens: { expiresAt: NOW + HOUR, refreshAt } } });
  });
});

describe('Refresher: a malformed 2xx is not retried', () => {
  it.each([
    [
      'a body that is not JSON',
      () => new Response('<html>', { status: 200 }),
      'malformed response (Failed to read the token response: it is neither a JSON object nor form-encoded)',
    ],
    [
      'a token response without access_token',
      () => Response.json({ refresh_token: 'rt-leaked' }),
      'malformed response (Failed to read the token response: `access_token` is missing or not a string)',
    ],
    [
      'a DPoP token',
      () => Response.json({ access_token: 'at-dpop', token_type: 'DPoP', refresh_token: 'rt-dpop' }),
      'malformed response (Failed to read the token response: `token_type` is not "Bearer" (sender-constrained tokens need the `dpop` option))',
    ],
  ])('%s: tokens kept, one call, refresh-failed malformed-response final, refreshing paused', async (_case, answer, detail) => {
    const { refresher, network, store, announcements, sleeps, machine, attempts } = await setup();
    network.route(TOKEN_ENDPOINT, answer);

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    const message = `Failed to refresh the access token: ${detail}`;
    expect(!result.ok && result.error.message).toBe(message);
    expect(network.sent).toHaveLength(1);
    expect(sleeps.delays).toEqual([]);
    expect(announcements.of('refresh-failed')).toMatchObject([
      { reason: 'malformed-response', status: 200, attempt: 1, final: true, error: { name: 'RefreshFailedError', message } },
    ]);
    expect(await store.read()).toMatchObject({ generation: 1, tokens: { accessToken: 'at-1', refreshToken: 'rt-1' }, failedCycles: 1 });
    expect(machine.state()).toBe('backoff');
    expect(attempts).toEqual(['started', 'failed']);
    expect(JSON.stringify([announcements.all, result.ok ? null : result.error.message])).not.toMatch(/at-1|rt-1|at-dpop|rt-dpop|rt-leaked/);
  });
});

describe('Refresher: the pause after a failed cycle', () => {
  async function failedCycle() {
    const harness = await setup({ backoff: { maxAttempts: 2 } });
    const answer: { next: () => Response } = { next: status(503) };
    harness.network.route(TOKEN_ENDPOINT, () => answer.next());
    await harness.refresher.refresh(1, refreshTrigger());
    expect(harness.network.sent).toHaveLength(2);
    return { ...harness, answer };
  }

  it('during the pause refresh() answers at once with a failure and no server call', async () => {
    const { refresher, network, announcements, machine } = await failedCycle();
    const before = announcements.all.length;
    vi.setSystemTime(NOW + FIRST_PAUSE - 1);

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    expect(!result.ok && result.error).toBeInstanceOf(RefreshFailedError);
    expect(!result.ok && result.error.message).toBe(
      'Failed to refresh the access token: refreshing is paused for 1 s after repeated failures',
    );
    expect(network.sent).toHaveLength(2);
    expect(announcements.all).toHaveLength(before);
    expect(refresher.inFlight).toBeUndefined();
    expect(machine.state()).toBe('backoff');
  });

  it('once the pause is over it calls the server again, and a success clears the pause', async () => {
    const { refresher, network, store, machine, answer } = await failedCycle();
    answer.next = () => tokenResponse({ access_token: 'at-2' });
    vi.setSystemTime(NOW + FIRST_PAUSE);

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: true, refreshed: true, record: { generation: 2 } });
    expect(network.sent).toHaveLength(3);
    expect(await store.read()).toMatchObject({ refreshBlockedUntil: 0, failedCycles: 0 });
    expect(machine.state()).toBe('authenticated');
    expect(machine.blockedUntil).toBe(0);
  });

  it('repeated failed cycles widen the pause with the time spent failing, up to maxCooldownMs (± half)', async () => {
    const { refresher, network, store, announcements } = await setup({ backoff: { maxAttempts: 1 } });
    network.route(TOKEN_ENDPOINT, status(503));
    const pauses: number[] = [];
    for (let cycle = 1; cycle <= 6; cycle++) {
      const start = Date.now();
      await refresher.refresh(1, refreshTrigger());
      const { refreshBlockedUntil, failedCycles } = await store.read();
      expect(failedCycles).toBe(cycle);
      expect(announcements.of('refresh-failed').at(-1)).toMatchObject({ final: true, retryAt: refreshBlockedUntil });
      pauses.push(refreshBlockedUntil - start);
      vi.setSystemTime(refreshBlockedUntil);
    }
    // The longer of 5 s doubling per cycle and the time failing so far, capped at 60 s; the jitter
    // of 0.5 gives each exactly.
    expect(pauses).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect((await store.read()).failingSince).toBe(NOW);
    expect(network.sent).toHaveLength(6);
  });

  it('a restarted worker honours the stored pause', async () => {
    const { config, network } = await failedCycle();
    const { refresher: restarted, machine } = await restartedWorker(config, network);

    const result = await restarted.refresh(1, refreshTrigger());

    expect(machine.state()).toBe('backoff');
    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    expect(network.sent).toHaveLength(2);
  });

  it('a pause another worker stored is honoured under the lock: no call, and this worker pauses too', async () => {
    const { refresher, network, machine, otherWorker } = await setup();
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'never-used' }));
    const other = await otherWorker();
    await other.store.pauseRefresh(NOW + 10_000, 1, NOW);

    const result = await refresher.refresh(1, refreshTrigger());

    expect(result).toMatchObject({ ok: false, sessionEnded: false });
    expect(!result.ok && result.error.message).toBe(
      'Failed to refresh the access token: another worker paused refreshing after repeated failures',
    );
    expect(network.sent).toHaveLength(0);
    expect(machine.state()).toBe('backoff');
    expect(machine.blockedUntil).toBe(NOW + 10_000);
  });
});

describe('Refresher: Idempotency-Key', () => {
  const keyOf = (sent: { headers: Headers }) => sent.headers.get('idempotency-key');

  it('is not sent unless configured (the refresh endpoint here is on another origin)', async () => {
    const { refresher, network, config } = await setup();
    expect(config.refreshIdempotencyKey).toBe(false);
    network.route(TOKEN_ENDPOINT, () => tokenResponse({ access_token: 'at-2' }));
    await refresher.refresh(1, refreshTrigger());
    expect(keyOf(network.sent[0]!)).toBeNull();
  });

  it('is the same on every retry of a refresh, and new for the next one', async () => {
    const { refresher, network } = await setup({ refreshIdempotencyKey: true });
    network.route(
      TOKEN_ENDPOINT,
      answers(
        status(503),
        () => Promise.reject(new TypeError('Failed to fetch')),
        () => tokenResponse({ access_token: 'at-2' }),
        () => tokenResponse({ access_token: 'at-3' }),
      ),
    );

    await refresher.refresh(1, refreshTrigger());
    await refresher.refresh(2, refreshTrigger());

    const keys = network.sent.map(keyOf);
    expect(keys[0]).toMatch(/^[\w-]{16,}$/);
    expect(keys.slice(0, 3)).toEqual([keys[0], keys[0], keys[0]]);
    expect(keys[3]).toMatch(/^[\w-]{16,}$/);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('survives a worker restart: a refresh left unanswered is retried with the same key', async () => {
    const { refresher, network, config } = await setup({ refreshIdempotencyKey: true, backoff: { maxAttempts: 1 } });
    network.route(
      TOKEN_ENDPOINT,
      answers(
        () => Promise.reject(new TypeError('Failed to fetch')),
        () => tokenResponse({ access_token: 'at-2' }),
      ),
    );
    await refresher.refresh(1, refreshTrigger());

    const { refresher: restarted } = await restartedWorker(config, network, NOW);
    vi.setSystemTime(NOW + 60_000); // after the pause
    expect(await restarted.refresh(1, refreshTrigger())).toMatchObject({ ok: true });

    expect(network.sent).toHaveLength(2);
    expect(keyOf(network.sent[1]!)).toBe(keyOf(network.sent[0]!));
  });
});
