/** What a fault applies to: refresh-token grants at `POST /auth/token`, or `/api/*` requests. */
export type FaultTarget = 'refresh' | 'api';

/**
 * One fault, as posted to `POST /demo/faults` (a single object or an array of them). Faults queue
 * first in, first out: a matching request takes the oldest pending fault for its target, and each
 * fault applies to `count` requests before the next one's turn.
 *
 * What happens to a matching request:
 * - `hang`: no answer until the client gives up or the connection closes;
 * - `drop`: the socket is destroyed without a response (a network error for the client);
 * - `status`: that answer instead of the real handler (a faulted refresh never rotates anything);
 * - none of these: the real handler answers, after `delayMs`.
 *
 * `delayMs` comes first in every case: a slow 503, a slow drop, or (without `status`) a slow real
 * answer: the "refresh held open at the server" case, where the rotation happens after the delay.
 *
 * @example
 * ```ts
 * // The next two refreshes fail with 503 and Retry-After: 2, the third one is dropped.
 * await fetch('/demo/faults', {
 *   method: 'POST',
 *   headers: { 'Content-Type': 'application/json' },
 *   body: JSON.stringify([
 *     { target: 'refresh', status: 503, count: 2, retryAfter: '2' },
 *     { target: 'refresh', drop: true },
 *   ]),
 * });
 * ```
 */
export interface FaultSpec {
  readonly target: FaultTarget;
  /**
   * Answer with this status (200 to 599) instead of running the real handler.
   * @default none: the real handler answers (after `delayMs`), unless `hang` or `drop`
   */
  readonly status?: number;
  /**
   * How many matching requests get this fault before it is used up.
   * @default 1
   */
  readonly count?: number;
  /**
   * Hold the request this long (milliseconds) before the fault, or before the real handler when
   * there is no `status`, `hang` or `drop`. A client that gives up ends a delay before a faulted
   * answer; a delay before the real handler always runs out, like a slow server that never notices
   * the client left (so a refresh can rotate with nobody there to receive the new token).
   * @default 0
   */
  readonly delayMs?: number;
  /**
   * Never answer. Ends when the client aborts or the connection closes (server shutdown included);
   * no timer is involved, so nothing outlives the connection.
   * @default false
   */
  readonly hang?: boolean;
  /**
   * Sent verbatim as `Retry-After` (delay-seconds or an HTTP-date). Needs `status`.
   * @default no header
   */
  readonly retryAfter?: string;
  /**
   * The raw response body, e.g. truncated JSON `{"access_token":`. Needs `status`.
   * @default empty
   */
  readonly body?: string;
  /**
   * The `Content-Type` of `body`. Needs `status`.
   * @default none given: `text/plain;charset=UTF-8` for a body, no header without one
   */
  readonly contentType?: string;
  /**
   * Destroy the socket without a response.
   * @default false
   */
  readonly drop?: boolean;
  /**
   * Target `api` only: only requests whose path starts with this (e.g. `/api/items`).
   * @default every `/api/*` request (CORS preflights never match)
   */
  readonly path?: string;
}

/** The most milliseconds `setTimeout` can wait. */
const MAX_DELAY_MS = 2 ** 31 - 1;

const KEYS = new Set(['target', 'status', 'count', 'delayMs', 'hang', 'retryAfter', 'body', 'contentType', 'drop', 'path']);

/** Statuses whose responses cannot have a body (the Fetch `Response` constructor refuses one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * Checks the JSON of `POST /demo/faults` (one fault or an array) and returns the faults with
 * `count` filled in. Throws a `RangeError` naming the first problem, so a typo in a test fails at
 * the call, not as a mysteriously healthy server.
 */
export function parseFaultSpecs(value: unknown): (FaultSpec & { readonly count: number })[] {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw invalid('expected a fault object or a non-empty array of them');
  return items.map((item, index) => parseFaultSpec(item, items.length === 1 ? '' : `[${index}] `));
}

function parseFaultSpec(value: unknown, where: string): FaultSpec & { readonly count: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${where}not an object`);
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!KEYS.has(key)) throw invalid(`${where}unknown field "${key}"`);

  const { target, status, count = 1, delayMs, hang, retryAfter, body, contentType, drop, path } = input;
  if (target !== 'refresh' && target !== 'api') throw invalid(`${where}target must be "refresh" or "api"`);
  const spec: { -readonly [K in keyof FaultSpec]: FaultSpec[K] } & { count: number } = { target, count: 0 };

  if (!isInteger(count) || count < 1) throw invalid(`${where}count must be a positive integer`);
  spec.count = count;
  if (status !== undefined) {
    if (!isInteger(status) || status < 200 || status > 599) throw invalid(`${where}status must be an integer from 200 to 599`);
    spec.status = status;
  }
  if (delayMs !== undefined) {
    if (!isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
      throw invalid(`${where}delayMs must be an integer from 0 to ${MAX_DELAY_MS}`);
    }
    spec.delayMs = delayMs;
  }
  for (const [name, flag] of [
    ['hang', hang],
    ['drop', drop],
  ] as const) {
    if (flag !== undefined && typeof flag !== 'boolean') throw invalid(`${where}${name} must be a boolean`);
  }
  if (hang === true) spec.hang = true;
  if (drop === true) spec.drop = true;
  if ([spec.status !== undefined, spec.hang, spec.drop].filter(Boolean).length > 1) {
    throw invalid(`${where}status, hang and drop exclude each other`);
  }

  for (const [name, header, text] of [
    ['retryAfter', 'Retry-After', retryAfter],
    ['contentType', 'Content-Type', contentType],
  ] as const) {
    if (text === undefined) continue;
    if (typeof text !== 'string' || !isHeaderValue(header, text)) throw invalid(`${where}${name} must be a valid header value`);
  }
  if (body !== undefined && typeof body !== 'string') throw invalid(`${where}body must be a string`);
  if (typeof retryAfter === 'string') spec.retryAfter = retryAfter;
  if (typeof contentType === 'string') spec.contentType = contentType;
  if (typeof body === 'string') spec.body = body;
  if ((spec.retryAfter ?? spec.contentType ?? spec.body) !== undefined && spec.status === undefined) {
    throw invalid(`${where}retryAfter, body and contentType need a status`);
  }
  if (spec.body !== undefined && spec.status !== undefined && NULL_BODY_STATUSES.has(spec.status)) {
    throw invalid(`${where}status ${spec.status} cannot have a body`);
  }

  if (path !== undefined) {
    if (target !== 'api') throw invalid(`${where}path only applies to target "api"`);
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalid(`${where}path must start with "/"`);
    spec.path = path;
  }
  return spec;
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** The Fetch `Headers` class is the authority on what a header value may contain. */
function isHeaderValue(name: string, value: string): boolean {
  try {
    new Headers().set(name, value);
    return true;
  } catch {
    return false;
  }
}

function invalid(reason: string): RangeError {
  return new RangeError(`Failed to queue the fault: ${reason}`);
}
