import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoApp } from '../../demo/server/create-demo-app.js';
import type { DemoAppOptions } from '../../demo/server/demo-app-options.js';
import { parseClockOffset } from '../../demo/server/demo-clock.js';
import type { PendingFault } from '../../demo/server/fault-queue.js';
import type { RefreshLogEntry } from '../../demo/server/refresh-log.js';
import { startDemoServer, type DemoServer } from '../../demo/server/start-demo-server.js';
import { withWorkerBuild } from '../../demo/server/worker-build.js';

// The resilience hooks of the demo server: queued faults, the refresh log, the clock shift and the
// worker build number. In-process through `app.request()` unless a real socket is the point.

interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token: string;
}

const START = Date.UTC(2030, 0, 1);
const HOUR = 60 * 60 * 1000;
let now = START;
let app: ReturnType<typeof createDemoApp>;
const servers: DemoServer[] = [];

function makeApp(options: DemoAppOptions = {}): ReturnType<typeof createDemoApp> {
  return createDemoApp({ now: () => now, distDir: '/nonexistent-demo-dist', accessTokenTtl: 30, ...options });
}

beforeEach(() => {
  now = START;
  app = makeApp();
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function post(path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  return app.request(path, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    ...init,
  });
}

async function login(): Promise<TokenResponse> {
  const res = await post('/auth/login', { username: 'ada', password: 'x' });
  expect(res.status).toBe(200);
  return (await res.json()) as TokenResponse;
}

async function refresh(refreshToken: string, init: RequestInit = {}): Promise<Response> {
  return app.request('/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    ...init,
  });
}

async function me(accessToken: string): Promise<Response> {
  return app.request('/api/me', { headers: { Authorization: `Bearer ${accessToken}` } });
}

async function queueFaults(faults: unknown): Promise<PendingFault[]> {
  const res = await post('/demo/faults', faults);
  expect(res.status).toBe(200);
  return (await res.json()) as PendingFault[];
}

async function pendingFaults(): Promise<PendingFault[]> {
  return (await (await app.request('/demo/faults')).json()) as PendingFault[];
}

async function refreshLog(): Promise<RefreshLogEntry[]> {
  return (await (await app.request('/demo/refresh-log')).json()) as RefreshLogEntry[];
}

async function stats(): Promise<Record<string, number>> {
  return (await (await app.request('/demo/stats')).json()) as Record<string, number>;
}

/**
 * Waits for a condition by yielding to the event loop (setImmediate, never faked here), not by
 * sleeping: requests in flight get to run, and the wait ends the moment the condition holds.
 */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let turn = 0; turn < 2000; turn += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`Timed out waiting until ${what}`);
}

