import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logout } from '../../sw/logout.js';
import { TokenStore } from '../../sw/token-store.js';
import { FakeNetwork } from './helpers/fake-network.js';
import { recordAnnouncements, testConfig, tokenSet, type ConfigOverrides } from './helpers/fixtures.js';

const REVOKE = 'https://auth.example.com/oauth/revoke';
const LOGOUT = 'https://app.example.com/auth/logout';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function setup(overrides: ConfigOverrides = {}) {
  const config = testConfig({ revocationEndpoint: REVOKE, logoutEndpoint: LOGOUT, ...overrides });
  const store = new TokenStore(config.databaseName, config.refreshTokenStorage);
  await store.save(tokenSet({ accessToken: 'at-1', refreshToken: 'rt-1' }), false);
  const network = new FakeNetwork()
    .route(REVOKE, () => new Response(null, { status: 200 }))
    .route(LOGOUT, () => new Response(null, { status: 204 }));
  vi.stubGlobal('fetch', network.fetch);
  const announcements = recordAnnouncements();
  return {
    config,
    store,
    network,
    announcements,
    run: (revoke: boolean) => logout({ config, store, announce: announcements.announce }, revoke),
  };
}

describe('logout', () => {
  it('revokes the refresh token (RFC 7009), calls the logout endpoint, clears the session and announces it', async () => {
    const { run, network, store, announcements } = await setup();

    expect(await run(true)).toBe(true);

    const [revocation] = network.to(REVOKE);
    expect(revocation!.method).toBe('POST');
    expect(revocation!.text).toBe('token=rt-1&token_type_hint=refresh_token&client_id=demo-spa');
    const [appLogout] = network.to(LOGOUT);
    expect(appLogout!.headers.get('authorization')).toBe('Bearer at-1');
    expect(appLogout!.request.credentials).toBe('include');
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'logged-out' });
    expect(announcements.all).toEqual([{ type: 'logged-out', payload: { revoked: true } }]);
  });

  it('does not revoke unless asked', async () => {
    const { run, network } = await setup();
    await run(false);
    expect(network.to(REVOKE)).toHaveLength(0);
    expect(network.to(LOGOUT)).toHaveLength(1);
  });

  it('still logs out when the server cannot be reached', async () => {
    const { run, store, announcements } = await setup({ revocationEndpoint: 'https://down.example.com/revoke', logoutEndpoint: undefined });
    expect(await run(true)).toBe(false);
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'logged-out' });
    expect(announcements.of('logged-out')).toEqual([{ revoked: false }]);
  });

  it('revokes the refresh token kept in memory', async () => {
    const { run, network } = await setup({ refreshTokenStorage: 'memory', logoutEndpoint: undefined });
    await run(true);
    expect(new URLSearchParams(network.to(REVOKE)[0]!.text).get('token')).toBe('rt-1');
  });
});
