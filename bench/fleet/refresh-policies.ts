import { cooldownDelay, parseRetryAfter, retryDelay } from '../../sw/backoff.js';
import type { ResolvedConfig } from '../../sw/config.js';
import { refreshStartsAt } from '../../sw/refresh-window.js';
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

const refreshAheadOf = (config: ResolvedConfig) => {
  if (config.refreshAhead === false) throw new Error('Failed to model the worker: refreshAhead is off');
  return config.refreshAhead;
};

/**
 * sw-auth-proxy: the worker's own refresh window (`refreshStartsAt`), full-jitter retries
 * (`retryDelay`), `Retry-After` (`parseRetryAfter`) and the widening pause after a failed cycle
 * (`cooldownDelay`), with `random` as the worker's `env.random`.
 *
 * The few lines that decide between them are `Refresher.#step` (sw/refresher.ts), which needs a
 * store, a lock and `fetch` for each of 100,000 sessions; they are mirrored here, in the same order
 * of random draws, and tests/unit/fleet-simulation.test.ts checks the result against the real
 * Refresher attempt by attempt.
 */
export function swAuthProxyPolicy(
  random: () => number,
  config: ResolvedConfig = DEFAULT_WORKER_CONFIG,
  id = 'sw-auth-proxy',
): RefreshPolicy {
  const { backoff } = config;
  const { fraction, minMs } = refreshAheadOf(config);
  return {
    id,
    label: id,
    refreshStartsAt: (issuedAt, expiresAt) => refreshStartsAt(issuedAt, expiresAt, random, fraction, minMs),
    afterTransientFailure({ attempt, retryAfter, now, failedCycles }): FailureDecision {
      const retryAfterMs = parseRetryAfter(retryAfter, null, now);
      let delay = retryDelay(attempt, backoff, random);
      if (retryAfterMs !== null) delay = Math.max(delay, retryAfterMs);
      if (attempt < backoff.maxAttempts && delay <= backoff.capMs) return { kind: 'retry', delayMs: delay };
      return { kind: 'pause', pauseMs: Math.max(cooldownDelay(failedCycles + 1, backoff, random), retryAfterMs ?? 0) };
    },
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
  const { fraction, minMs } = refreshAheadOf(config);
  return {
    id: maxAttempts === null ? 'naive-forever' : 'naive-log-out',
    label: maxAttempts === null ? 'naive: 1 s, forever' : `naive: 1 s, ${maxAttempts} tries, log out`,
    refreshStartsAt: (issuedAt, expiresAt) => refreshStartsAt(issuedAt, expiresAt, random, fraction, minMs),
    afterTransientFailure: ({ attempt }) =>
      maxAttempts !== null && attempt >= maxAttempts ? { kind: 'log-out' } : { kind: 'retry', delayMs: NAIVE_DELAY_MS },
  };
}
