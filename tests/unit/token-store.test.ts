import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import type { RefreshTokenStorage } from '../../sw/config.js';
import { PLACEHOLDER_PREFIX } from '../../sw/protocol.js';
import { SCHEMA_VERSION } from '../../sw/indexeddb-storage.js';
import { migrateV1, type SessionRecord, type SessionRecordV1 } from '../../sw/session-record.js';
import { TokenStore, hashToken } from '../../sw/token-store.js';
import type { TokenSet } from '../../sw/token-response.js';
import { tokenSet, uniqueDatabaseName } from './helpers/fixtures.js';

/** SHA-256("abc"), FIPS 180-2 appendix B.1. */
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

function newStore(mode: RefreshTokenStorage = 'indexeddb'): { store: TokenStore; databaseName: string } {
  const databaseName = uniqueDatabaseName();
  return { store: new TokenStore(databaseName, mode), databaseName };
}

const EMPTY: SessionRecord = {
  generation: 0,
  tokens: null,
  ended: null,
  refreshBlockedUntil: 0,
  failedCycles: 0,
  failingSince: 0,
  serverTimeOffsetMs: 0,
  pendingRefreshKey: null,
  updatedAt: 0,
};

/** The session exactly as IndexedDB holds it, read without the TokenStore. */
async function rawSession(databaseName: string): Promise<unknown> {
  const db = await openDB(databaseName);
  try {
    return await db.get('state', 'session');
  } finally {
    db.close();
  }
}

describe('hashToken', () => {
  it('is hex SHA-256', async () => {
    expect(await hashToken('abc')).toBe(SHA256_ABC);
  });
});

