import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigOverrides } from './helpers/fixtures.js';
import { proxyHarness } from './helpers/proxy-harness.js';

const REVOKE = 'https://auth.example.com/oauth/revoke';
const LOGOUT = 'https://app.example.com/auth/logout';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A logged-in session (`at-1`/`rt-1`) whose server has a revocation and a logout endpoint. */
async function setup(overrides: ConfigOverrides = {}) {
  const harness = await proxyHarness({ revocationEndpoint: REVOKE, logoutEndpoint: LOGOUT, ...overrides });
  harness.network.route(REVOKE, () => new Response(null, { status: 200 })).route(LOGOUT, () => new Response(null, { status: 204 }));
  return { ...harness, run: (revoke: boolean) => harness.owner.logout(revoke) };
}

describe('Session.logout', () => {
  it('revokes the refresh token (RFC 7009), calls the logout endpoint, clears the session and announces it', async () => {
    const { run, network, store, announcements, machine } = await setup();

    expect(await run(true)).toBe(true);

    const [revocation] = network.to(REVOKE);
    expect(revocation!.method).toBe('POST');
    expect(revocation!.text).toBe('token=rt-1&token_type_hint=refresh_token&client_id=demo-spa');
    const [appLogout] = network.to(LOGOUT);
    expect(appLogout!.headers.get('authorization')).toBe('Bearer at-1');
    expect(appLogout!.request.credentials).toBe('include');
    expect(await store.read()).toMatchObject({ tokens: null, ended: 'logged-out' });
    expect(machine.state()).toBe('anonymous');
    expect(announcements.of('logged-out')).toEqual([{ revoked: true }]);
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
