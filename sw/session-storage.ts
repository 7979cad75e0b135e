import type { SessionRecord, StoredFlags } from './session-record.js';

/**
 * Where the session record lives between worker starts: IndexedDB in a browser
 * (`IndexedDbStorage`), a map in tests. Every method may reject or never settle (a blocked
 * upgrade, a full disk, a database deleted under it); `TokenStore` bounds and absorbs that, so
 * implementations pass native errors through untouched.
 */
export interface SessionStorage {
  /** The stored record, `undefined` when there is none. */
  get(): Promise<SessionRecord | undefined>;
  /**
   * Write `next` only if the stored record is still `expected` (compared whole, `undefined` for
   * none), in one transaction. Resolves `false`, writing nothing, when someone else wrote first.
   */
  replace(expected: SessionRecord | undefined, next: SessionRecord): Promise<boolean>;
  getFlags(): Promise<StoredFlags | undefined>;
  putFlags(flags: StoredFlags): Promise<void>;
}

/** Records compare whole: any field another context changed (a pause, a key) counts. */
export function sameRecord(a: SessionRecord | undefined, b: SessionRecord | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
