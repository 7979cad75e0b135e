import { generateDpopKey } from '../../sw/dpop-key.js';
import { dpopProof } from '../../sw/dpop-proof.js';
import { needs } from './engine.js';
import { expect, fireRequests, freshWorker, login, openApp, openApps, test } from './fixtures.js';

// DPoP (RFC 9449) in every engine, against the demo server, which verifies every proof with jose
// and binds tokens and refresh tokens to the key.

/** What page script can take away: every string it finds in storage, and whether any key exports. */
interface Loot {
  strings: string[];
  /** For each CryptoKey found: its algorithm, and what `exportKey` said. */
  keys: { algorithm: string; extractable: boolean; exported: boolean }[];
}

test.describe.configure({ timeout: 120_000 });

test('a token read out of the browser is useless elsewhere, and the browser`s session goes on', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/variants/dpop/`);
  const body = await login(tab);
  expect(body['token_type']).toBe('DPoP');
  expect(await fireRequests(tab, 3)).toEqual([[200, 200, 200]]);

  // The attacker's script in the page: every database, store and record, web storage and caches.
  const loot: Loot = await tab.evaluate(async () => {
    const strings: string[] = [];
    const keys: Loot['keys'] = [];
    const walk = async (value: unknown): Promise<void> => {
      if (typeof value === 'string') strings.push(value);
      else if (value instanceof CryptoKey) {
        const exported = await crypto.subtle.exportKey('jwk', value).then(
          () => true,
          () => false,
        );
        keys.push({ algorithm: value.algorithm.name, extractable: value.extractable, exported });
        if (exported) strings.push(JSON.stringify(await crypto.subtle.exportKey('jwk', value)));
      } else if (value && typeof value === 'object') for (const item of Object.values(value)) await walk(item);
    };
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const storeName of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(storeName).objectStore(storeName).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        for (const value of values) await walk(value);
      }
      db.close();
    }
    for (const storage of [localStorage, sessionStorage]) for (const key of Object.keys(storage)) strings.push(storage.getItem(key)!);
    strings.push(document.cookie);
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) strings.push(request.url);
    }
    return { strings, keys };
  });

  // The session's key is there, and usable by script in this page, but it cannot leave.
  expect(loot.keys.length).toBeGreaterThan(0);
  for (const key of loot.keys) expect(key).toEqual({ algorithm: 'ECDSA', extractable: false, exported: false });
  const accessTokens = loot.strings.filter((value) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(value));
  const refreshTokens = loot.strings.filter((value) => /^[\w-]{43}$/.test(value));
  expect(accessTokens.length).toBeGreaterThan(0);
  expect(refreshTokens.length).toBeGreaterThan(0);

  // Node, elsewhere, with everything the script found and a key of its own.
  const thief = await generateDpopKey();
  const stolenApi = [];
  for (const token of accessTokens) {
    const url = `${app.origin}/api/me`;
    stolenApi.push((await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).status);
    const proof = await dpopProof(thief, { method: 'GET', url, now: Date.now() });
    stolenApi.push((await fetch(url, { headers: { Authorization: `DPoP ${token}`, DPoP: proof } })).status);
  }
  expect(new Set(stolenApi)).toEqual(new Set([401]));
  const stolenRefresh = [];
  for (const refreshToken of refreshTokens) {
    const url = `${app.origin}/auth/token`;
    const proof = await dpopProof(thief, { method: 'POST', url, now: Date.now() });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: proof },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    stolenRefresh.push(response.status);
  }
  expect(new Set(stolenRefresh)).toEqual(new Set([400]));
  const afterTheft = await app.stats();
  expect(afterTheft.refreshCalls).toBe(refreshTokens.length);
  expect(afterTheft.dpopBindingRefusals).toBeGreaterThan(0);

  // The real session: untouched, and it still refreshes (one call, no reuse, no family revoked).
  await app.expireAccessTokens();
  expect(await fireRequests(tab, 5)).toEqual([[200, 200, 200, 200, 200]]);
  const stats = await app.stats();
  expect(stats.refreshCalls - afterTheft.refreshCalls).toBe(1);
  expect(stats).toMatchObject({ reuseDetected: 0, revokedFamilies: 0 });
});

test('a server that requires and rotates its nonce costs one more try, never a lost request or a spent refresh token', async ({
  session,
  app,
}) => {
  await app.dpop({ requireNonce: true });
  const tab = await openApp(session, `${app.origin}/variants/dpop/`);
  // The login meets use_dpop_nonce first and is sent again with the nonce.
  expect((await login(tab))['token_type']).toBe('DPoP');
  expect((await app.stats()).loginCalls).toBe(2);
  expect(await fireRequests(tab, 5)).toEqual([[200, 200, 200, 200, 200]]);

  await app.dpop({ rotateNonce: true });
  await app.expireAccessTokens();
  expect(await fireRequests(tab, 5)).toEqual([[200, 200, 200, 200, 200]]);

  // One refresh, sent twice: once with the old nonce (refused before the grant is looked at), once
  // with the new one (rotated). Never a reuse.
  const stats = await app.stats();
  expect(stats).toMatchObject({ refreshCalls: 2, reuseDetected: 0, revokedFamilies: 0, dpopBindingRefusals: 0 });
});

test('3 tabs × 10 requests after expiry with DPoP: all succeed with exactly one refresh', async ({ session, app }) => {
  const tabs = await openApps(session, `${app.origin}/variants/dpop/`, 3);
  // Any tab can learn the key the login will be bound to (for an authorization request's dpop_jkt).
  const thumbprint = await tabs[1]!.evaluate(() => window.authProxy.dpopThumbprint());
  await login(tabs[0]!);
  expect((await app.dpop({})).lastProof?.jkt).toBe(thumbprint);
  expect((await tabs[2]!.evaluate(() => window.authProxy.status())).dpopThumbprint).toBe(thumbprint);
  await app.expireAccessTokens();

  const results = await fireRequests(tabs, 10);

  expect(results).toEqual(Array(3).fill(Array(10).fill(200)));
  const stats = await app.stats();
  expect(stats).toMatchObject({ refreshCalls: 1, reuseDetected: 0, dpopApiRefusals: 0 });
});

test(
  'a stopped worker signs with the key it stored: no new login, and the next refresh is still bound',
  { tag: needs('stop-worker') },
  async ({ session, app }) => {
    const tab = await openApp(session, `${app.origin}/variants/dpop/`);
    await login(tab);
    expect(await fireRequests(tab, 2)).toEqual([[200, 200]]);

    await session.stopWorker(freshWorker(tab));
    expect(await fireRequests(tab, 2)).toEqual([[200, 200]]);
    await app.expireAccessTokens();
    expect(await fireRequests(tab, 2)).toEqual([[200, 200]]);

    const stats = await app.stats();
    expect(stats).toMatchObject({ loginCalls: 1, refreshCalls: 1, reuseDetected: 0, dpopApiRefusals: 0, dpopBindingRefusals: 0 });
  },
);
