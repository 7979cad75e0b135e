import { afterFailedAttempt, parseRetryAfter } from '../../sw/backoff.js';
import type { ResolvedConfig } from '../../sw/config.js';
import { refreshStartsAt, spreadRefreshStartsAt } from '../../sw/refresh-window.js';
import { resolveConfig } from '../../sw/resolve-config.js';
import type { FailureDecision, RefreshPolicy } from './refresh-policy.js';

/**
 * The worker's configuration for an app that sets nothing but its endpoints: the defaults come
 * from `resolveConfig` itself, so a change of a default changes the simulation too.
 */
export const DEFAULT_WORKER_CONFIG: ResolvedConfig = resolveConfig(
  {
    protectedOrigins: ['https://api.example.com'],
    tokenEndpoints: ['https://auth.example.com/oauth/token'],
    refreshEndpoint: 'https://auth.example.com/oauth/token',
  },
  'https://app.example.com/auth-sw.js',
);

/** The worker's refresh window (TokenStore#refreshAt): narrow on schedule, spread otherwise. */
const refreshWindow = (config: ResolvedConfig, random: () => number): RefreshPolicy['refreshStartsAt'] => {
  if (config.refreshAhead === false) throw new Error('Failed to model the worker: refreshAhead is off');
  const { fraction, minMs } = config.refreshAhead;
  return (issuedAt, expiresAt, onSchedule) =>
    (onSchedule ? refreshStartsAt : spreadRefreshStartsAt)(issuedAt, expiresAt, random, fraction, minMs);
};

/**
 * sw-auth-proxy: the worker's own refresh windows (`refreshStartsAt`, `spreadRefreshStartsAt`), its
 * retry-or-pause decision (`afterFailedAttempt`) and `Retry-After` parsing (`parseRetryAfter`),
 * with `random` as the worker's `env.random`.
 *
 * What `Refresher.#step` (sw/refresher.ts) adds around them needs a store, a lock and `fetch` for
 * each of 100,000 sessions: the inputs (time failing, time left, on schedule) are kept per session
 * by the simulation instead, and tests/unit/fleet-simulation.test.ts checks the result against the
 * real Refresher attempt by attempt.
 */
export function swAuthProxyPolicy(
  random: () => number,
  config: ResolvedConfig = DEFAULT_WORKER_CONFIG,
  id = 'sw-auth-proxy',
): RefreshPolicy {
  return {
    id,
    label: id,
    refreshStartsAt: refreshWindow(config, random),
    afterTransientFailure: ({ retryAfter, now, ...failure }): FailureDecision =>
      afterFailedAttempt({ ...failure, retryable: true, retryAfterMs: parseRetryAfter(retryAfter, null, now) }, config.backoff, random),
  };
}

/**
 * The same worker code with every random draw fixed at 0.5: the same mean delays and the same mean
 * refresh window, without the spread. What jitter buys is the difference to sw-auth-proxy.
 */
export function noJitterPolicy(config: ResolvedConfig = DEFAULT_WORKER_CONFIG): RefreshPolicy {
  return { ...swAuthProxyPolicy(() => 0.5, config, 'no jitter'), id: 'no-jitter' };
}

/** How long the naive clients wait between attempts. */
export const NAIVE_DELAY_MS = 1000;

/**
 * A naive client: the worker's refresh window (so only the retries differ), then after any
 * transient failure another attempt 1 s later, ignoring `Retry-After`. With `maxAttempts` it logs the
 * user out after that many failures in a row (what an interceptor that "retries 5 times, then
 * redirects to the login page" does); without, it retries forever.
 */
export function naivePolicy(
  random: () => number,
  maxAttempts: number | null,
  config: ResolvedConfig = DEFAULT_WORKER_CONFIG,
): RefreshPolicy {
  return {
    id: maxAttempts === null ? 'naive-forever' : 'naive-log-out',
    label: maxAttempts === null ? 'naive: 1 s, forever' : `naive: 1 s, ${maxAttempts} tries, log out`,
    refreshStartsAt: refreshWindow(config, random),
    afterTransientFailure: ({ attempt }) =>
      maxAttempts !== null && attempt >= maxAttempts ? { kind: 'log-out' } : { kind: 'retry', delayMs: NAIVE_DELAY_MS },
  };
}
