import type { AuthStateMachine } from './auth-state-machine.js';
import { afterFailedAttempt, parseRetryAfter } from './backoff.js';
import type { ResolvedConfig } from './config.js';
import type { CorsDiagnosis } from './cors-diagnosis.js';
import type { DpopSigner } from './dpop-signer.js';
import type { Environment } from './environment.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { RefreshFailedError } from './errors/refresh-failed-error.js';
import { SessionExpiredError } from './errors/session-expired-error.js';
import type { Logger } from './logger.js';
import type { BroadcastEventMap, BroadcastType, RefreshFailureReason, RefreshTrigger, SessionEndReason } from './protocol.js';
import type { RefreshLock } from './refresh-lock.js';
import type { SessionRecord } from './session-record.js';
import { readTokenBody } from './token-body.js';
import { parseTokenResponse } from './token-response.js';
import type { TokenStore } from './token-store.js';

export type RefreshResult =
  | { ok: true; record: SessionRecord; /** false when another context had refreshed already */ refreshed: boolean }
  | { ok: false; sessionEnded: boolean; error: AuthProxyError };

export interface RefresherOptions {
  config: ResolvedConfig;
  store: TokenStore;
  machine: AuthStateMachine;
  announce: <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]) => void;
  logger?: Logger;
  env: Environment;
  /** Held for each attempt, so one attempt at a time runs across every context of the origin. */
  lock: RefreshLock;
  /** Signs the proof of each refresh of a DPoP-bound session, with the session's key. */
  dpop?: DpopSigner | null;
  /** Called for each call to the refresh endpoint, for counters and status. */
  onAttempt?: (outcome: 'started' | 'succeeded' | 'failed') => void;
  /** Tells the page why a cross-origin refresh failed, when the browser says only `TypeError`. */
  cors?: CorsDiagnosis | undefined;
}

/** A refresh cycle under way in this worker. */
export interface RefreshFlight {
  readonly id: string;
  /** The generation whose token is being replaced. */
  readonly from: number;
  readonly trigger: RefreshTrigger;
  /** A 401 or expiry started it: the current token is known to be useless, so new requests wait. */
  readonly tokenRejected: boolean;
  /** Requests waiting for the outcome. */
  waiters: number;
}

type AttemptOutcome =
  | { kind: 'done'; result: RefreshResult }
  | {
      kind: 'failed';
      retry: boolean;
      reason: RefreshFailureReason;
      status: number | null;
      retryAfterMs: number | null;
      error: RefreshFailedError;
      /** The session as the attempt read it, under the lock. */
      record: SessionRecord;
    };

const SESSION_ENDING_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

/** What the refresh endpoint is called in a `CorsError`. */
const REFRESH_ENDPOINT = 'the refresh endpoint';

/** Rotated refresh tokens remembered; more than a worker lives through between store writes. */
const MAX_SPENT = 8;

let flightCounter = 0;

/**
 * Refreshes the access token: one refresh cycle at a time inside this worker (single flight), one
 * attempt at a time across every worker of the origin (a Web Lock, queued rather than polled, so
 * an old and a new worker version never both spend the same refresh token), transient failures
 * retried or paused as `afterFailedAttempt` decides, and a pause that every worker of the origin
 * honours (it is stored with the session, with when the run of failures began).
 */
export class Refresher {
  readonly #options: RefresherOptions;
  #flight: { info: RefreshFlight; promise: Promise<RefreshResult> } | undefined;
  /** Refresh tokens this worker saw rotated, newest first. */
  #spent: string[] = [];

  constructor(options: RefresherOptions) {
    this.#options = options;
  }

  /** The refresh cycle under way, if any. */
  get inFlight(): { info: RefreshFlight; promise: Promise<RefreshResult> } | undefined {
    return this.#flight;
  }

  /** Wait for the cycle under way, counted among its waiters; `undefined` when there is none. */
  join(): Promise<RefreshResult> | undefined {
    const current = this.#flight;
    if (!current) return undefined;
    current.info.waiters++;
    return current.promise;
  }

