import { randomId } from './base64url.js';
import type { RefreshAheadOptions, RefreshTokenStorage } from './config.js';
import type { DpopKey } from './dpop-key.js';
import type { Environment } from './environment.js';
import { SessionStoreError } from './errors/session-store-error.js';
import { IndexedDbStorage } from './indexeddb-storage.js';
import { PLACEHOLDER_PREFIX } from './protocol.js';
import { refreshStartsAt, spreadRefreshStartsAt } from './refresh-window.js';
import { EMPTY_RECORD, type SessionRecord, type StoredFlags } from './session-record.js';
import type { SessionStorage } from './session-storage.js';
import type { TokenSet } from './token-response.js';

export type { SessionRecord, SessionTokens, StoredFlags } from './session-record.js';

const MAX_PREVIOUS_HASHES = 16;

/**
 * How long one store operation may take before the worker stops waiting for it. IndexedDB answers
 * in milliseconds; what takes longer is waiting without end (an upgrade blocked by an old
 * connection), and a request must not wait with it. A busy machine's slowest open measured here
 * was well under a second.
 */
export const STORE_TIMEOUT_MS = 3000;

/** Writes that lost a race in a row before the store gives up on one (another context keeps writing). */
const MAX_CONFLICTS = 8;

/** SHA-256 as hex; used to recognise tokens without storing old ones in the clear. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `'memory'` mode's refresh token, with the record it belongs to: its generation and its session. */
export interface MemoryRefreshToken {
  generation: number;
  session: string;
  token: string;
}

/**
 * How page engines share a `'memory'` refresh token: each tab's memory is its own, so the one that
 * receives a new token hands it to the others, and a tab that lacks it asks. Only page mode has
 * one; a worker's memory is every tab's already, and its refresh token never reaches a page.
 */
export interface RefreshTokenHandover {
  /** A new refresh token is this store's: give it to the other tabs. */
  publish(kept: MemoryRefreshToken): void;
  /** Ask the other tabs for the refresh token of this record; `null` when none answers in time. */
  recall(generation: number, session: string): Promise<string | null>;
}

export interface TokenStoreOptions {
  /** `'memory'` mode in a page: how tabs share the refresh token. */
  handover?: RefreshTokenHandover;
  /** @default IndexedDB, in the database named by the config */
  storage?: SessionStorage;
  refreshAhead?: Required<RefreshAheadOptions> | false;
  /** The refresh window's jitter. @default Math.random */
  random?: () => number;
  /** Clock and timers for the operation bound. @default the global ones */
  env?: Pick<Environment, 'now' | 'sleep'>;
  /** @default STORE_TIMEOUT_MS */
  timeoutMs?: number;
  /**
   * Called when the store stops working (once, until it works again): the session goes on from
   * memory. The error names the operation and the native error's name, never a value.
   */
  onFault?: (error: SessionStoreError) => void;
}

/** A record computed but not written, and the stored record it was computed from. */
interface Unwritten {
  base: SessionRecord | undefined;
  record: SessionRecord;
}

/**
 * The session record, kept in `SessionStorage` (IndexedDB) so it survives the worker being stopped,
 * with an in-memory copy for the hot path. Every write is a compare-and-replace of the whole
 * record, so two worker versions never interleave half a session or lose each other's updates.
 *
 * It never throws and never waits longer than `timeoutMs` per operation: when the storage fails
 * (full, disabled, blocked, deleted) it reports the fault once and goes on from memory, so a
 * refresh whose result cannot be written still hands its tokens to the waiting requests, and a
 * rotated refresh token is never replaced by the spent one on disk. The next operation tries to
 * write the remembered record again.
 */
export class TokenStore {
  readonly #storage: SessionStorage;
  readonly #mode: RefreshTokenStorage;
  readonly #refreshAhead: Required<RefreshAheadOptions> | false;
  readonly #random: () => number;
  readonly #env: Pick<Environment, 'now' | 'sleep'>;
  readonly #timeoutMs: number;
  readonly #onFault: (error: SessionStoreError) => void;
  #cached: SessionRecord | undefined;
  /** The record as the storage last had it, for the compare of a write made from memory. */
  #stored: SessionRecord | undefined;
  #unwritten: Unwritten | undefined;
  #faulty = false;
  /** Records this store wrote (or kept unwritten): a read that overlapped one is stale. */
  #writes = 0;
  /** When to try writing an unwritten record again from `load`. */
  #retryAt = 0;
  /**
   * `'memory'` mode: the refresh token, tied to the record it belongs to: its generation and its
   * session (generations start again from 0 when the database is deleted).
   */
  #memoryRefreshToken: MemoryRefreshToken | undefined;
  readonly #handover: RefreshTokenHandover | undefined;

