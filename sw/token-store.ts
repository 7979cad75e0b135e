import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RefreshAheadOptions, RefreshTokenStorage } from './config.js';
import { PLACEHOLDER_PREFIX } from './protocol.js';
import { refreshStartsAt } from './refresh-window.js';
import type { TokenSet } from './token-response.js';

/** The tokens of a logged-in session. */
export interface SessionTokens {
  accessToken: string;
  /** Only in `'indexeddb'` mode; `'memory'` keeps it in the worker, `'cookie'` leaves it to the server. */
  refreshToken: string | null;
  expiresAt: number | null;
  scope: string | null;
  /** When the worker received the access token (its own clock). */
  issuedAt: number;
  /** From when a request or a visible tab starts a proactive refresh; `null` if the lifetime is unknown. */
  refreshAt: number | null;
  /** The opaque value pages get instead of the access token; stable for the whole session. */
  placeholder: string;
  /**
   * SHA-256 (hex) of access tokens handed out earlier in this session, so a page that kept an old
   * one (with `exposeAccessToken`) gets the current one attached instead.
   */
  previousTokenHashes: string[];
}

/** The one record that describes the session. Written whole, so it is always consistent. */
export interface SessionRecord {
  /** Moves on every login, refresh and logout; a request remembers the generation it was sent with. */
  generation: number;
  tokens: SessionTokens | null;
  /** Why the last session ended, until the next login. */
  ended: 'logged-out' | 'expired' | null;
  /**
   * Refreshing is paused until then (epoch ms; 0 = not paused). Kept here rather than in memory so
   * a restarted worker, or the other version during an update, honours the same pause.
   */
  refreshBlockedUntil: number;
  /** Refresh cycles that failed in a row; widens the pause. */
  failedCycles: number;
  /** The server's clock minus the worker's, from the last token response. */
  serverTimeOffsetMs: number;
  /**
   * The `Idempotency-Key` of a refresh sent but not answered (the worker stopped, the network
   * dropped, the attempt timed out). Every retry for the same generation sends the same key, so a
   * server that already rotated can answer with the same result instead of seeing a reused
   * refresh token.
   */
  pendingRefreshKey: string | null;
  updatedAt: number;
}

/** Settings that outlive the worker but are not the session. */
export interface StoredFlags {
  debug: boolean;
}

/** The stored shapes, by schema version, for the migration path. */
export interface SessionRecordV1 {
  generation: number;
  tokens: Omit<SessionTokens, 'issuedAt' | 'refreshAt'> | null;
  ended: 'logged-out' | 'expired' | null;
  updatedAt: number;
}

interface AuthProxyDB extends DBSchema {
  state: { key: 'session'; value: SessionRecord } | { key: 'flags'; value: StoredFlags };
}

/**
 * v1: the session record. v2: refresh window, backoff and clock offset fields, and the flags key.
 * A new worker version opens the database at its version; the upgrade below rewrites older records
 * so an update mid-session keeps the user logged in.
 */
export const SCHEMA_VERSION = 2;
const MAX_PREVIOUS_HASHES = 16;

const EMPTY: SessionRecord = {
  generation: 0,
  tokens: null,
  ended: null,
  refreshBlockedUntil: 0,
  failedCycles: 0,
  serverTimeOffsetMs: 0,
  pendingRefreshKey: null,
  updatedAt: 0,
};

/** The upgrade transaction's store, typed loosely: it holds v1 records until they are rewritten. */
interface UpgradingStore {
  get(key: 'session'): Promise<unknown>;
  put(value: SessionRecord, key: 'session'): Promise<unknown>;
}

async function migrateStored(store: UpgradingStore): Promise<void> {
  const v1 = (await store.get('session')) as SessionRecordV1 | undefined;
  if (v1) await store.put(migrateV1(v1), 'session');
}

