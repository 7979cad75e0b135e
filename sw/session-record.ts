import type { DpopKey } from './dpop-key.js';

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
  /**
   * The opaque value pages get instead of the access token. Drawn at login and kept by every
   * refresh, so it also names the session: two records with the same placeholder are one session.
   */
  placeholder: string;
  /**
   * SHA-256 (hex) of access tokens handed out earlier in this session, so a page that kept an old
   * one (with `exposeAccessToken`) gets the current one attached instead.
   */
  previousTokenHashes: string[];
  /**
   * The DPoP key the tokens are bound to (RFC 9449): every request with them carries a proof it
   * signed. Absent: bearer tokens. It lives and ends with the session.
   */
  dpopKey?: DpopKey;
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
  /**
   * When the current run of failed refreshes began (epoch ms; 0 = none): the pause grows with it,
   * so sessions that started failing at different times come back at different times.
   */
  failingSince: number;
  /** The server's clock minus the worker's, from the last token response. */
  serverTimeOffsetMs: number;
  /**
   * The `Idempotency-Key` of a refresh sent but not answered (the worker stopped, the network
   * dropped, the attempt timed out). Every retry for the same generation sends the same key, so a
   * server that already rotated can answer with the same result instead of seeing a reused
   * refresh token.
   */
  pendingRefreshKey: string | null;
  /**
   * With `dpop`: the key the next login will be bound to, drawn before it (the page may need its
   * thumbprint for `dpop_jkt` in the authorization request) and kept so a worker restart between
   * authorization and code exchange still signs with it.
   */
  pendingDpopKey?: DpopKey;
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

/** No session has ever been stored. */
export const EMPTY_RECORD: SessionRecord = Object.freeze({
  generation: 0,
  tokens: null,
  ended: null,
  refreshBlockedUntil: 0,
  failedCycles: 0,
  failingSince: 0,
  serverTimeOffsetMs: 0,
  pendingRefreshKey: null,
  updatedAt: 0,
});

/** Bring a v1 record to v2: the refresh window is unknown, so it is treated as "refresh when asked". */
export function migrateV1(record: SessionRecordV1): SessionRecord {
  return {
    ...EMPTY_RECORD,
    generation: record.generation,
    ended: record.ended,
    updatedAt: record.updatedAt,
    tokens: record.tokens ? { ...record.tokens, issuedAt: record.updatedAt, refreshAt: record.tokens.expiresAt } : null,
  };
}

/** Whether two records belong to the same login (a refresh continues a session; a login starts one). */
export function sameSession(a: SessionRecord, b: SessionRecord): boolean {
  return a.tokens !== null && b.tokens !== null && a.tokens.placeholder === b.tokens.placeholder;
}