describe('TokenStore', () => {
  it('starts empty at generation 0', async () => {
    const { store } = newStore();
    expect(await store.load()).toEqual(EMPTY);
  });

  it('saves a login and loads it back', async () => {
    const { store, databaseName } = newStore();
    const saved = await store.save(
      tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1', issuedAt: 100, expiresAt: 123, scope: 'read', serverTimeOffsetMs: -4000 }),
      false,
    );

    expect(saved).toMatchObject({
      generation: 1,
      ended: null,
      serverTimeOffsetMs: -4000,
      refreshBlockedUntil: 0,
      failedCycles: 0,
      tokens: { accessToken: 'at-1', refreshToken: 'rt-1', issuedAt: 100, expiresAt: 123, scope: 'read', previousTokenHashes: [] },
    });
    expect(saved.tokens?.placeholder).toMatch(new RegExp(`^${PLACEHOLDER_PREFIX.replace('.', '\\.')}[A-Za-z0-9_-]{24}$`));
    expect(saved.updatedAt).toBeGreaterThan(0);
    expect(await store.load()).toEqual(saved);
    expect(await store.read()).toEqual(saved);
    expect(await rawSession(databaseName)).toEqual(saved);
  });

  it('moves the generation on every login, refresh and clear', async () => {
    const { store } = newStore();
    const generations = [(await store.load()).generation];
    generations.push((await store.save(tokenSet(), false)).generation);
    generations.push((await store.save(tokenSet({ accessToken: 'at-2' }), true)).generation);
    generations.push((await store.clear('logged-out')).generation);
    generations.push((await store.save(tokenSet({ accessToken: 'at-3' }), false)).generation);
    generations.push((await store.clear('expired')).generation);
    expect(generations).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a refresh with rotation stores the new refresh token in the same record as the new access token', async () => {
    const { store, databaseName } = newStore();
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
    await store.save(tokenSet({ accessToken: 'at-2', refreshToken: 'rt-2', expiresAt: 999 }), true);

    const raw = (await rawSession(databaseName)) as SessionRecord;
    expect(raw.generation).toBe(2);
    expect(raw.tokens).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2', expiresAt: 999 });
    expect(JSON.stringify(raw)).not.toContain('rt-1');
  });

  it('a refresh without a new refresh token keeps the old one, the placeholder and the scope', async () => {
    const { store } = newStore();
    const login = await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1', scope: 'read' }), false);
    const refreshed = await store.save(tokenSet({ accessToken: 'at-2', refreshToken: null, scope: null }), true);

    expect(refreshed.tokens).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-1', scope: 'read' });
    expect(refreshed.tokens?.placeholder).toBe(login.tokens?.placeholder);
    expect(store.refreshTokenOf(refreshed)).toBe('rt-1');
  });

  it('remembers the hashes of earlier access tokens of the session, newest first, at most 16', async () => {
    const { store } = newStore();
    await store.save(tokenSet({ accessToken: 'abc' }), false);
    const second = await store.save(tokenSet({ accessToken: 'at-2' }), true);
    expect(second.tokens?.previousTokenHashes).toEqual([SHA256_ABC]);

    const third = await store.save(tokenSet({ accessToken: 'at-3' }), true);
    expect(third.tokens?.previousTokenHashes).toEqual([await hashToken('at-2'), SHA256_ABC]);
    expect(JSON.stringify(third)).not.toContain('"abc"');

    let last = third;
    for (let i = 4; i <= 20; i++) last = await store.save(tokenSet({ accessToken: `at-${i}` }), true);
    expect(last.tokens?.previousTokenHashes).toHaveLength(16);
    expect(last.tokens?.previousTokenHashes[0]).toBe(await hashToken('at-19'));
    expect(last.tokens?.previousTokenHashes[15]).toBe(await hashToken('at-4'));
  });

  it('a new login starts a new session: new placeholder, no earlier hashes, not the old refresh token', async () => {
    const { store } = newStore();
    const first = await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1', scope: 'read' }), false);
    await store.save(tokenSet({ accessToken: 'at-2' }), true);
    const second = await store.save(tokenSet({ accessToken: 'at-9', refreshToken: null, scope: null }), false);

    expect(second.tokens).toMatchObject({ accessToken: 'at-9', refreshToken: null, scope: null, previousTokenHashes: [] });
    expect(second.tokens?.placeholder).not.toBe(first.tokens?.placeholder);
  });

  it('clear forgets the tokens and says why the session ended; the next login resets that', async () => {
    const { store, databaseName } = newStore();
    await store.save(tokenSet(), false);
    const cleared = await store.clear('expired');
    expect(cleared).toMatchObject({ generation: 2, tokens: null, ended: 'expired' });
    expect(await rawSession(databaseName)).toEqual(cleared);
    expect(store.refreshTokenOf(cleared)).toBeNull();

    expect((await store.clear('logged-out')).ended).toBe('logged-out');
    expect((await store.save(tokenSet(), false)).ended).toBeNull();
  });

  it('survives the worker restarting: a new TokenStore on the same database reads the same session', async () => {
    const { store, databaseName } = newStore();
    await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
    const saved = await store.save(tokenSet({ accessToken: 'at-2', refreshToken: 'rt-2' }), true);

    const restarted = new TokenStore(databaseName, 'indexeddb');
    const loaded = await restarted.load();
    expect(loaded).toEqual(saved);
    expect(restarted.refreshTokenOf(loaded)).toBe('rt-2');
  });

  it('load() serves the cached copy; read() and invalidate() pick up another worker version`s write', async () => {
    const { store: mine, databaseName } = newStore();
    const theirs = new TokenStore(databaseName, 'indexeddb');
    await mine.save(tokenSet({ accessToken: 'at-1' }), false);
    await theirs.save(tokenSet({ accessToken: 'at-other' }), true);

    expect((await mine.load()).tokens?.accessToken).toBe('at-1');
    mine.invalidate();
    expect((await mine.load()).tokens?.accessToken).toBe('at-other');

    await theirs.save(tokenSet({ accessToken: 'at-other-2' }), true);
    expect((await mine.read()).tokens?.accessToken).toBe('at-other-2');
    expect((await mine.load()).tokens?.accessToken).toBe('at-other-2');
  });

  it('two workers writing at once never lose an update: each write builds on the other', async () => {
    const { store: a, databaseName } = newStore();
    const b = new TokenStore(databaseName, 'indexeddb');
    await a.save(tokenSet({ accessToken: 'at-1' }), false);

    const [fromA, fromB] = await Promise.all([
      a.save(tokenSet({ accessToken: 'at-a' }), true),
      b.save(tokenSet({ accessToken: 'at-b' }), true),
    ]);
    const [earlier, later] = fromA.generation < fromB.generation ? [fromA, fromB] : [fromB, fromA];
    expect([earlier.generation, later.generation]).toEqual([2, 3]);
    expect(later.tokens?.previousTokenHashes).toEqual([await hashToken(earlier.tokens!.accessToken), await hashToken('at-1')]);
    expect(await a.read()).toEqual(later);
  });

  describe('saveRefresh', () => {
    it('stores a refresh of the session it started from, like save(tokens, true)', async () => {
      const { store } = newStore();
      await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
      const saved = await store.saveRefresh(tokenSet({ accessToken: 'at-2', refreshToken: null }), 1, true);
      expect(saved).toMatchObject({ generation: 2, tokens: { accessToken: 'at-2', refreshToken: 'rt-1' } });
      expect(await store.read()).toEqual(saved);
    });

    it.each([
      ['a logout', (store: TokenStore) => store.clear('logged-out')],
      ['a new login', (store: TokenStore) => store.save(tokenSet({ accessToken: 'at-new-login' }), false)],
    ])('writes nothing and returns null when %s happened since', async (_case, moveOn) => {
      const { store, databaseName } = newStore('memory');
      await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
      const moved = await moveOn(new TokenStore(databaseName, 'memory'));

      expect(await store.saveRefresh(tokenSet({ accessToken: 'at-late', refreshToken: 'rt-late' }), 1, true)).toBeNull();
      expect(await rawSession(databaseName)).toEqual(moved);
    });
  });

  describe('the refresh window', () => {
    const ISSUED = 1_900_000_000_000;

    it('a refresh on schedule: 10 % ahead of expiry by default, jittered by the injected random', async () => {
      const store = new TokenStore(uniqueDatabaseName(), 'indexeddb', { random: () => 0 });
      await store.save(tokenSet(), false);
      const saved = await store.saveRefresh(tokenSet({ issuedAt: ISSUED, expiresAt: ISSUED + 3_600_000 }), 1, true);
      expect(saved?.tokens?.refreshAt).toBe(ISSUED + 3_240_000);

      const jittered = new TokenStore(uniqueDatabaseName(), 'indexeddb', { random: () => 0.5 });
      await jittered.save(tokenSet(), false);
      expect((await jittered.saveRefresh(tokenSet({ issuedAt: ISSUED, expiresAt: ISSUED + 3_600_000 }), 1, true))?.tokens?.refreshAt).toBe(
        ISSUED + 3_600_000 - 360_000 - 90_000,
      );
    });

    it.each([
      ['a login', (store: TokenStore, tokens: TokenSet) => store.save(tokens, false)],
      ['a refresh off schedule (after failures or expiry)', (store: TokenStore, tokens: TokenSet) => store.saveRefresh(tokens, 1, false)],
    ])('%s: anywhere from 30 %% of the lifetime to where the narrow window ends', async (_case, write) => {
      const hour = { issuedAt: ISSUED, expiresAt: ISSUED + 3_600_000 };
      const at = async (random: number) => {
        const store = new TokenStore(uniqueDatabaseName(), 'indexeddb', { random: () => random });
        await store.save(tokenSet(), false);
        return (await write(store, tokenSet(hour)))?.tokens?.refreshAt;
      };
      expect(await at(0)).toBe(ISSUED + 1_080_000);
      expect(await at(0.5)).toBe(ISSUED + 2_160_000);
      expect(await at(1)).toBe(ISSUED + 3_240_000);
    });

    it('follows the configured refreshAhead', async () => {
      const store = new TokenStore(uniqueDatabaseName(), 'indexeddb', { refreshAhead: { fraction: 0.5, minMs: 1 }, random: () => 1 });
      expect((await store.save(tokenSet({ issuedAt: ISSUED, expiresAt: ISSUED + 60_000 }), false)).tokens?.refreshAt).toBe(ISSUED + 30_000);
    });

    it('a 10 s token refreshes from 5 s on schedule, from 3–5 s after a login', async () => {
      const store = new TokenStore(uniqueDatabaseName(), 'indexeddb', { random: () => 0.5 });
      expect((await store.save(tokenSet({ issuedAt: ISSUED, expiresAt: ISSUED + 10_000 }), false)).tokens?.refreshAt).toBe(ISSUED + 4000);
      expect((await store.saveRefresh(tokenSet({ issuedAt: ISSUED, expiresAt: ISSUED + 10_000 }), 1, true))?.tokens?.refreshAt).toBe(
        ISSUED + 5000,
      );
    });

    it.each([
      ['the lifetime is unknown', tokenSet({ expiresAt: null }), undefined],
      ['refreshAhead is off', tokenSet({ issuedAt: ISSUED, expiresAt: ISSUED + 60_000 }), false as const],
    ])('has no refreshAt when %s', async (_case, tokens, refreshAhead) => {
      const store = new TokenStore(uniqueDatabaseName(), 'indexeddb', refreshAhead === undefined ? {} : { refreshAhead });
      expect((await store.save(tokens, false)).tokens?.refreshAt).toBeNull();
    });
  });

  describe('clearIfCurrent', () => {
    it('ends the session it was asked about and says so', async () => {
      const { store } = newStore();
      await store.save(tokenSet(), false);
      expect(await store.clearIfCurrent(1, 'expired')).toBe(true);
      expect(await store.read()).toMatchObject({ generation: 2, tokens: null, ended: 'expired' });
    });

    it('leaves a newer session alone (a login or refresh happened meanwhile) and says so', async () => {
      const { store, databaseName } = newStore();
      await store.save(tokenSet(), false);
      const newer = await store.save(tokenSet({ accessToken: 'at-2' }), true);
      expect(await store.clearIfCurrent(1, 'expired')).toBe(false);
      expect(await rawSession(databaseName)).toEqual(newer);
    });

    it('in memory mode forgets the refresh token only when it cleared', async () => {
      const { store } = newStore('memory');
      const login = await store.save(tokenSet({ refreshToken: 'rt-1' }), false);
      expect(await store.clearIfCurrent(0, 'expired')).toBe(false);
      expect(store.refreshTokenOf(login)).toBe('rt-1');
      expect(await store.clearIfCurrent(1, 'expired')).toBe(true);
      expect(store.refreshTokenOf(login)).toBeNull();
    });
  });

  describe('pauseRefresh', () => {
    it('stores the pause with the session, for every worker of the origin, without moving the generation', async () => {
      const { store, databaseName } = newStore();
      await store.save(tokenSet(), false);
      const paused = await store.pauseRefresh(5000, 2, 1500);
      expect(paused).toMatchObject({
        generation: 1,
        refreshBlockedUntil: 5000,
        failedCycles: 2,
        failingSince: 1500,
        tokens: { accessToken: 'at-1' },
      });
      expect(await new TokenStore(databaseName, 'indexeddb').read()).toEqual(paused);
    });

    it('the next refresh or login lifts the pause and ends the run of failures', async () => {
      const { store } = newStore();
      await store.save(tokenSet(), false);
      await store.pauseRefresh(5000, 3, 1500);
      const lifted = { refreshBlockedUntil: 0, failedCycles: 0, failingSince: 0 };
      expect(await store.saveRefresh(tokenSet({ accessToken: 'at-2' }), 1, true)).toMatchObject(lifted);
      await store.pauseRefresh(9000, 1, 8000);
      expect(await store.save(tokenSet({ accessToken: 'at-9' }), false)).toMatchObject(lifted);
    });
  });

  describe('refreshKey', () => {
    it('is the same for every attempt at the same generation, also after the worker restarted', async () => {
      const { store, databaseName } = newStore();
      await store.save(tokenSet(), false);
      const key = await store.refreshKey(1);
      expect(key).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(await store.refreshKey(1)).toBe(key);
      expect(await new TokenStore(databaseName, 'indexeddb').refreshKey(1)).toBe(key);
      expect((await store.read()).pendingRefreshKey).toBe(key);
    });

    it('is new once the session moved on (a refresh stored its answer)', async () => {
      const { store } = newStore();
      await store.save(tokenSet(), false);
      const first = await store.refreshKey(1);
      await store.saveRefresh(tokenSet({ accessToken: 'at-2' }), 1, true);
      expect((await store.read()).pendingRefreshKey).toBeNull();
      expect(await store.refreshKey(2)).not.toBe(first);
    });

    it('is dropped with the session', async () => {
      const { store } = newStore();
      await store.save(tokenSet(), false);
      await store.refreshKey(1);
      expect((await store.clear('logged-out')).pendingRefreshKey).toBeNull();
    });
  });

  describe('flags', () => {
    it('reads debug off when nothing was written, and keeps what was written across a restart', async () => {
      const { store, databaseName } = newStore();
      expect(await store.readFlags()).toEqual({ debug: false });
      await store.writeFlags({ debug: true });
      expect(await new TokenStore(databaseName, 'indexeddb').readFlags()).toEqual({ debug: true });
    });

    it('live next to the session without touching it', async () => {
      const { store, databaseName } = newStore();
      const saved = await store.save(tokenSet(), false);
      await store.writeFlags({ debug: true });
      expect(await rawSession(databaseName)).toEqual(saved);
      await store.clear('logged-out');
      expect(await store.readFlags()).toEqual({ debug: true });
    });
  });

  describe('upgrading a v1 database (a worker update mid-session)', () => {
    const V1_SESSION: SessionRecordV1 = {
      generation: 7,
      tokens: {
        accessToken: 'at-v1',
        refreshToken: 'rt-v1',
        expiresAt: 1_900_000_900_000,
        scope: 'read',
        placeholder: 'sw-auth-proxy.v1-placeholder',
        previousTokenHashes: [SHA256_ABC],
      },
      ended: null,
      updatedAt: 1_900_000_000_000,
    };

    /** A database as the v1 worker left it: schema version 1, one record under state/session. */
    async function v1Database(session: SessionRecordV1 | undefined): Promise<string> {
      const databaseName = uniqueDatabaseName();
      const db = await openDB(databaseName, 1, {
        upgrade(database) {
          database.createObjectStore('state');
        },
      });
      if (session) await db.put('state', session, 'session');
      db.close();
      return databaseName;
    }

    it('migrates the v1 session: same tokens and generation, refresh window from the expiry, no pause', async () => {
      const databaseName = await v1Database(V1_SESSION);
      const store = new TokenStore(databaseName, 'indexeddb');

      const migrated = await store.read();

      expect(migrated).toEqual({
        generation: 7,
        tokens: { ...V1_SESSION.tokens, issuedAt: 1_900_000_000_000, refreshAt: 1_900_000_900_000 },
        ended: null,
        refreshBlockedUntil: 0,
        failedCycles: 0,
        failingSince: 0,
        serverTimeOffsetMs: 0,
        pendingRefreshKey: null,
        updatedAt: 1_900_000_000_000,
      });
      expect(store.refreshTokenOf(migrated)).toBe('rt-v1');
      expect(await rawSession(databaseName)).toEqual(migrated);
    });

    it('opens the database at the current schema version', async () => {
      const databaseName = await v1Database(V1_SESSION);
      await new TokenStore(databaseName, 'indexeddb').read();
      const db = await openDB(databaseName);
      try {
        expect(db.version).toBe(SCHEMA_VERSION);
        expect(SCHEMA_VERSION).toBe(2);
      } finally {
        db.close();
      }
    });

    it('the session continues after the upgrade: a refresh builds on the migrated record', async () => {
      const databaseName = await v1Database(V1_SESSION);
      const store = new TokenStore(databaseName, 'indexeddb');
      const refreshed = await store.saveRefresh(tokenSet({ accessToken: 'at-v2', refreshToken: null }), 7, true);
      expect(refreshed).toMatchObject({
        generation: 8,
        tokens: { accessToken: 'at-v2', refreshToken: 'rt-v1', scope: 'read', placeholder: 'sw-auth-proxy.v1-placeholder' },
      });
      expect(refreshed?.tokens?.previousTokenHashes).toEqual([await hashToken('at-v1'), SHA256_ABC]);
    });

    it('an ended v1 session stays ended', async () => {
      const databaseName = await v1Database({ generation: 3, tokens: null, ended: 'logged-out', updatedAt: 5 });
      expect(await new TokenStore(databaseName, 'indexeddb').read()).toEqual({
        ...EMPTY,
        generation: 3,
        ended: 'logged-out',
        updatedAt: 5,
      });
    });

    it('an empty v1 database reads as no session', async () => {
      const databaseName = await v1Database(undefined);
      expect(await new TokenStore(databaseName, 'indexeddb').read()).toEqual(EMPTY);
    });

    it('migrateV1 of a session with unknown lifetime has no refresh window', () => {
      const tokens = { ...V1_SESSION.tokens!, expiresAt: null };
      expect(migrateV1({ ...V1_SESSION, tokens }).tokens).toMatchObject({
        expiresAt: null,
        refreshAt: null,
        issuedAt: V1_SESSION.updatedAt,
      });
    });
  });

  describe("refreshTokenStorage: 'memory'", () => {
    it('keeps the refresh token in the worker and out of IndexedDB', async () => {
      const { store, databaseName } = newStore('memory');
      const login = await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-secret-1' }), false);
      expect(store.refreshTokenOf(login)).toBe('rt-secret-1');

      const raw = await rawSession(databaseName);
      expect(raw).toMatchObject({ generation: 1, tokens: { accessToken: 'at-1', refreshToken: null } });
      expect(JSON.stringify(raw)).not.toContain('rt-secret-1');
    });

    it('rotation replaces the in-memory refresh token; no rotation keeps it', async () => {
      const { store, databaseName } = newStore('memory');
      await store.save(tokenSet({ refreshToken: 'rt-1' }), false);
      const kept = await store.save(tokenSet({ accessToken: 'at-2', refreshToken: null }), true);
      expect(store.refreshTokenOf(kept)).toBe('rt-1');
      const rotated = await store.save(tokenSet({ accessToken: 'at-3', refreshToken: 'rt-2' }), true);
      expect(store.refreshTokenOf(rotated)).toBe('rt-2');
      expect(JSON.stringify(await rawSession(databaseName))).not.toMatch(/rt-[12]/);
    });

    it('only hands out the refresh token for the generation it belongs to', async () => {
      const { store, databaseName } = newStore('memory');
      const login = await store.save(tokenSet({ refreshToken: 'rt-1' }), false);
      const other = new TokenStore(databaseName, 'memory');
      const theirs = await other.save(tokenSet({ accessToken: 'at-x', refreshToken: 'rt-x' }), true);

      expect(store.refreshTokenOf(login)).toBe('rt-1');
      expect(store.refreshTokenOf(theirs)).toBeNull();
    });

    it('loses the refresh token when the worker restarts, and clear() forgets it', async () => {
      const { store, databaseName } = newStore('memory');
      const login = await store.save(tokenSet({ refreshToken: 'rt-1' }), false);
      const restarted = new TokenStore(databaseName, 'memory');
      const loaded = await restarted.load();
      expect(loaded.tokens?.accessToken).toBe('at-1');
      expect(restarted.refreshTokenOf(loaded)).toBeNull();

      await store.clear('logged-out');
      expect(store.refreshTokenOf(login)).toBeNull();
    });
  });

  describe("refreshTokenStorage: 'cookie'", () => {
    it('stores no refresh token anywhere, even when the server sends one', async () => {
      const { store, databaseName } = newStore('cookie');
      const login = await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-sent-anyway' }), false);
      expect(login.tokens?.refreshToken).toBeNull();
      expect(store.refreshTokenOf(login)).toBeNull();
      const refreshed = await store.save(tokenSet({ accessToken: 'at-2', refreshToken: 'rt-again' }), true);
      expect(store.refreshTokenOf(refreshed)).toBeNull();

      const raw = await rawSession(databaseName);
      expect(raw).toMatchObject({ tokens: { accessToken: 'at-2', refreshToken: null } });
      expect(JSON.stringify(raw)).not.toMatch(/rt-(sent-anyway|again)/);
    });
  });
});