  /**
   * Get a token newer than `seenGeneration` (the generation the failing or expiring request was
   * sent with). Joins a cycle already under way for that generation or a later one. While
   * refreshing is paused (`backoff`) or the session has ended, answers at once with a failure:
   * requests are not held during a pause.
   *
   * @param waiter whether the caller waits for the outcome (counted in `token-refreshed.waiters`).
   */
  refresh(seenGeneration: number, trigger: RefreshTrigger, waiter = true): Promise<RefreshResult> {
    const current = this.#flight;
    if (current && current.info.from >= seenGeneration) return waiter ? this.join()! : current.promise;
    const { machine, env } = this.#options;
    if (!machine.mayRefresh(env.now())) {
      const until = machine.blockedUntil;
      const error =
        until > 0
          ? new RefreshFailedError(
              `Failed to refresh the access token: refreshing is paused for ${Math.ceil((until - env.now()) / 1000)} s after repeated failures`,
            )
          : new SessionExpiredError('Failed to refresh the access token: there is no session');
      return Promise.resolve({ ok: false, sessionEnded: until === 0, error });
    }
    const info: RefreshFlight = {
      id: `r${env.now().toString(36)}${(flightCounter++).toString(36)}`,
      from: seenGeneration,
      trigger,
      tokenRejected: trigger.kind === 'unauthorized' || trigger.kind === 'expired',
      waiters: waiter ? 1 : 0,
    };
    const flight = { info, promise: this.#cycle(info) };
    flight.promise = flight.promise.finally(() => {
      if (this.#flight === flight) this.#flight = undefined;
    });
    this.#flight = flight;
    return flight.promise;
  }

  async #cycle(flight: RefreshFlight): Promise<RefreshResult> {
    const { machine, announce, logger, env } = this.#options;
    const startedAt = env.now();
    machine.send({ type: 'refresh-started' });
    announce('refresh-started', { refreshId: flight.id, trigger: flight.trigger, fromGeneration: flight.from, at: startedAt });
    logger?.debug('refresh-started', { refreshId: flight.id, trigger: flight.trigger.kind, fromGeneration: flight.from });
    try {
      let firstFailureAt: number | null = null;
      for (let attempt = 1; ; attempt++) {
        const step = await this.#options.lock.run(() => this.#step(flight, attempt, firstFailureAt));
        if (step.kind === 'retry') {
          firstFailureAt ??= step.failedAt;
          await env.sleep(step.delay);
          continue;
        }
        if (step.result.ok) {
          machine.send({ type: 'refresh-succeeded' });
          if (step.result.refreshed) {
            announce('token-refreshed', {
              generation: step.result.record.generation,
              expiresAt: step.result.record.tokens?.expiresAt ?? null,
              refreshId: flight.id,
              trigger: flight.trigger,
              attempts: attempt,
              waiters: flight.waiters,
              durationMs: env.now() - startedAt,
            });
          }
          logger?.debug('refresh-done', {
            refreshId: flight.id,
            generation: step.result.record.generation,
            refreshed: step.result.refreshed,
            attempts: attempt,
          });
        }
        return step.result;
      }
    } catch (error) {
      // Nothing above is meant to throw (the store absorbs its faults); if something does, the
      // waiting requests still get an answer and the state leaves `refreshing`.
      machine.send({ type: 'refresh-gave-up', until: env.now() });
      logger?.debug('refresh-crashed', { refreshId: flight.id, error: error instanceof Error ? error.name : 'unknown' });
      return { ok: false, sessionEnded: false, error: new RefreshFailedError('Failed to refresh the access token: internal error') };
    }
  }

  /**
   * One attempt, under the lock, and what it means: done, retry after a delay, or give up and pause
   * (`afterFailedAttempt` decides). The pause is written before the lock is released, so the next
   * worker in the queue for it finds the pause instead of calling the server in the same window.
   *
   * @param firstFailureAt when this cycle's first attempt failed, if one did.
   */
  async #step(
    flight: RefreshFlight,
    attempt: number,
    firstFailureAt: number | null,
  ): Promise<{ kind: 'done'; result: RefreshResult } | { kind: 'retry'; delay: number; failedAt: number }> {
    const { machine, announce, config, logger, env, store } = this.#options;
    const outcome = await this.#attempt(flight, attempt);
    if (outcome.kind === 'done') return outcome;
    const now = env.now();
    const { record } = outcome;
    // A run of failures may span cycles and workers: it began with the first one stored, if any.
    const failingSince = record.failingSince > 0 ? record.failingSince : (firstFailureAt ?? now);
    const expiresAt = record.tokens?.expiresAt ?? null;
    const decision = afterFailedAttempt(
      {
        attempt,
        retryable: outcome.retry,
        retryAfterMs: outcome.retryAfterMs,
        // A rejected token is useless whatever its expiry says; one of unknown lifetime too.
        tokenValidForMs: flight.tokenRejected || expiresAt === null ? 0 : Math.max(0, expiresAt - now),
        failedCycles: record.failedCycles,
        failingForMs: now - failingSince,
      },
      config.backoff,
      () => env.random(),
    );
    if (decision.kind === 'retry') {
      const delay = decision.delayMs;
      announce('refresh-failed', this.#failure(flight, outcome, attempt, false, now + delay));
      logger?.debug('refresh-retry', { refreshId: flight.id, attempt, reason: outcome.reason, status: outcome.status, delayMs: delay });
      return { kind: 'retry', delay, failedAt: now };
    }
    const cycles = record.failedCycles + 1;
    const until = now + decision.pauseMs;
    await store.pauseRefresh(until, cycles, failingSince);
    machine.send({ type: 'refresh-gave-up', until });
    announce('refresh-failed', this.#failure(flight, outcome, attempt, true, until));
    logger?.debug('refresh-paused', { refreshId: flight.id, attempt, reason: outcome.reason, cycles, pauseMs: decision.pauseMs });
    return { kind: 'done', result: { ok: false, sessionEnded: false, error: outcome.error } };
  }

  #failure(
    flight: RefreshFlight,
    outcome: Extract<AttemptOutcome, { kind: 'failed' }>,
    attempt: number,
    final: boolean,
    retryAt: number,
  ): BroadcastEventMap['refresh-failed'] {
    return {
      refreshId: flight.id,
      reason: outcome.reason,
      status: outcome.status,
      attempt,
      final,
      retryAt,
      waiters: flight.waiters,
      error: outcome.error.toWire(),
    };
  }

  /** One call to the refresh endpoint, made under the lock. */
  async #attempt(flight: RefreshFlight, attempt: number): Promise<AttemptOutcome> {
    const { store, config, env } = this.#options;
    // Re-read under the lock: another worker may have refreshed, ended or paused the session
    // while we queued.
    const record = await store.read();
    if (!record.tokens || record.generation > flight.from) return this.#adopt(record, 'there is no session');
    if (record.refreshBlockedUntil > env.now()) {
      this.#options.machine.send({ type: 'refresh-gave-up', until: record.refreshBlockedUntil });
      return {
        kind: 'done',
        result: {
          ok: false,
          sessionEnded: false,
          error: new RefreshFailedError('Failed to refresh the access token: another worker paused refreshing after repeated failures'),
        },
      };
    }
    const refreshToken = store.refreshTokenOf(record) ?? (await store.recallRefreshToken(record));
    if (refreshToken === null && config.refreshTokenStorage !== 'cookie') {
      return this.#endSession(
        flight,
        record,
        'no-refresh-token',
        'no refresh token is stored (memory mode loses it when the worker stops)',
      );
    }
    // The server rotated this one already; sending it again would look like theft to it. Only a
    // store that lost the rotated one (a failed write, overwritten) can hand it back.
    if (refreshToken !== null && this.#spent.includes(refreshToken)) {
      return this.#endSession(flight, record, 'no-refresh-token', 'the stored refresh token was already spent');
    }

