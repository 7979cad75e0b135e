import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { migrateV1, type SessionRecord, type SessionRecordV1, type StoredFlags } from './session-record.js';
import { sameRecord, type SessionStorage } from './session-storage.js';

interface AuthProxyDB extends DBSchema {
  state: { key: 'session'; value: SessionRecord } | { key: 'flags'; value: StoredFlags };
}

/**
 * v1: the session record. v2: refresh window, backoff and clock offset fields, and the flags key.
 * A new worker version opens the database at its version; the upgrade below rewrites older records
 * so an update mid-session keeps the user logged in.
 */
export const SCHEMA_VERSION = 2;

/** The upgrade transaction's store, typed loosely: it holds v1 records until they are rewritten. */
interface UpgradingStore {
  get(key: 'session'): Promise<unknown>;
  put(value: SessionRecord, key: 'session'): Promise<unknown>;
}

async function migrateStored(store: UpgradingStore): Promise<void> {
  const v1 = (await store.get('session')) as SessionRecordV1 | undefined;
  if (v1) await store.put(migrateV1(v1), 'session');
}

/**
 * The session record in IndexedDB (through idb), one connection per worker, given up whenever
 * another context needs the database: a newer worker version upgrading it, or the app deleting it
 * (`indexedDB.deleteDatabase`). Holding on would block them forever; the next operation here
 * opens a new connection (or fails, if the database moved to a version this worker does not know,
 * which `TokenStore` turns into "work from memory").
 */
export class IndexedDbStorage implements SessionStorage {
  readonly #name: string;
  #db: Promise<IDBPDatabase<AuthProxyDB>> | undefined;

  constructor(databaseName: string) {
    this.#name = databaseName;
  }

  #open(): Promise<IDBPDatabase<AuthProxyDB>> {
    if (this.#db) return this.#db;
    const opening = openDB<AuthProxyDB>(this.#name, SCHEMA_VERSION, {
      upgrade(db, oldVersion, _newVersion, transaction) {
        if (oldVersion < 1) db.createObjectStore('state');
        // Requests made on the upgrade transaction complete before openDB resolves, so the
        // migration is done before anyone reads; there is nothing to await here.
        if (oldVersion === 1) void migrateStored(transaction.objectStore('state'));
      },
      // Another context wants a newer version or a delete: let it have the database.
      blocking: () => this.#drop(opening),
      // The browser closed the connection (storage cleared, disk error).
      terminated: () => this.#forget(opening),
      // `blocked` (an older connection holds on) needs nothing here: the open stays pending and
      // completes once that connection closes; TokenStore bounds how long anyone waits for it.
    });
    this.#db = opening;
    opening.catch(() => this.#forget(opening));
    return opening;
  }

  #forget(connection: Promise<IDBPDatabase<AuthProxyDB>>): void {
    if (this.#db === connection) this.#db = undefined;
  }

  #drop(connection: Promise<IDBPDatabase<AuthProxyDB>>): void {
    this.#forget(connection);
    void connection.then(
      (db) => db.close(),
      () => undefined,
    );
  }

  /** Run `operation` on the connection; one that turned out closed is dropped, so the next call reopens. */
  async #with<T>(operation: (db: IDBPDatabase<AuthProxyDB>) => Promise<T>): Promise<T> {
    const connection = this.#open();
    try {
      return await operation(await connection);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'InvalidStateError') this.#forget(connection);
      throw error;
    }
  }

  get(): Promise<SessionRecord | undefined> {
    return this.#with(async (db) => (await db.get('state', 'session')) as SessionRecord | undefined);
  }

  replace(expected: SessionRecord | undefined, next: SessionRecord): Promise<boolean> {
    return this.#with(async (db) => {
      const tx = db.transaction('state', 'readwrite');
      const current = (await tx.store.get('session')) as SessionRecord | undefined;
      if (!sameRecord(current, expected)) {
        tx.abort();
        await tx.done.catch(() => undefined);
        return false;
      }
      await Promise.all([tx.store.put(next, 'session'), tx.done]);
      return true;
    });
  }

  getFlags(): Promise<StoredFlags | undefined> {
    return this.#with(async (db) => (await db.get('state', 'flags')) as StoredFlags | undefined);
  }

  putFlags(flags: StoredFlags): Promise<void> {
    return this.#with(async (db) => {
      await db.put('state', flags, 'flags');
    });
  }

  /** Close the connection (tests, and a disposed proxy). */
  close(): void {
    if (this.#db) this.#drop(this.#db);
  }
}