/** Bring a v1 record to v2: the refresh window is unknown, so it is treated as "refresh when asked". */
export function migrateV1(record: SessionRecordV1): SessionRecord {
  return {
    ...EMPTY,
    generation: record.generation,
    ended: record.ended,
    updatedAt: record.updatedAt,
    tokens: record.tokens ? { ...record.tokens, issuedAt: record.updatedAt, refreshAt: record.tokens.expiresAt } : null,
  };
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** SHA-256 as hex; used to recognise tokens without storing old ones in the clear. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The session in IndexedDB (through idb), so it survives the worker being stopped, with an
 * in-memory copy for the hot path. Every write is a read-modify-write in one transaction, so two
 * worker versions never interleave half a session.
 */
export class TokenStore {
  readonly #databaseName: string;
  readonly #mode: RefreshTokenStorage;
  #db: Promise<IDBPDatabase<AuthProxyDB>> | undefined;
  #cached: SessionRecord | undefined;
  /** `'memory'` mode: the refresh token, tied to the generation it belongs to. */
  #memoryRefreshToken: { generation: number; token: string } | undefined;

  readonly #random: () => number;
  readonly #refreshAhead: Required<RefreshAheadOptions> | false;

  constructor(
    databaseName: string,
    mode: RefreshTokenStorage,
    options: { refreshAhead?: Required<RefreshAheadOptions> | false; random?: () => number } = {},
  ) {
    this.#databaseName = databaseName;
    this.#mode = mode;
    this.#refreshAhead = options.refreshAhead ?? { fraction: 0.1, minMs: 5000 };
    this.#random = options.random ?? Math.random;
  }

  #refreshAt(tokens: TokenSet): number | null {
    if (tokens.expiresAt === null || this.#refreshAhead === false) return null;
    const { fraction, minMs } = this.#refreshAhead;
    return refreshStartsAt(tokens.issuedAt, tokens.expiresAt, this.#random, fraction, minMs);
  }

  #open(): Promise<IDBPDatabase<AuthProxyDB>> {
    this.#db ??= openDB<AuthProxyDB>(this.#databaseName, SCHEMA_VERSION, {
      upgrade(db, oldVersion, _newVersion, transaction) {
        if (oldVersion < 1) db.createObjectStore('state');
        // Requests made on the upgrade transaction complete before openDB resolves, so the
        // migration is done before anyone reads; there is nothing to await here.
        if (oldVersion === 1) void migrateStored(transaction.objectStore('state'));
      },
    }).catch((error: unknown) => {
      this.#db = undefined; // let the next call try again
      throw error;
    });
    return this.#db;
  }

  /** The session as last seen by this worker; reads IndexedDB only the first time. */
  async load(): Promise<SessionRecord> {
    return this.#cached ?? this.read();
  }

  /** The session as IndexedDB has it now (another worker version may have written it). */
  async read(): Promise<SessionRecord> {
    const db = await this.#open();
    this.#cached = ((await db.get('state', 'session')) as SessionRecord | undefined) ?? EMPTY;
    return this.#cached;
  }

  async readFlags(): Promise<StoredFlags> {
    const db = await this.#open();
    return ((await db.get('state', 'flags')) as StoredFlags | undefined) ?? { debug: false };
  }

  async writeFlags(flags: StoredFlags): Promise<void> {
    const db = await this.#open();
    await db.put('state', flags, 'flags');
  }

  /**
   * The idempotency key for refreshing the session at `generation`: the one already stored for an
   * unanswered attempt, or a new one, written before the request leaves.
   */
  async refreshKey(generation: number): Promise<string> {
    let key = '';
    await this.#update(async (current) => {
      key = current.generation === generation && current.pendingRefreshKey !== null ? current.pendingRefreshKey : randomId();
      return { ...current, pendingRefreshKey: key };
    });
    return key;
  }

  /** Record a failed refresh cycle: refreshing pauses until `until`, for every worker of the origin. */
  async pauseRefresh(until: number, failedCycles: number): Promise<SessionRecord> {
    return this.#update(async (current) => ({ ...current, refreshBlockedUntil: until, failedCycles }));
  }

  /** Forget the in-memory copy; the next `load` reads IndexedDB. */
  invalidate(): void {
    this.#cached = undefined;
  }

  /** The refresh token of `record`, wherever this mode keeps it. */
  refreshTokenOf(record: SessionRecord): string | null {
    if (this.#mode === 'memory') {
      return this.#memoryRefreshToken?.generation === record.generation ? this.#memoryRefreshToken.token : null;
    }
    return record.tokens?.refreshToken ?? null;
  }

  /**
   * Store a login (`continueSession: false`) or a refresh (`true`). A refresh without a new
   * refresh token keeps the old one; a rotated one replaces it in the same write.
   */
  async save(tokens: TokenSet, continueSession: boolean): Promise<SessionRecord> {
    return this.#update((current) => this.#next(tokens, current, continueSession));
  }

  /**
   * Store the answer to a refresh that started from the session at `fromGeneration`. If the session
   * moved on while the server answered (a logout, or a login in another tab), the tokens belong to a
   * session that is gone: nothing changes and `null` is returned, so a logout stays a logout.
   */
  async saveRefresh(tokens: TokenSet, fromGeneration: number): Promise<SessionRecord | null> {
    let moved = false;
    const record = await this.#update(async (current) => {
      moved = current.generation !== fromGeneration;
      return moved ? current : this.#next(tokens, current, true);
    });
    return moved ? null : record;
  }

  async #next(tokens: TokenSet, current: SessionRecord, continueSession: boolean): Promise<SessionRecord> {
    const previous = continueSession ? current.tokens : null;
    const previousTokenHashes = previous
      ? [await hashToken(previous.accessToken), ...previous.previousTokenHashes].slice(0, MAX_PREVIOUS_HASHES)
      : [];
    const refreshToken = tokens.refreshToken ?? (previous ? this.refreshTokenOf(current) : null);
    const generation = current.generation + 1;
    if (this.#mode === 'memory') {
      this.#memoryRefreshToken = refreshToken === null ? undefined : { generation, token: refreshToken };
    }
    return {
      generation,
      tokens: {
        accessToken: tokens.accessToken,
        refreshToken: this.#mode === 'indexeddb' ? refreshToken : null,
        expiresAt: tokens.expiresAt,
        issuedAt: tokens.issuedAt,
        refreshAt: this.#refreshAt(tokens),
        scope: tokens.scope ?? previous?.scope ?? null,
        placeholder: previous?.placeholder ?? PLACEHOLDER_PREFIX + randomId(),
        previousTokenHashes,
      },
      ended: null,
      refreshBlockedUntil: 0,
      failedCycles: 0,
      serverTimeOffsetMs: tokens.serverTimeOffsetMs,
      pendingRefreshKey: null,
      updatedAt: Date.now(),
    };
  }

  /**
   * End the session only if it is still the one at `generation` (a logout or a new login that
   * happened meanwhile stands). Returns whether it did.
   */
  async clearIfCurrent(generation: number, ended: 'logged-out' | 'expired'): Promise<boolean> {
    let cleared = false;
    await this.#update(async (current) => {
      cleared = current.generation === generation;
      return cleared ? this.#ended(current, ended) : current;
    });
    return cleared;
  }

  /** End the session; the generation still moves, so requests sent before know they are stale. */
  async clear(ended: 'logged-out' | 'expired'): Promise<SessionRecord> {
    return this.#update(async (current) => this.#ended(current, ended));
  }

  #ended(current: SessionRecord, ended: 'logged-out' | 'expired'): SessionRecord {
    this.#memoryRefreshToken = undefined;
    return { ...EMPTY, generation: current.generation + 1, ended, updatedAt: Date.now() };
  }

  async #update(change: (current: SessionRecord) => Promise<SessionRecord>): Promise<SessionRecord> {
    const db = await this.#open();
    // Hashing is async and an IndexedDB transaction closes when its task has nothing pending, so
    // compute the new record first, then write it only if nobody moved the generation meanwhile.
    for (;;) {
      const before = ((await db.get('state', 'session')) as SessionRecord | undefined) ?? EMPTY;
      const next = await change(before);
      const tx = db.transaction('state', 'readwrite');
      const now = ((await tx.store.get('session')) as SessionRecord | undefined) ?? EMPTY;
      if (now.generation !== before.generation) {
        tx.abort();
        await tx.done.catch(() => undefined);
        continue;
      }
      await Promise.all([tx.store.put(next, 'session'), tx.done]);
      this.#cached = next;
      return next;
    }
  }
}