  constructor(databaseName: string, mode: RefreshTokenStorage, options: TokenStoreOptions = {}) {
    this.#storage = options.storage ?? new IndexedDbStorage(databaseName);
    this.#mode = mode;
    this.#refreshAhead = options.refreshAhead ?? { fraction: 0.1, minMs: 5000 };
    this.#random = options.random ?? Math.random;
    this.#env = options.env ?? { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
    this.#timeoutMs = options.timeoutMs ?? STORE_TIMEOUT_MS;
    this.#onFault = options.onFault ?? (() => undefined);
    this.#handover = options.handover;
  }

  /** Whether every record this store made is in the storage (none waits in memory to be written). */
  get persisted(): boolean {
    return this.#unwritten === undefined;
  }

  /** The in-memory copy, if there is one: for decisions that must not wait a turn. */
  get cached(): SessionRecord | undefined {
    return this.#cached;
  }

  /**
   * The session as last seen by this worker; reads the storage only the first time. While a record
   * waits to be written, the write is tried again in the background, no more often than the
   * operation bound, so a request never waits for a storage that is known to fail.
   */
  async load(): Promise<SessionRecord> {
    if (this.#cached === undefined) return this.read();
    if (this.#unwritten !== undefined && this.#env.now() >= this.#retryAt) {
      // One write attempt per bound, however many requests load meanwhile.
      this.#retryAt = this.#env.now() + this.#timeoutMs;
      void this.read();
    }
    return this.#cached;
  }

  /** The session as the storage has it now (another worker version may have written it). */
  async read(): Promise<SessionRecord> {
    const writes = this.#writes;
    const stored = await this.#get('read the session');
    // A write of ours that finished meanwhile is newer than what this read saw.
    if (stored.ok && writes === this.#writes) this.#cached = stored.record ?? EMPTY_RECORD;
    // Failed: go on with what is known, and do not wait for the storage again on every load.
    this.#cached ??= EMPTY_RECORD;
    return this.#cached;
  }

  async readFlags(): Promise<StoredFlags> {
    const flags = await this.#bounded('read the settings', () => this.#storage.getFlags());
    return (flags.ok ? flags.value : undefined) ?? { debug: false };
  }

  async writeFlags(flags: StoredFlags): Promise<void> {
    await this.#bounded('write the settings', () => this.#storage.putFlags(flags));
  }

  /** Forget the in-memory copy; the next `load` reads the storage. */
  invalidate(): void {
    if (this.#unwritten === undefined) this.#cached = undefined;
  }

  /** The refresh token of `record`, wherever this mode keeps it. */
  refreshTokenOf(record: SessionRecord): string | null {
    if (this.#mode === 'memory') {
      const kept = this.#memoryRefreshToken;
      return kept !== undefined && kept.generation === record.generation && kept.session === record.tokens?.placeholder ? kept.token : null;
    }
    return record.tokens?.refreshToken ?? null;
  }

  /**
   * The refresh token of `record` from another tab's memory (page mode's hand-over), when this
   * store does not hold it: a tab opened after the login, or one whose token a peer rotated.
   */
  async recallRefreshToken(record: SessionRecord): Promise<string | null> {
    const session = record.tokens?.placeholder;
    if (this.#mode !== 'memory' || this.#handover === undefined || session === undefined) return null;
    const token = await this.#handover.recall(record.generation, session);
    if (token !== null) this.#memoryRefreshToken = { generation: record.generation, session, token };
    return this.refreshTokenOf(record);
  }

  /** `'memory'` mode: what this store holds, for a peer that asks (page mode's hand-over). */
  get memoryRefreshToken(): MemoryRefreshToken | undefined {
    return this.#memoryRefreshToken;
  }

  /** `'memory'` mode: a peer handed over the refresh token of a newer (or the same) record. */
  adoptRefreshToken(kept: MemoryRefreshToken): void {
    if (this.#mode !== 'memory') return;
    const held = this.#memoryRefreshToken;
    if (held === undefined || held.session !== kept.session || kept.generation >= held.generation) this.#memoryRefreshToken = { ...kept };
  }

  /**
   * The idempotency key for refreshing the session at `generation`: the one already stored for an
   * unanswered attempt, or a new one, written before the request leaves.
   */
  async refreshKey(generation: number): Promise<string> {
    const record = await this.#update(async (current) => ({
      ...current,
      pendingRefreshKey: current.generation === generation && current.pendingRefreshKey !== null ? current.pendingRefreshKey : randomId(),
    }));
    return record.pendingRefreshKey!;
  }

  /**
   * Record a failed refresh cycle: refreshing pauses until `until`, for every worker of the origin;
   * `failingSince` is when this run of failures began.
   */
  async pauseRefresh(until: number, failedCycles: number, failingSince: number): Promise<SessionRecord> {
    return this.#update(async (current) => ({ ...current, refreshBlockedUntil: until, failedCycles, failingSince }));
  }

  /**
   * The key the next login binds its tokens to (DPoP): the one drawn already, or `generate`'s,
   * written before it signs anything. When another context drew one meanwhile, that one is used.
   */
  async pendingDpopKey(generate: () => Promise<DpopKey>): Promise<DpopKey> {
    const drawn = (await this.load()).pendingDpopKey;
    if (drawn !== undefined) return drawn;
    const fresh = await generate();
    const record = await this.#update(async (current) => (current.pendingDpopKey ? current : { ...current, pendingDpopKey: fresh }));
    return record.pendingDpopKey!;
  }

  /**
   * Store a login (`continueSession: false`, bound to `dpopKey` when given) or a refresh (`true`,
   * bound to the session's key). A refresh without a new refresh token keeps the old one; a rotated
   * one replaces it in the same write.
   */
  async save(tokens: TokenSet, continueSession: boolean, dpopKey?: DpopKey): Promise<SessionRecord> {
    let refreshToken: string | null = null;
    const record = await this.#update(async (current) => {
      const next = await this.#next(tokens, current, continueSession, dpopKey);
      refreshToken = next.refreshToken;
      return next.record;
    });
    this.#keepInMemory(record, refreshToken);
    return record;
  }