/** Tracks whether a promise settled, to assert that a held request is still held. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { promise, settled: () => settled };
}

const lastOutcome = async (): Promise<string | undefined> => (await refreshLog()).at(-1)?.outcome;

describe('POST /demo/faults: status and count', () => {
  it('answers the next `count` refreshes with the status instead of rotating', async () => {
    const session = await login();
    const queued = await queueFaults({ target: 'refresh', status: 503, count: 2 });
    expect(queued).toEqual([{ target: 'refresh', status: 503, count: 2, remaining: 2 }]);

    for (let i = 0; i < 2; i += 1) {
      const res = await refresh(session.refresh_token);
      expect(res.status).toBe(503);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(await res.text()).toBe('');
    }
    // Still the first refresh token: a faulted call must not have rotated it (a rotated one
    // presented again would be reuse, 400).
    const real = await refresh(session.refresh_token);
    expect(real.status).toBe(200);
    expect(await pendingFaults()).toEqual([]);
    expect(await stats()).toMatchObject({
      refreshCalls: 3,
      refreshAttempts: 3,
      faultsInjected: 2,
      reuseDetected: 0,
    });
  });

  it('applies queued faults first in, first out, each for its count, per target', async () => {
    const session = await login();
    await queueFaults([
      { target: 'refresh', status: 500 },
      { target: 'api', status: 502 },
    ]);
    const queued = await queueFaults({ target: 'refresh', status: 429, count: 2 });
    expect(queued.map((fault) => [fault.target, fault.status, fault.remaining])).toEqual([
      ['refresh', 500, 1],
      ['api', 502, 1],
      ['refresh', 429, 2],
    ]);

    expect((await refresh(session.refresh_token)).status).toBe(500);
    // The api fault is older than the 429 one but is for another target: it waits for an API call.
    expect((await refresh(session.refresh_token)).status).toBe(429);
    expect((await pendingFaults()).map((fault) => [fault.status, fault.remaining])).toEqual([
      [502, 1],
      [429, 1],
    ]);
    expect((await me(session.access_token)).status).toBe(502);
    expect((await refresh(session.refresh_token)).status).toBe(429);
    expect((await refresh(session.refresh_token)).status).toBe(200);
    expect((await refreshLog()).map((entry) => entry.outcome)).toEqual(['fault:500', 'fault:429', 'fault:429', 'rotated']);
  });

  it('sends Retry-After verbatim, as delay-seconds or as an HTTP-date', async () => {
    const session = await login();
    const httpDate = 'Wed, 21 Oct 2015 07:28:00 GMT';
    await queueFaults([
      { target: 'refresh', status: 503, retryAfter: '2' },
      { target: 'api', status: 429, retryAfter: httpDate },
    ]);
    expect((await refresh(session.refresh_token)).headers.get('Retry-After')).toBe('2');
    const api = await me(session.access_token);
    expect(api.status).toBe(429);
    expect(api.headers.get('Retry-After')).toBe(httpDate);
  });

  it('sends a raw body, e.g. truncated JSON with a 200, with the given content type', async () => {
    const session = await login();
    await queueFaults([
      { target: 'refresh', status: 200, body: '{"access_token":', contentType: 'application/json' },
      { target: 'refresh', status: 502, body: '<html>Bad gateway</html>' },
    ]);
    const truncated = await refresh(session.refresh_token);
    expect(truncated.status).toBe(200);
    expect(truncated.headers.get('Content-Type')).toBe('application/json');
    expect(await truncated.text()).toBe('{"access_token":');
    const html = await refresh(session.refresh_token);
    expect(html.headers.get('Content-Type')).toBe('text/plain;charset=UTF-8');
    expect(await html.text()).toBe('<html>Bad gateway</html>');
    expect((await refresh(session.refresh_token)).status).toBe(200);
  });

  it('matches api faults by path prefix, never faults preflights, keeps CORS, and counts like the API', async () => {
    const session = await login();
    await queueFaults([
      { target: 'api', status: 500, path: '/api/items' },
      { target: 'api', status: 401 },
    ]);
    const origin = 'http://127.0.0.1:4000';
    const auth = { Authorization: `Bearer ${session.access_token}` };

    const preflight = await app.request('/api/items/1', {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    // Not under /api/items: skips the first fault and takes the second.
    const other = await app.request('/api/me', { headers: { ...auth, Origin: origin } });
    expect(other.status).toBe(401);
    const items = await app.request('/api/items/1', { headers: { ...auth, Origin: origin } });
    expect(items.status).toBe(500);
    expect(items.headers.get('Access-Control-Allow-Origin')).toBe(origin);
    expect((await app.request('/api/items/1', { headers: auth })).status).toBe(200);
    expect(await stats()).toMatchObject({ apiCalls: 3, unauthorized: 1, faultsInjected: 2, preflights: 1 });
  });

  it('leaves WebSocket handshakes alone: the fault waits for the next fetch', async () => {
    const session = await login();
    await queueFaults({ target: 'api', status: 500 });
    const auth = { Authorization: `Bearer ${session.access_token}` };
    expect((await app.request('/api/me', { headers: { ...auth, Upgrade: 'websocket' } })).status).not.toBe(500);
    expect(await pendingFaults()).toHaveLength(1);
    expect((await me(session.access_token)).status).toBe(500);
  });

  it('rejects a bad fault with 400 and queues nothing, not even the good ones next to it', async () => {
    const bad: unknown[] = [
      {},
      { target: 'other' },
      { target: 'refresh', count: 0 },
      { target: 'refresh', status: 99 },
      { target: 'refresh', status: 503.5 },
      { target: 'refresh', retryAfter: '1' },
      { target: 'refresh', status: 503, retryAfter: 1 },
      { target: 'refresh', path: '/auth' },
      { target: 'api', path: 'api' },
      { target: 'api', status: 500, hang: true },
      { target: 'api', hang: true, drop: true },
      { target: 'api', status: 204, body: 'x' },
      { target: 'api', delayMs: -1 },
      { target: 'api', statuz: 500 },
      [],
      [{ target: 'api', status: 500 }, { target: 'nope' }],
    ];
    for (const body of bad) {
      const res = await post('/demo/faults', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = (await res.json()) as { error: string; error_description: string };
      expect(error.error).toBe('invalid_request');
      expect(error.error_description).toMatch(/^Failed to queue the fault: /);
    }
    const notJson = await post('/demo/faults', undefined, { headers: { 'Content-Type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect(await pendingFaults()).toEqual([]);
  });

  it('POST /demo/reset forgets queued faults and the refresh log', async () => {
    const session = await login();
    await queueFaults([
      { target: 'refresh', status: 503 },
      { target: 'api', status: 500 },
    ]);
    expect((await refresh(session.refresh_token)).status).toBe(503);
    expect(await refreshLog()).toHaveLength(1);
    expect((await post('/demo/reset')).status).toBe(204);
    expect(await pendingFaults()).toEqual([]);
    expect(await refreshLog()).toEqual([]);
    expect(await stats()).toMatchObject({ faultsInjected: 0, refreshAttempts: 0 });
  });
});

describe('POST /demo/faults: delays (fake setTimeout)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });

  it('delayMs without status holds the refresh, then the real handler rotates', async () => {
    const session = await login();
    await queueFaults({ target: 'refresh', delayMs: 5000 });
    const call = track(refresh(session.refresh_token));
    await until(async () => (await lastOutcome()) === 'pending', 'the refresh is held');

    await vi.advanceTimersByTimeAsync(4999);
    expect(call.settled()).toBe(false);
    expect(await refreshLog()).toEqual([{ at: START, outcome: 'pending' }]);

    await vi.advanceTimersByTimeAsync(1);
    const res = await call.promise;
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as TokenResponse;
    expect(rotated.refresh_token).not.toBe(session.refresh_token);
    expect(await refreshLog()).toEqual([{ at: START, outcome: 'rotated' }]);
    expect(await stats()).toMatchObject({ faultsInjected: 1, refreshAttempts: 1 });
  });

  it('delayMs without status still rotates after the client gave up (the new token is lost in flight)', async () => {
    const session = await login();
    await queueFaults({ target: 'refresh', delayMs: 1000 });
    const client = new AbortController();
    const call = track(refresh(session.refresh_token, { signal: client.signal }));
    await until(async () => (await lastOutcome()) === 'pending', 'the refresh is held');
    client.abort();
    await vi.advanceTimersByTimeAsync(1000);
    await call.promise;
    expect(await lastOutcome()).toBe('rotated');
    // The client never saw the new token; presenting the old one again is reuse.
    expect((await refresh(session.refresh_token)).status).toBe(400);
    expect(await lastOutcome()).toBe('reuse');
  });

  it('delayMs with a status answers the fault after the delay', async () => {
    const session = await login();
    await queueFaults({ target: 'api', status: 503, delayMs: 2000 });
    const call = track(me(session.access_token));
    await until(() => vi.getTimerCount() === 1, 'the API call is held');
    await vi.advanceTimersByTimeAsync(1999);
    expect(call.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await call.promise).status).toBe(503);
  });

  it('a client giving up during a faulted delay clears its timer, and nothing rotates', async () => {
    const session = await login();
    await queueFaults({ target: 'refresh', status: 503, delayMs: 60_000 });
    const client = new AbortController();
    const call = track(refresh(session.refresh_token, { signal: client.signal }));
    await until(() => vi.getTimerCount() === 1, 'the refresh is held');
    expect(await lastOutcome()).toBe('fault:503');
    client.abort();
    await call.promise;
    expect(vi.getTimerCount()).toBe(0);
    expect((await refresh(session.refresh_token)).status).toBe(200);
  });
});

describe('POST /demo/faults: hang and drop', () => {
  it('hang answers nothing until the client aborts, with no timer, and rotates nothing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const session = await login();
    await queueFaults({ target: 'refresh', hang: true });
    const client = new AbortController();
    const call = track(refresh(session.refresh_token, { signal: client.signal }));
    await until(async () => (await lastOutcome()) === 'fault:hang', 'the refresh hangs');
    // Many event-loop turns later it is still hanging, and nothing is scheduled to end it.
    for (let turn = 0; turn < 50; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(call.settled()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);

    client.abort();
    await call.promise;
    expect((await refresh(session.refresh_token)).status).toBe(200);
    expect(await stats()).toMatchObject({ faultsInjected: 1, refreshAttempts: 2, refreshCalls: 2 });
  });

  it('a hanging request does not keep the server from closing', async () => {
    const server = await startDemoServer({ port: 0, distDir: '/nonexistent-demo-dist' });
    const url = (path: string): URL => new URL(path, server.url);
    const login = await fetch(url('/auth/login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'x' }),
    });
    const { refresh_token } = (await login.json()) as TokenResponse;
    await fetch(url('/demo/faults'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ target: 'refresh', hang: true }),
    });
    const hanging = fetch(url('/auth/token'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token }).toString(),
    });
    const failure = hanging.then(
      () => 'answered',
      () => 'failed',
    );
    await until(async () => {
      const log = (await (await fetch(url('/demo/refresh-log'))).json()) as RefreshLogEntry[];
      return log.at(-1)?.outcome === 'fault:hang';
    }, 'the refresh hangs');

    await server.close();
    expect(await failure).toBe('failed');
  });

  it('drop destroys the socket without a response, and the server carries on', async () => {
    const server = await startDemoServer({ port: 0, distDir: '/nonexistent-demo-dist' });
    servers.push(server);
    const url = (path: string): URL => new URL(path, server.url);
    const login = await fetch(url('/auth/login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'x' }),
    });
    const { access_token, refresh_token } = (await login.json()) as TokenResponse;
    await fetch(url('/demo/faults'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([
        { target: 'api', drop: true },
        { target: 'refresh', drop: true },
      ]),
    });
    const headers = { Authorization: `Bearer ${access_token}` };
    await expect(fetch(url('/api/me'), { headers })).rejects.toThrow(TypeError);
    const refreshInit = {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token }).toString(),
    };
    await expect(fetch(url('/auth/token'), refreshInit)).rejects.toThrow(TypeError);

    expect((await fetch(url('/api/me'), { headers })).status).toBe(200);
    expect((await fetch(url('/auth/token'), refreshInit)).status).toBe(200);
    const log = (await (await fetch(url('/demo/refresh-log'))).json()) as RefreshLogEntry[];
    expect(log.map((entry) => entry.outcome)).toEqual(['fault:drop', 'rotated']);
    expect(await (await fetch(url('/demo/stats'))).json()).toMatchObject({ faultsInjected: 2, apiCalls: 2 });
  });
});

describe('GET /demo/refresh-log', () => {
  it('lists every refresh call with its arrival time on the server clock and its outcome', async () => {
    const session = await login();
    await queueFaults({ target: 'refresh', status: 503, retryAfter: '2' });
    expect((await refresh(session.refresh_token)).status).toBe(503);
    now += 2000;
    const rotated = (await (await refresh(session.refresh_token)).json()) as TokenResponse;
    now += 500;
    await refresh(session.refresh_token); // reused: the family is revoked
    now += 500;
    await refresh(rotated.refresh_token); // revoked family
    await refresh('not-a-token');
    await app.request('/auth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
    });

    const log = await refreshLog();
    expect(log).toEqual([
      { at: START, outcome: 'fault:503' },
      { at: START + 2000, outcome: 'rotated' },
      { at: START + 2500, outcome: 'reuse' },
      { at: START + 3000, outcome: 'invalid_grant' },
      { at: START + 3000, outcome: 'invalid_grant' },
      { at: START + 3000, outcome: 'invalid_request' },
    ]);
    // What a "Retry-After respected" assertion reads: the gap between the faulted and next attempt.
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(await stats()).toMatchObject({ refreshAttempts: 6, refreshCalls: 6, faultsInjected: 1 });
  });
});

describe('server clock shift', () => {
  it('GET and POST /demo/clock read and set the offset', async () => {
    expect(await (await app.request('/demo/clock')).json()).toEqual({ offsetMs: 0, now: START });
    const res = await post('/demo/clock', { offsetMs: -HOUR });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ offsetMs: -HOUR, now: START - HOUR });
    expect(await (await app.request('/demo/clock')).json()).toEqual({ offsetMs: -HOUR, now: START - HOUR });
  });

  it('moves the Date header, iat/exp and expiry together, tokens living their TTL in the server frame', async () => {
    await post('/demo/clock', { offsetMs: HOUR });
    const shifted = START + HOUR;
    const ping = await app.request('/nocors/ping');
    expect(ping.headers.get('Date')).toBe(new Date(shifted).toUTCString());

    const session = await login();
    const claims = decodeJwt(session.access_token);
    expect(claims.iat).toBe(Math.floor(shifted / 1000));
    expect(claims.exp).toBe(Math.floor(shifted / 1000) + 30);
    expect((await me(session.access_token)).status).toBe(200);
    now += 29_000;
    const meRes = await me(session.access_token);
    expect(meRes.status).toBe(200);
    expect(meRes.headers.get('Date')).toBe(new Date(shifted + 29_000).toUTCString());
    now += 1_000;
    expect((await me(session.access_token)).status).toBe(401);
    expect((await app.request('/demo/requests')).headers.get('Date')).toBe(new Date(shifted + 30_000).toUTCString());
  });

  it('judges tokens issued before a shift by the shifted clock', async () => {
    const session = await login();
    await post('/demo/clock', { offsetMs: 31_000 });
    expect((await me(session.access_token)).status).toBe(401);
    await post('/demo/clock', { offsetMs: 0 });
    expect((await me(session.access_token)).status).toBe(200);
  });

  it('POST /demo/reset restores the starting offset, and tokens minted after it are not stamped in the future', async () => {
    app = makeApp({ clockOffsetMs: -60_000 });
    expect(await (await app.request('/demo/clock')).json()).toEqual({ offsetMs: -60_000, now: START - 60_000 });
    await post('/demo/clock', { offsetMs: HOUR });
    await login();
    await post('/demo/reset');
    expect(await (await app.request('/demo/clock')).json()).toEqual({ offsetMs: -60_000, now: START - 60_000 });

    const session = await login();
    expect(decodeJwt(session.access_token).iat).toBe(Math.floor((START - 60_000) / 1000));
    expect((await me(session.access_token)).status).toBe(200);
    now += 30_000;
    expect((await me(session.access_token)).status).toBe(401);
  });

  it('refuses offsets that are not whole milliseconds within a century', async () => {
    for (const body of [{ offsetMs: 1.5 }, { offsetMs: '1000' }, {}, { offsetMs: 10 ** 13 }, [1]]) {
      const res = await post('/demo/clock', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
    expect(await (await app.request('/demo/clock')).json()).toEqual({ offsetMs: 0, now: START });
    expect(() => makeApp({ clockOffsetMs: 0.5 })).toThrow(/clockOffsetMs/);
    expect(parseClockOffset('-300000')).toBe(-300_000);
    expect(parseClockOffset('+5')).toBe(5);
    expect(() => parseClockOffset('5m')).toThrow(/CLOCK_OFFSET_MS/);
  });

  it('sends the shifted Date over a real socket, replacing the one Node would add', async () => {
    const server = await startDemoServer({
      port: 0,
      distDir: '/nonexistent-demo-dist',
      now: () => now,
      clockOffsetMs: -2 * HOUR,
    });
    servers.push(server);
    const res = await fetch(new URL('/nocors/ping', server.url));
    expect(res.headers.get('Date')).toBe(new Date(START - 2 * HOUR).toUTCString());
  });

  it('main.ts reads CLOCK_OFFSET_MS', async () => {
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', CLOCK_OFFSET_MS: '-86400000', DEMO_DIST: '/nonexistent-demo-dist' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /listening on (http:\/\/localhost:\d+\/)\n/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`exited with ${String(code)} before listening`)));
      });
      const before = Date.now();
      const res = await fetch(new URL('/demo/clock', base));
      const after = Date.now();
      const { offsetMs, now: serverNow } = (await res.json()) as { offsetMs: number; now: number };
      expect(offsetMs).toBe(-86_400_000);
      expect(serverNow).toBeGreaterThanOrEqual(before - 86_400_000);
      expect(serverNow).toBeLessThanOrEqual(after - 86_400_000);
      // The header has one-second resolution.
      const date = Date.parse(res.headers.get('Date')!);
      expect(date).toBeGreaterThanOrEqual(before - 86_400_000 - 1000);
      expect(date).toBeLessThanOrEqual(after - 86_400_000);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 20_000);
});

describe('worker build number', () => {
  let dist: string;

  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'demo-dist-build-'));
    mkdirSync(join(dist, 'demo'), { recursive: true });
    writeFileSync(join(dist, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
    // Like the real build: the source-map comment last, no final newline.
    writeFileSync(join(dist, 'demo', 'auth-sw.js'), 'self.x=1;\n//# sourceMappingURL=auth-sw.js.map');
  });

  afterAll(() => {
    rmSync(dist, { recursive: true, force: true });
  });

  it('ends variant and demo worker scripts with the build line, which POST /demo/sw-build bumps', async () => {
    app = makeApp({ distDir: dist, swVariants: { memory: { refreshTokenStorage: 'memory' } } });
    const variantScript = async (): Promise<string> => (await app.request('/variants/memory/auth-sw.js')).text();
    const demoScript = async (): Promise<string> => {
      const res = await app.request('/auth-sw.js');
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('text/javascript');
      expect(res.headers.get('Cache-Control')).toBe('no-cache');
      return res.text();
    };
    const variantBody = `importScripts('/sw-auth-proxy.js');\nSwAuthProxy.installAuthProxy({"refreshTokenStorage":"memory"});\n`;
    const demoBody = 'self.x=1;\n//# sourceMappingURL=auth-sw.js.map\n';

    expect(await (await app.request('/demo/sw-build')).json()).toEqual({ build: 1 });
    expect(await variantScript()).toBe(`${variantBody}// worker build 1\n`);
    expect(await demoScript()).toBe(`${demoBody}// worker build 1\n`);

    expect(await (await post('/demo/sw-build')).json()).toEqual({ build: 2 });
    expect(await variantScript()).toBe(`${variantBody}// worker build 2\n`);
    expect(await demoScript()).toBe(`${demoBody}// worker build 2\n`);

    // Not undone by a reset: a number once served never comes back.
    await post('/demo/reset');
    expect(await (await app.request('/demo/sw-build')).json()).toEqual({ build: 2 });
    expect(await variantScript()).toBe(`${variantBody}// worker build 2\n`);
  });

  it('404s /auth-sw.js when the page is built without a worker', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'demo-dist-bare-'));
    try {
      mkdirSync(join(bare, 'demo'));
      writeFileSync(join(bare, 'demo', 'index.html'), '<!doctype html>');
      app = makeApp({ distDir: bare });
      expect((await app.request('/auth-sw.js')).status).toBe(404);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('withWorkerBuild puts the line on a line of its own', () => {
    expect(withWorkerBuild('a;\n', 3)).toBe('a;\n// worker build 3\n');
    expect(withWorkerBuild('a;', 3)).toBe('a;\n// worker build 3\n');
    expect(withWorkerBuild('', 3)).toBe('// worker build 3\n');
  });
});
