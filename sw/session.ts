import { AuthStateMachine } from './auth-state-machine.js';
import type { ResolvedConfig } from './config.js';
import type { CorsDiagnosis } from './cors-diagnosis.js';
import { generateDpopKey, type DpopKey } from './dpop-key.js';
import { DpopSigner, type SignedProof } from './dpop-signer.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import type { Environment } from './environment.js';
import type { Logger } from './logger.js';
import { revokeSession } from './logout.js';
import { PLACEHOLDER_PREFIX, type AuthStatus, type BroadcastEventMap, type BroadcastType, type RefreshTrigger } from './protocol.js';
import type { ProxyStatus } from './proxy-status.js';
import { RefreshLock } from './refresh-lock.js';
import { Refresher, type RefreshResult } from './refresher.js';
import { sameSession, type SessionRecord, type SessionTokens } from './session-record.js';
import type { SessionStorage } from './session-storage.js';
import type { TokenSet } from './token-response.js';
import { STORE_TIMEOUT_MS, TokenStore, hashToken, type RefreshTokenHandover } from './token-store.js';

export type Announce = <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]) => void;

export interface SessionOptions {
  config: ResolvedConfig;
  env: Environment;
  /** Tells every tab (and the other workers of the origin) what happened. */
  announce: Announce;
  status: ProxyStatus;
  logger: Logger;
  /** @default IndexedDB, in the database the config names */
  storage?: SessionStorage;
  /** The refresh window's jitter. @default env.random */
  refreshJitter?: () => number;
  /** `'memory'` mode in a page: how tabs share the refresh token (see `RefreshTokenHandover`). */
  handover?: RefreshTokenHandover;
  /** Tells the page why a cross-origin refresh failed (the refresher's). */
  cors?: CorsDiagnosis;
}

/** One protected request, as the session sees it: who sent it, and how long it may wait. */
export interface RequestContext {
  readonly clientId: string;
  readonly method: string;
  /** Already redacted: it goes into events and logs. */
  readonly url: string;
  /** The page's abort signal: an aborted request stops waiting. */
  readonly signal: AbortSignal | null;
  /** Keeps the worker alive for work that outlives the response (a background refresh). */
  readonly keepAlive: (promise: Promise<unknown>) => void;
  /**
   * When this request stops waiting for refreshes: `refreshTimeoutMs` after it first waited, for
   * all its waits together (before sending and after a 401), so no request waits twice as long.
   */
  waitDeadline: number | null;
}

/** What the page's own Authorization header means: none, one of ours to replace, or the app's own. */
export type AppAuthorization = 'none' | 'ours' | 'theirs';

/**
 * The one owner of the session. It holds the store, the state machine and the refresher, and it
 * alone decides which token a request goes out with, whether a 401 is refreshed and replayed or
 * handed back, what a refresh's result means for each request waiting on it, and what login,
 * logout and a pause do. The fetch handler asks and does the HTTP; nothing else writes the session.
 *
 * Everything it takes from its surroundings comes through `Environment` and `SessionStorage`, so
 * the same session runs in a service worker, a page, or a test on a virtual clock.
 */
export class Session {
  /** Settles once the session has been read after start-up (within the store's time bound). */
  readonly ready: Promise<void>;
  readonly #options: SessionOptions;
  readonly #store: TokenStore;
  readonly #machine: AuthStateMachine;
  readonly #refresher: Refresher;
  readonly #lock: RefreshLock;
  /**
   * Signs every proof of this context and keeps the servers' nonces. There even without `dpop`: a
   * session bound to a key stays bound after an update that turned `dpop` off.
   */
  readonly #dpop: DpopSigner;
  /** Requests waiting for a refresh right now, for the queue cap. */
  #waiting = 0;
  #queueFullAnnouncedFor: string | undefined;
  #debug = false;

