import type { ResolvedConfig } from './config.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { RefreshFailedError } from './errors/refresh-failed-error.js';
import { SessionExpiredError } from './errors/session-expired-error.js';
import type { BroadcastEventMap, BroadcastType, SessionEndReason } from './protocol.js';
import { parseTokenResponse } from './token-response.js';
import type { SessionRecord, TokenStore } from './token-store.js';

export type RefreshResult =
  | { ok: true; record: SessionRecord; /** false when another context had refreshed already */ refreshed: boolean }
  | { ok: false; sessionEnded: boolean; error: AuthProxyError };

/** The slice of the Web Locks API the refresher needs; tests pass an in-memory one. */
export interface LockRunner {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface RefresherOptions {
  config: ResolvedConfig;
  store: TokenStore;
  announce: <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]) => void;
  /** @default the worker's `navigator.locks` */
  locks?: LockRunner | undefined;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Called around each call to the refresh endpoint, for counters and status. */
  onAttempt?: (outcome: 'started' | 'succeeded' | 'failed') => void;
}

const SESSION_ENDING_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);

/**
 * Refreshes the access token: one refresh at a time inside this worker (single flight), and one
 * at a time across every worker of the origin (a Web Lock, queued rather than polled), so an old
 * and a new worker version never both spend the same refresh token.
 */
export class Refresher {
  readonly #options: RefresherOptions;
  #flight: { from: number; promise: Promise<RefreshResult> } | undefined;

  constructor(options: RefresherOptions) {
    this.#options = options;
  }

  /** The refresh under way, if any; requests arriving meanwhile wait for it instead of taking a 401. */
  get inFlight(): Promise<RefreshResult> | undefined {
    return this.#flight?.promise;
  }

  /**
   * Get a token newer than `seenGeneration`, the generation the failing request was sent with.
   * Joins a refresh already under way for that generation or a later one.
   */
  refresh(seenGeneration: number): Promise<RefreshResult> {
    const flight = this.#flight;
    if (flight && flight.from >= seenGeneration) return flight.promise;
    const promise = this.#underLock(seenGeneration).finally(() => {
      if (this.#flight?.promise === promise) this.#flight = undefined;
    });
    this.#flight = { from: seenGeneration, promise };
    return promise;
  }

  #underLock(seenGeneration: number): Promise<RefreshResult> {
    const locks = this.#options.locks ?? (globalThis as { navigator?: { locks?: LockRunner } }).navigator?.locks;
    const run = () => this.#refreshNow(seenGeneration);
    if (!locks) return run();
    return locks.request(`sw-auth-proxy:refresh:${this.#options.config.databaseName}`, run);
  }

  async #refreshNow(seenGeneration: number): Promise<RefreshResult> {
    const { store } = this.#options;
    // Re-read under the lock: another worker may have refreshed while we queued.
    const record = await store.read();
    if (record.tokens && record.generation > seenGeneration) return { ok: true, record, refreshed: false };
    if (!record.tokens) {
      return { ok: false, sessionEnded: true, error: new SessionExpiredError('Failed to refresh the access token: there is no session') };
    }
    const refreshToken = store.refreshTokenOf(record);
    if (refreshToken === null && this.#options.config.refreshTokenStorage !== 'cookie') {
      return this.#endSession('no-refresh-token', 'no refresh token is stored (memory mode loses it when the worker stops)');
    }

    this.#options.onAttempt?.('started');
    let response: Response;
    try {
      response = await this.#post(refreshToken);
    } catch (error) {
      const reason = error instanceof DOMException && error.name === 'TimeoutError'
        ? `no answer within ${this.#options.config.refreshTimeoutMs} ms`
        : 'network error';
      return this.#transientFailure(`Failed to refresh the access token: ${reason}`);
    }

    if (response.status === 400 || response.status === 401) {
      const code = await readErrorCode(response);
      // Another context may have rotated the token between our read and the server's answer.
      const again = await store.read();
      if (again.tokens && again.generation > record.generation) {
        this.#options.onAttempt?.('failed');
        return { ok: true, record: again, refreshed: false };
      }
      this.#options.onAttempt?.('failed');
      return this.#endSession(
        code !== null && SESSION_ENDING_ERRORS.has(code) ? 'invalid_grant' : 'refresh-rejected',
        `the server answered ${response.status}${code === null ? '' : ` (${code})`}`,
      );
    }
    if (!response.ok) {
      return this.#transientFailure(`Failed to refresh the access token: the server answered ${response.status}`);
    }

    let tokens;
    try {
      tokens = parseTokenResponse(await response.json(), Date.now());
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TokenResponseError' ? error.message : 'the body is not JSON';
      return this.#transientFailure(`Failed to refresh the access token: malformed response (${reason})`);
    }
    const saved = await store.saveRefresh(tokens, record.generation);
    this.#options.onAttempt?.('succeeded');
    if (saved === null) {
      // The session moved on while the server answered (a logout, or a login in another tab):
      // these tokens belong to a session that is gone, and storing them would undo the logout.
      const now = await store.read();
      return now.tokens
        ? { ok: true, record: now, refreshed: false }
        : { ok: false, sessionEnded: true, error: new SessionExpiredError('Failed to refresh the access token: the session ended while the server answered') };
    }
    this.#options.announce('token-refreshed', { generation: saved.generation, expiresAt: saved.tokens?.expiresAt ?? null });
    return { ok: true, record: saved, refreshed: true };
  }

  #post(refreshToken: string | null): Promise<Response> {
    const { config } = this.#options;
    const fields: Record<string, string> = { grant_type: 'refresh_token' };
    if (refreshToken !== null) fields['refresh_token'] = refreshToken;
    if (config.clientId !== undefined) fields['client_id'] = config.clientId;
    if (config.scope !== undefined) fields['scope'] = config.scope;
    const json = config.refreshBodyFormat === 'json';
    const doFetch = this.#options.fetch ?? fetch;
    return doFetch(config.refreshEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: json ? JSON.stringify(fields) : new URLSearchParams(fields),
      credentials: config.refreshTokenStorage === 'cookie' ? 'include' : 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(config.refreshTimeoutMs),
    });
  }

  #transientFailure(message: string): RefreshResult {
    this.#options.onAttempt?.('failed');
    const error = new RefreshFailedError(message);
    this.#options.announce('error', error.toWire());
    return { ok: false, sessionEnded: false, error };
  }

  async #endSession(reason: SessionEndReason, detail: string): Promise<RefreshResult> {
    await this.#options.store.clear('expired');
    this.#options.announce('session-expired', { reason });
    return { ok: false, sessionEnded: true, error: new SessionExpiredError(`Failed to refresh the access token: ${detail}`) };
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