  /**
   * Store the answer to a refresh that started from the session at `fromGeneration`. If the session
   * moved on while the server answered (a logout, or a login in another tab), the tokens belong to a
   * session that is gone: nothing changes and `null` is returned, so a logout stays a logout.
   */
  async saveRefresh(tokens: TokenSet, fromGeneration: number, onSchedule: boolean): Promise<SessionRecord | null> {
    let moved = false;
    let refreshToken: string | null = null;
    const record = await this.#update(async (current) => {
      moved = current.generation !== fromGeneration;
      if (moved) return current;
      const next = await this.#next(tokens, current, true, undefined, onSchedule);
      refreshToken = next.refreshToken;
      return next.record;
    });
    if (moved) return null;
    this.#keepInMemory(record, refreshToken);
    return record;
  }

  /**
   * End the session only if it is still the one at `generation` (a logout or a new login that
   * happened meanwhile stands). Returns whether it did.
   */
  async clearIfCurrent(generation: number, ended: 'logged-out' | 'expired'): Promise<boolean> {
    let cleared = false;
    const record = await this.#update(async (current) => {
      cleared = current.generation === generation;
      return cleared ? this.#ended(current, ended) : current;
    });
    if (cleared) this.#keepInMemory(record, null);
    return cleared;
  }

  /** End the session; the generation still moves, so requests sent before know they are stale. */
  async clear(ended: 'logged-out' | 'expired'): Promise<SessionRecord> {
    const record = await this.#update(async (current) => this.#ended(current, ended));
    this.#keepInMemory(record, null);
    return record;
  }

  /** `'memory'` mode keeps the refresh token only once its record is the session (after the write). */
  #keepInMemory(record: SessionRecord, refreshToken: string | null): void {
    if (this.#mode !== 'memory') return;
    this.#memoryRefreshToken =
      refreshToken === null || record.tokens === null
        ? undefined
        : { generation: record.generation, session: record.tokens.placeholder, token: refreshToken };
    if (this.#memoryRefreshToken) this.#handover?.publish(this.#memoryRefreshToken);
  }

  /** Logins and captured token calls come off schedule; a refresh says whether it came on schedule. */
  #refreshAt(tokens: TokenSet, onSchedule: boolean): number | null {
    if (tokens.expiresAt === null || this.#refreshAhead === false) return null;
    const { fraction, minMs } = this.#refreshAhead;
    const startsAt = onSchedule ? refreshStartsAt : spreadRefreshStartsAt;
    return startsAt(tokens.issuedAt, tokens.expiresAt, this.#random, fraction, minMs);
  }

  async #next(
    tokens: TokenSet,
    current: SessionRecord,
    continueSession: boolean,
    loginKey?: DpopKey,
    onSchedule = false,
  ): Promise<{ record: SessionRecord; refreshToken: string | null }> {
    const previous = continueSession ? current.tokens : null;
    const previousTokenHashes = previous
      ? [await hashToken(previous.accessToken), ...previous.previousTokenHashes].slice(0, MAX_PREVIOUS_HASHES)
      : [];
    const refreshToken = tokens.refreshToken ?? (previous ? this.refreshTokenOf(current) : null);
    const dpopKey = continueSession ? previous?.dpopKey : loginKey;
    // The login used the drawn key: the next login draws a new one.
    const pendingDpopKey =
      current.pendingDpopKey !== undefined && current.pendingDpopKey.thumbprint !== dpopKey?.thumbprint
        ? current.pendingDpopKey
        : undefined;
    const record: SessionRecord = {
      generation: current.generation + 1,
      tokens: {
        accessToken: tokens.accessToken,
        refreshToken: this.#mode === 'indexeddb' ? refreshToken : null,
        expiresAt: tokens.expiresAt,
        issuedAt: tokens.issuedAt,
        refreshAt: this.#refreshAt(tokens, onSchedule),
        scope: tokens.scope ?? previous?.scope ?? null,
        placeholder: previous?.placeholder ?? PLACEHOLDER_PREFIX + randomId(),
        previousTokenHashes,
        ...(dpopKey ? { dpopKey } : {}),
      },
      ended: null,
      refreshBlockedUntil: 0,
      failedCycles: 0,
      failingSince: 0,
      serverTimeOffsetMs: tokens.serverTimeOffsetMs,
      pendingRefreshKey: null,
      ...(pendingDpopKey ? { pendingDpopKey } : {}),
      updatedAt: this.#env.now(),
    };
    return { record, refreshToken };
  }

  #ended(current: SessionRecord, ended: 'logged-out' | 'expired'): SessionRecord {
    // The session's DPoP key ends with it; a key drawn for the next login (its thumbprint may be
    // in an authorization request under way) does not.
    const pending = current.pendingDpopKey ? { pendingDpopKey: current.pendingDpopKey } : {};
    return { ...EMPTY_RECORD, generation: current.generation + 1, ended, ...pending, updatedAt: this.#env.now() };
  }

  /**
   * The stored record, after writing a remembered one if the storage works again. `ok: false`: the
   * storage failed, and the caller goes on from memory.
   */
  async #get(action: string): Promise<{ ok: true; record: SessionRecord | undefined } | { ok: false }> {
    const pending = this.#unwritten;
    if (pending !== undefined) {
      const written = await this.#bounded('write the session', () => this.#storage.replace(pending.base, pending.record));
      if (!written.ok) return { ok: false };
      if (this.#unwritten === pending) this.#unwritten = undefined;
      // Someone else wrote meanwhile (another worker version, with a working store): theirs is the
      // session now; read it below.
      if (written.value) {
        this.#stored = pending.record;
        return { ok: true, record: pending.record };
      }
    }
    const stored = await this.#bounded(action, () => this.#storage.get());
    if (!stored.ok) return { ok: false };
    this.#stored = stored.value;
    return { ok: true, record: stored.value };
  }

  async #update(change: (current: SessionRecord) => Promise<SessionRecord>): Promise<SessionRecord> {
    // Hashing is async and an IndexedDB transaction closes when its task has nothing pending, so
    // compute the new record first, then replace the stored one only if it is still the one the
    // change was computed from.
    for (let conflicts = 0; ; conflicts++) {
      const stored = await this.#get('read the session');
      const base = stored.ok ? stored.record : (this.#unwritten?.base ?? this.#stored);
      const next = await change(stored.ok ? (stored.record ?? EMPTY_RECORD) : (this.#cached ?? EMPTY_RECORD));
      if (stored.ok) {
        const written = await this.#bounded('write the session', () => this.#storage.replace(base, next));
        if (written.ok && written.value) {
          this.#cached = next;
          this.#stored = next;
          this.#writes++;
          return next;
        }
        if (written.ok && conflicts < MAX_CONFLICTS) continue;
        if (written.ok) this.#fault('write the session', 'other contexts kept writing');
      }
      // Not written: this worker goes on with the new record and writes it when the storage works.
      this.#unwritten = { base, record: next };
      this.#cached = next;
      this.#writes++;
      return next;
    }
  }

  /** `operation` within the time bound; a failure is reported and absorbed. */
  async #bounded<T>(action: string, operation: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    const timedOut = Symbol('timed out');
    const stop = new AbortController();
    try {
      const result = await Promise.race([
        operation(),
        // Rejects when stopped below, after the race is settled: nobody is listening then.
        this.#env.sleep(this.#timeoutMs, stop.signal).then(
          () => timedOut,
          () => timedOut,
        ),
      ]);
      if (result === timedOut) {
        this.#fault(action, `no answer within ${this.#timeoutMs} ms`);
        return { ok: false };
      }
      this.#faulty = false;
      return { ok: true, value: result as T };
    } catch (error) {
      this.#fault(action, error instanceof Error ? error.name : 'unknown error');
      return { ok: false };
    } finally {
      stop.abort();
    }
  }

  #fault(action: string, reason: string): void {
    this.#retryAt = this.#env.now() + this.#timeoutMs;
    if (this.#faulty) return;
    this.#faulty = true;
    this.#onFault(new SessionStoreError(`Failed to ${action}: ${reason}; the session goes on from memory`));
  }
}