  constructor(options: SessionOptions) {
    this.#options = options;
    const { config, env, announce, status, logger } = options;
    this.#store = new TokenStore(config.databaseName, config.refreshTokenStorage, {
      ...(options.storage ? { storage: options.storage } : {}),
      ...(options.handover ? { handover: options.handover } : {}),
      refreshAhead: config.refreshAhead,
      random: options.refreshJitter ?? (() => env.random()),
      env,
      onFault: (error) => {
        logger.debug('store-fault', { error: error.message });
        this.#report('error', error.toWire());
      },
    });
    // Read the session first, while the worker script is still being evaluated: the browser
    // dispatches the first fetch event only once evaluation is done, so by then the IndexedDB open
    // and read are under way (or done) instead of starting behind the rest of the set-up.
    const stored = this.#store.load();
    const flags = this.#store.readFlags();
    this.#machine = new AuthStateMachine('anonymous', 0, (state, previous) => {
      logger.debug('state', { state, previous });
      announce('state-changed', { state, previous });
    });
    this.#lock = new RefreshLock(env.locks, config.databaseName);
    this.#dpop = new DpopSigner(
      () => env.now(),
      (error) => this.report(error),
    );
    this.#refresher = new Refresher({
      dpop: this.#dpop,
      config,
      store: this.#store,
      machine: this.#machine,
      announce: (type, payload) => this.#report(type, payload),
      logger,
      env,
      lock: this.#lock,
      cors: options.cors,
      onAttempt: (outcome) => {
        if (outcome === 'started') status.counters.refreshes++;
        else if (outcome === 'failed') status.counters.refreshFailures++;
        else status.lastRefreshAt = env.now();
      },
    });
    this.ready = Promise.all([
      stored.then((record) => this.#machine.restore(record, env.now())),
      flags.then(({ debug }) => {
        this.#debug = debug;
        logger.enabled = debug;
      }),
    ]).then(() => undefined);
  }

  /** The state machine, for status and tests; only the session moves it. */
  get machine(): AuthStateMachine {
    return this.#machine;
  }

  /** The store, for status and tests; only the session writes it. */
  get store(): TokenStore {
    return this.#store;
  }

  /** The refresh cycle under way in this context, if any (its waiters, its trigger). */
  get refreshInFlight(): Refresher['inFlight'] {
    return this.#refresher.inFlight;
  }

  get refreshing(): boolean {
    return this.#refresher.inFlight !== undefined;
  }

  /**
   * Another context of the origin (an old or new worker version, a page engine) changed the
   * session: drop our copy and take the state from the store, not from the message.
   */
  async resync(): Promise<void> {
    this.#store.invalidate();
    this.#machine.restore(await this.#store.load(), this.#options.env.now());
  }

  /** The session a request goes out with, read when it goes out (after waiting for a slot). */
  current(): Promise<SessionRecord> {
    return this.#store.load();
  }

  /**
   * Before sending: wait for a refresh that replaces a token known to be useless, refresh first
   * when the token has expired by the worker's clock, or start a background refresh when the
   * token is inside its refresh window (the request goes out at once with the still-valid token).
   */
  async beforeSend(context: RequestContext): Promise<void> {
    const { env, logger } = this.#options;
    await this.ready;
    const record = await this.#store.load();
    const tokens = record.tokens;
    if (tokens === null) return;
    const now = env.now();
    const expired = tokens.expiresAt !== null && tokens.expiresAt <= now;
    const flight = this.#refresher.inFlight;
    if (flight) {
      if (flight.info.tokenRejected || expired) await this.#wait(context, () => this.#refresher.join()!);
      return;
    }
    if (!this.#machine.mayRefresh(now)) return;
    if (expired) {
      await this.#wait(context, () => this.#refresher.refresh(record.generation, this.#trigger('expired', context)));
      return;
    }
    if (tokens.refreshAt !== null && now >= tokens.refreshAt) {
      logger.debug('refresh-ahead', {
        generation: record.generation,
        msBeforeExpiry: tokens.expiresAt === null ? null : tokens.expiresAt - now,
      });
      context.keepAlive(this.#refresher.refresh(record.generation, this.#trigger('proactive', context), false));
    }
  }

  /**
   * Whether a request about to go out would now wait (a refresh for a rejected token started while
   * it waited for a slot): it gives its slot back and `awaitRefresh`es. One that `queued` for its
   * slot is held already, so it waits whatever `maxWaitingRequests` says: the cap bounds what
   * the refresh holds back beyond the network's limit, and moving a request from one wait to the
   * other holds nothing more (a storm of 2,000 requests would otherwise lose the ones past the cap).
   */
  wouldWait(context: RequestContext, queued: boolean): boolean {
    const flight = this.#refresher.inFlight;
    const budgetLeft = context.waitDeadline === null || context.waitDeadline > this.#options.env.now();
    const room = queued || this.#waiting < this.#options.config.maxWaitingRequests;
    return flight !== undefined && flight.info.tokenRejected && budgetLeft && room;
  }

  /** Wait for the refresh `wouldWait` found, within the request's budget. */
  async awaitRefresh(context: RequestContext, queued: boolean): Promise<void> {
    if (this.#refresher.inFlight === undefined) return;
    await this.#wait(context, () => this.#refresher.join()!, !queued);
  }

  /**
   * A request sent with `sentWith` came back 401 (refreshable): the tokens to replay it with, or
   * `null` to hand the 401 to the page. A request is replayed only within the session it was sent
   * in: after a logout or a new login its 401 stands, since a non-idempotent request of one user
   * must not run as another.
   */
  async afterUnauthorized(sentWith: SessionRecord, context: RequestContext): Promise<SessionTokens | null> {
    const { env } = this.#options;
    // The 401 may belong to a token another request has already replaced: replay with the newer
    // one rather than start a refresh cycle that would only find it, unless that one has expired
    // too (a slow request can outlive a whole token lifetime), in which case refresh from it.
    // Synchronously up to the refresh it starts or joins (the copy in memory is always there after
    // start-up), so a request that takes the slot this one frees already finds that refresh.
    const latest = this.#store.cached ?? (await this.#store.load());
    if (!sameSession(latest, sentWith)) return null;
    const newer = latest.generation > sentWith.generation;
    const newerValid = newer && (latest.tokens!.expiresAt === null || latest.tokens!.expiresAt > env.now());
    const result: RefreshResult | null = newerValid
      ? { ok: true, record: latest, refreshed: false }
      : await this.#wait(context, () =>
          this.#refresher.refresh(newer ? latest.generation : sentWith.generation, this.#trigger('unauthorized', context)),
        );
    if (!result?.ok || !sameSession(result.record, sentWith)) return null;
    return result.record.tokens;
  }

  /**
   * The tokens to send a request again with (an `apiRetry` after 429/503): the current ones of the
   * session it was first sent in, `null` for one sent without, `undefined` when that session is gone.
   */
  async tokensForResend(sentWith: SessionRecord): Promise<SessionTokens | null | undefined> {
    if (sentWith.tokens === null) return null;
    const latest = await this.#store.load();
    return sameSession(latest, sentWith) ? latest.tokens : undefined;
  }

  /**
   * Keep the page's own Authorization header unless its bearer value is one this proxy handed out
   * (the placeholder, or an access token of this session, current or earlier).
   */
  async claims(header: string | null, tokens: SessionTokens | null): Promise<AppAuthorization> {
    if (header === null) return 'none';
    const match = /^\s*(?:Bearer|DPoP)\s+(\S+)\s*$/i.exec(header);
    if (!match) return 'theirs';
    const value = match[1]!;
    if (value.startsWith(PLACEHOLDER_PREFIX)) return 'ours';
    if (tokens === null) return 'theirs';
    if (value === tokens.accessToken) return 'ours';
    if (tokens.previousTokenHashes.length === 0) return 'theirs';
    return tokens.previousTokenHashes.includes(await hashToken(value)) ? 'ours' : 'theirs';
  }

  /** The proofs and nonces of this context. */
  get dpop(): DpopSigner {
    return this.#dpop;
  }

  /**
   * With `dpop`: the key the next login is bound to, drawn now if there is none. Its thumbprint is
   * what an authorization request's `dpop_jkt` names, and it signs the code exchange.
   */
  async loginKey(): Promise<DpopKey | null> {
    if (this.#options.config.dpop === false) return null;
    await this.ready;
    return this.#store.pendingDpopKey(generateDpopKey);
  }

  /**
   * The `DPoP` proof for a request going out with `tokens`, or `null` for bearer tokens. The proof
   * names the request without its query (`htu`) and is dated in the server's time.
   */
  async proofFor(method: string, url: string, tokens: SessionTokens | null): Promise<SignedProof | null> {
    const key = tokens?.dpopKey;
    if (key === undefined) return null;
    const serverTimeOffsetMs = this.#store.cached?.serverTimeOffsetMs ?? 0;
    return this.#dpop.sign(key, { method, url, accessToken: tokens!.accessToken, serverTimeOffsetMs });
  }

  /** A token endpoint answered a login (its request signed with `dpopKey`): this is the session now. */
  async login(tokens: TokenSet, dpopKey?: DpopKey): Promise<SessionRecord> {
    await this.ready;
    const record = await this.#store.save(tokens, false, dpopKey);
    this.#machine.send({ type: 'logged-in' });
    this.#options.announce('logged-in', { generation: record.generation, expiresAt: record.tokens!.expiresAt });
    return record;
  }

  /**
   * The longest `logout` takes: a refresh attempt under way holds the lock up to
   * `refreshTimeoutMs`, the server calls share another, and each store step on the way (start-up,
   * reading, clearing, with a pending write tried first) is bounded by the store's timeout.
   */
  get logoutTimeoutMs(): number {
    return 2 * this.#options.config.refreshTimeoutMs + 8 * STORE_TIMEOUT_MS;
  }

  /**
   * End the session everywhere. The refresh token is read and the session cleared under the
   * refresh lock, so a refresh cannot rotate it in between (which would revoke the spent token and
   * leave the live one with the server). Waiting for the lock is bounded by one attempt's timeout;
   * past it the session is cleared anyway, since a logout must log out. Then the server is told
   * (RFC 7009 revocation, the app's logout endpoint), within `refreshTimeoutMs` together.
   *
   * @returns whether the server confirmed.
   */
  async logout(revoke: boolean): Promise<boolean> {
    const { config, env, announce } = this.#options;
    await this.ready;
    const end = async () => {
      const record = await this.#store.read();
      const refreshToken = this.#store.refreshTokenOf(record);
      await this.#store.clear('logged-out');
      return { record, refreshToken };
    };
    const ended = await this.#lock.run(end, env.timeout(config.refreshTimeoutMs)).catch(end);
    this.#machine.send({ type: 'logged-out' });
    const tokens = ended.record.tokens;
    const proof = config.logoutEndpoint === undefined ? null : await this.proofFor('POST', config.logoutEndpoint, tokens);
    const revoked = await revokeSession({ config, env }, tokens, revoke ? ended.refreshToken : null, proof?.proof ?? null);
    announce('logged-out', { revoked });
    return revoked;
  }

  /**
   * A tab became visible: refresh now if the token is inside its refresh window, so the user's
   * first click after a long absence does not wait for one.
   */
  async visible(clientId: string, keepAlive: (promise: Promise<unknown>) => void): Promise<{ refreshing: boolean }> {
    const { env, logger } = this.#options;
    await this.ready;
    const record = await this.#store.load();
    const refreshAt = record.tokens?.refreshAt ?? null;
    if (refreshAt === null || env.now() < refreshAt || !this.#machine.mayRefresh(env.now()) || this.refreshing) {
      return { refreshing: this.refreshing };
    }
    logger.debug('refresh-ahead', { generation: record.generation, trigger: 'visible' });
    keepAlive(this.#refresher.refresh(record.generation, { kind: 'visible', clientId, method: null, url: null }, false));
    return { refreshing: true };
  }

  async status(): Promise<AuthStatus> {
    await this.ready;
    const now = this.#options.env.now();
    const record = await this.#store.load();
    return this.#options.status.snapshot(record, this.#machine.state(now), this.#machine.blockedUntil, this.#debug, now);
  }

  /** Switch the debug log; kept in the store so a restarted worker keeps it. */
  async setDebug(enabled: boolean): Promise<boolean> {
    // After start-up has read the stored flag, or that read would undo this switch.
    await this.ready;
    this.#debug = enabled;
    this.#options.logger.enabled = enabled;
    await this.#store.writeFlags({ debug: enabled });
    return enabled;
  }

  /** Something failed that the page should hear of (a refused redirect, an unusable token response). */
  report(error: AuthProxyError): void {
    this.#report('error', error.toWire());
  }

  #report: Announce = (type, payload) => {
    const { status } = this.#options;
    if (type === 'error') status.lastError = payload as BroadcastEventMap['error'];
    if (type === 'refresh-failed') status.lastError = (payload as BroadcastEventMap['refresh-failed']).error;
    this.#options.announce(type, payload);
  };

  /**
   * Wait for the refresh `start` joins or starts, within the request's `refreshTimeoutMs` budget,
   * and not at all (`start` is then not called) when `maxWaitingRequests` are already waiting;
   * `counted: false` for a request held already (see `wouldWait`), which neither meets nor fills
   * that cap. `null` means "did not wait for an outcome": the caller goes on with what it has. An aborted
   * request stops waiting and rejects with its signal's reason, as its fetch would have.
   */
  async #wait(context: RequestContext, start: () => Promise<RefreshResult>, counted = true): Promise<RefreshResult | null> {
    const { config, env, logger } = this.#options;
    if (counted && this.#waiting >= config.maxWaitingRequests) {
      const id = this.#refresher.inFlight?.info.id ?? 'none';
      if (this.#queueFullAnnouncedFor !== id) {
        this.#queueFullAnnouncedFor = id;
        this.#report('queue-full', { waiting: this.#waiting, limit: config.maxWaitingRequests });
        logger.debug('queue-full', { waiting: this.#waiting, limit: config.maxWaitingRequests });
      }
      return null;
    }
    context.signal?.throwIfAborted();
    context.waitDeadline ??= env.now() + config.refreshTimeoutMs;
    const budget = context.waitDeadline - env.now();
    if (budget <= 0) return null;
    const outcome = start();
    if (counted) this.#waiting++;
    const stop = new AbortController();
    const signal = context.signal ? AbortSignal.any([stop.signal, context.signal]) : stop.signal;
    try {
      return await Promise.race([
        outcome,
        env.sleep(budget, signal).then(
          () => null,
          (reason: unknown) => {
            // Stopped because the outcome came: the race is already settled. Else the page aborted.
            if (stop.signal.aborted) return null;
            throw reason;
          },
        ),
      ]);
    } finally {
      stop.abort();
      if (counted) this.#waiting--;
    }
  }

  #trigger(kind: RefreshTrigger['kind'], context: RequestContext): RefreshTrigger {
    return { kind, clientId: context.clientId || null, method: context.method, url: context.url };
  }
}
