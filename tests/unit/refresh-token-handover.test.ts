import { afterEach, describe, expect, it, vi } from 'vitest';
import { BroadcastHandover } from '../../page/refresh-token-handover.js';
import { TokenStore } from '../../sw/token-store.js';
import { eventually } from './helpers/eventually.js';
import { tokenSet, uniqueDatabaseName } from './helpers/fixtures.js';
import { MemoryStorage } from './helpers/memory-storage.js';

/** Page mode's tabs: a store each, in 'memory' mode, over one shared "disk" and one hand-over channel. */
function tabs(count: number) {
  const storage = new MemoryStorage();
  const channel = uniqueDatabaseName();
  const opened: { store: TokenStore; handover: BroadcastHandover }[] = [];
  const open = () => {
    const handover = new BroadcastHandover(
      channel,
      () => store.memoryRefreshToken,
      (kept) => store.adoptRefreshToken(kept),
    );
    const store: TokenStore = new TokenStore('db', 'memory', { storage, handover });
    opened.push({ store, handover });
    return store;
  };
  return { stores: Array.from({ length: count }, open), open, opened };
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const dispose of cleanup) dispose();
  cleanup = [];
});

function track<T extends { opened: { handover: BroadcastHandover }[] }>(setup: T): T {
  cleanup.push(() => setup.opened.forEach(({ handover }) => handover.dispose()));
  return setup;
}

describe('page mode: the memory refresh token handed between tabs', () => {
  it('a login in one tab gives every open tab the refresh token, never the stored record', async () => {
    const { stores } = track(tabs(2));
    const [first, second] = stores as [TokenStore, TokenStore];
    const record = await first.save(tokenSet({ refreshToken: 'rt-login' }), false);

    const seen = await second.read();
    await eventually(() => second.refreshTokenOf(seen) === 'rt-login', 'the second tab holds the token');
    expect(record.tokens!.refreshToken).toBeNull();
  });

  it('a tab opened after the login asks for it, and gets the token of exactly that record', async () => {
    const setup = track(tabs(1));
    const first = setup.stores[0]!;
    await first.save(tokenSet({ refreshToken: 'rt-login' }), false);
    const rotated = await first.saveRefresh(tokenSet({ refreshToken: 'rt-2' }), 1, true);
    const late = setup.open();

    const record = await late.read();
    expect(record.generation).toBe(rotated!.generation);
    expect(late.refreshTokenOf(record)).toBeNull();
    expect(await late.recallRefreshToken(record)).toBe('rt-2');
    expect(late.refreshTokenOf(record)).toBe('rt-2');
  });

  it('an older token handed over late does not replace the rotated one', async () => {
    const { stores } = track(tabs(1));
    const store = stores[0]!;
    await store.save(tokenSet({ refreshToken: 'rt-login' }), false);
    const rotated = (await store.saveRefresh(tokenSet({ refreshToken: 'rt-2' }), 1, true))!;

    store.adoptRefreshToken({ generation: 1, session: rotated.tokens!.placeholder, token: 'rt-login' });

    expect(store.refreshTokenOf(rotated)).toBe('rt-2');
  });

  it('with no tab holding it, asking ends after its bound with nothing', async () => {
    const setup = track(tabs(1));
    const store = setup.stores[0]!;
    const record = await store.save(tokenSet({ refreshToken: 'rt-login' }), false);
    setup.opened[0]!.handover.dispose();
    const alone = setup.open();
    await alone.read();

    expect(await alone.recallRefreshToken(record)).toBeNull();
  });

  it('stores in other modes neither hand over nor ask', async () => {
    const handover = { publish: vi.fn(), recall: vi.fn(async () => 'rt-other') };
    const store = new TokenStore('db', 'indexeddb', { storage: new MemoryStorage(), handover });
    const record = await store.save(tokenSet({ refreshToken: 'rt-login' }), false);

    expect(await store.recallRefreshToken(record)).toBeNull();
    expect(handover.publish).not.toHaveBeenCalled();
    expect(handover.recall).not.toHaveBeenCalled();
  });
});
