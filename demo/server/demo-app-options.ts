import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { validateClockOffset } from './demo-clock.js';
import { validateSwVariants, type SwVariants } from './sw-variants.js';

/** Options of {@link createDemoApp}: everything except where the server listens. */
export interface DemoAppOptions {
  /**
   * Lifetime of access tokens in seconds (`exp = iat + accessTokenTtl`, and `expires_in`).
   * @default 30
   */
  accessTokenTtl?: number;
  /**
   * HS256 signing secret. Two servers given the same secret accept each other's access tokens.
   * @default 32 random bytes, different for every app
   */
  jwtSecret?: string;
  /**
   * Worker configurations served at `/variants/<name>/auth-sw.js`; `"{{self}}"` strings become the
   * server's origin. Names match `[a-z0-9-]+`.
   * @default {} (no variants)
   */
  swVariants?: SwVariants;
  /**
   * The build output: the demo page in `<distDir>/demo/`, the classic worker bundle at
   * `<distDir>/sw-auth-proxy.js`.
   * @default `<repo>/dist`
   */
  distDir?: string;
  /**
   * Wall clock in milliseconds. Tests move it to expire tokens and codes without waiting.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Shifts the server's clock (`now()` plus this) for everything that reads the time: JWT
   * `iat`/`exp`, expiry checks, logs and the HTTP `Date` header. `POST /demo/clock` changes it at
   * run time; `POST /demo/reset` restores this value.
   * @default 0
   */
  clockOffsetMs?: number;
}

/** {@link DemoAppOptions} with every default applied and every value checked. */
export interface ResolvedDemoAppOptions {
  readonly accessTokenTtl: number;
  readonly jwtSecret: Uint8Array;
  readonly swVariants: SwVariants;
  readonly distDir: string;
  readonly now: () => number;
  readonly clockOffsetMs: number;
}

/** Default access-token lifetime: short, so the demo shows refreshes without waiting long. */
export const DEFAULT_ACCESS_TOKEN_TTL = 30;

/** `<repo>/dist`, found from this file so the server works from any working directory. */
export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../dist', import.meta.url));

/** Applies defaults and fails early on values that would only break later, inside a browser. */
export function resolveDemoAppOptions(options: DemoAppOptions = {}): ResolvedDemoAppOptions {
  const accessTokenTtl = options.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL;
  if (!Number.isInteger(accessTokenTtl) || accessTokenTtl <= 0) {
    throw new RangeError(`Failed to configure the demo server: accessTokenTtl must be a positive integer, got ${String(accessTokenTtl)}`);
  }
  if (options.jwtSecret !== undefined && options.jwtSecret.length === 0) {
    throw new RangeError('Failed to configure the demo server: jwtSecret must not be empty');
  }
  return {
    accessTokenTtl,
    jwtSecret: options.jwtSecret === undefined ? new Uint8Array(randomBytes(32)) : new TextEncoder().encode(options.jwtSecret),
    swVariants: validateSwVariants(options.swVariants ?? {}),
    distDir: options.distDir ?? DEFAULT_DIST_DIR,
    now: options.now ?? Date.now,
    clockOffsetMs: validateClockOffset(options.clockOffsetMs ?? 0, 'clockOffsetMs'),
  };
}