    // Written before the request leaves, always: a store that cannot take this write cannot take
    // the rotated refresh token either, and a restarted worker (or the other version) would then
    // send the spent one again. Keep the refresh token unspent until the store works.
    const key = await store.refreshKey(record.generation);
    if (config.refreshTokenStorage === 'indexeddb' && !store.persisted) {
      return this.#failed(record, false, 'store-unavailable', null, null, 'the session store cannot be written');
    }
    const idempotencyKey = config.refreshIdempotencyKey ? key : null;
    this.#options.onAttempt?.('started');
    let response: Response;
    try {
      response = await this.#post(refreshToken, idempotencyKey, record);
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return this.#failed(
        record,
        true,
        timedOut ? 'timeout' : 'network',
        null,
        null,
        timedOut
          ? `no answer within ${config.refreshTimeoutMs} ms`
          : // Why, once the diagnosis of a cross-origin endpoint has found out (it runs beside the
            // refresh: the first failure of a burst says only this, and its `error` event follows).
            (this.#options.cors?.reason(config.refreshEndpoint, REFRESH_ENDPOINT) ?? 'network error'),
      );
    }

    if (response.status === 400 || response.status === 401) {
      const code = await readErrorCode(response);
      // Another context may have rotated the token between our read and the server's answer.
      const again = await store.read();
      this.#options.onAttempt?.('failed');
      if (again.generation !== record.generation) return this.#adopt(again, 'the session ended meanwhile');
      return this.#endSession(
        flight,
        record,
        code !== null && SESSION_ENDING_ERRORS.has(code) ? 'invalid_grant' : 'refresh-rejected',
        `the server answered ${response.status}${code === null ? '' : ` (${code})`}`,
      );
    }
    if (!response.ok) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), response.headers.get('date'), env.now());
      void response.body?.cancel().catch(() => undefined);
      return this.#failed(
        record,
        true,
        response.status === 429 ? 'rate-limited' : 'server-error',
        response.status,
        retryAfterMs,
        `the server answered ${response.status}`,
      );
    }

    let tokens;
    try {
      const type = record.tokens.dpopKey ? 'DPoP' : 'Bearer';
      // Read like a captured login (token-body.ts): JSON whatever the Content-Type, or form-encoded.
      const body = readTokenBody(await response.text());
      tokens = parseTokenResponse(body.format === 'other' ? null : body.fields, env.now(), response.headers.get('date'), type);
    } catch (error) {
      // Not retried: the server may have rotated the refresh token before sending the garbage, and
      // spending the old one again would look like theft. The stored tokens are kept.
      const reason = error instanceof Error && error.name === 'TokenResponseError' ? error.message : 'the body could not be read';
      return this.#failed(record, false, 'malformed-response', response.status, null, `malformed response (${reason})`);
    }
    if (refreshToken !== null && tokens.refreshToken !== null && tokens.refreshToken !== refreshToken) {
      this.#spent = [refreshToken, ...this.#spent].slice(0, MAX_SPENT);
    }
    // On schedule: the first try of a refresh ahead of expiry, with no failure before it. Any other
    // token comes when many sessions' may come (a recovery, a wave of logins) and is spread out.
    const onSchedule = attempt === 1 && record.failedCycles === 0 && !flight.tokenRejected;
    const saved = await store.saveRefresh(tokens, record.generation, onSchedule);
    this.#options.onAttempt?.('succeeded');
    // null: the session moved on while the server answered (a logout, or a login in another tab);
    // these tokens belong to a session that is gone, and storing them would undo the logout.
    if (saved === null) return this.#adopt(await store.read(), 'the session ended while the server answered');
    return { kind: 'done', result: { ok: true, record: saved, refreshed: true } };
  }

  /**
   * The session is no longer the one this refresh started from (another context refreshed, logged
   * in, logged out or ended it): use its tokens if it has any, without a call of our own.
   */
  #adopt(record: SessionRecord, detailIfNone: string): AttemptOutcome {
    return {
      kind: 'done',
      result: record.tokens
        ? { ok: true, record, refreshed: false }
        : { ok: false, sessionEnded: true, error: new SessionExpiredError(`Failed to refresh the access token: ${detailIfNone}`) },
    };
  }

  #failed(
    record: SessionRecord,
    retry: boolean,
    reason: RefreshFailureReason,
    status: number | null,
    retryAfterMs: number | null,
    detail: string,
  ): AttemptOutcome {
    this.#options.onAttempt?.('failed');
    return {
      kind: 'failed',
      retry,
      reason,
      status,
      retryAfterMs,
      error: new RefreshFailedError(`Failed to refresh the access token: ${detail}`),
      record,
    };
  }

  /**
   * The refresh request, one timeout for all of it. With a DPoP-bound session it carries a proof
   * of the session's key (the server binds the refresh token to it too); a server asking for its
   * nonce (`use_dpop_nonce`, RFC 9449 §8) gets one more try with it: the refresh token was not
   * looked at, so it is not spent.
   */
  async #post(refreshToken: string | null, idempotencyKey: string | null, record: SessionRecord): Promise<Response> {
    const { config, env, dpop, cors } = this.#options;
    const fields: Record<string, string> = { grant_type: 'refresh_token' };
    if (refreshToken !== null) fields['refresh_token'] = refreshToken;
    if (config.clientId !== undefined) fields['client_id'] = config.clientId;
    if (config.scope !== undefined) fields['scope'] = config.scope;
    const json = config.refreshBodyFormat === 'json';
    const key = record.tokens?.dpopKey;
    const signal = env.timeout(config.refreshTimeoutMs);
    const send = (proof: string | null) => {
      const init: RequestInit = {
        method: 'POST',
        headers: {
          'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          // draft-ietf-httpapi-idempotency-key-header: the same key on every retry of this refresh.
          ...(idempotencyKey === null ? {} : { 'Idempotency-Key': idempotencyKey }),
          ...(proof === null ? {} : { DPoP: proof }),
        },
        body: json ? JSON.stringify(fields) : new URLSearchParams(fields),
        credentials: config.refreshTokenStorage === 'cookie' ? 'include' : 'omit',
        cache: 'no-store',
        // Every waiting request depends on this one; in a storm it would otherwise queue behind
        // hundreds of API requests for the same host's six HTTP/1.1 connections.
        priority: 'high',
        signal,
      };
      return env.fetch(config.refreshEndpoint, init).catch((error: unknown) => {
        // Beside the refresh, not before its outcome: retries and waiting requests do not wait for it.
        const { credentials = 'omit' } = init;
        void cors?.failed(
          { url: config.refreshEndpoint, method: 'POST', credentials, headers: new Headers(init.headers) },
          error,
          REFRESH_ENDPOINT,
        );
        throw error;
      });
    };
    if (!key || !dpop) return send(null);
    return dpop.exchange(config.refreshEndpoint, async () => {
      const proof = await dpop.sign(key, { method: 'POST', url: config.refreshEndpoint, serverTimeOffsetMs: record.serverTimeOffsetMs });
      return { proof, response: await send(proof.proof) };
    });
  }

  async #endSession(flight: RefreshFlight, record: SessionRecord, reason: SessionEndReason, detail: string): Promise<AttemptOutcome> {
    const { store, machine, announce, logger } = this.#options;
    // End only the session this refresh was for; a logout or new login meanwhile stands.
    const cleared = await store.clearIfCurrent(record.generation, 'expired');
    const error = new SessionExpiredError(`Failed to refresh the access token: ${detail}`);
    if (cleared) {
      machine.send({ type: 'session-ended' });
      announce('session-expired', { reason, refreshId: flight.id });
      logger?.debug('session-expired', { refreshId: flight.id, reason });
    }
    return { kind: 'done', result: { ok: false, sessionEnded: true, error } };
  }
}

/** The RFC 6749 §5.2 `error` code, or `null` when the body is not such JSON. */
async function readErrorCode(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.json();
    const code = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['error'] : undefined;
    return typeof code === 'string' && /^[\x20-\x7e]{1,64}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}
