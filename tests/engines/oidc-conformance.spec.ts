import { createHash, randomBytes } from 'node:crypto';
import { OIDC_CALLBACK_PATH, OIDC_CLIENT_ID } from './oidc-provider.js';
import { expect, openApp, test } from './fixtures.js';

// Conformance: the worker against an independent, OpenID Certified implementation (panva's
// oidc-provider) with DPoP, nonces required at every endpoint, DPoP-bound access tokens, PKCE and
// refresh tokens rotated on every use, not only against our own demo server.

test('code + PKCE bound by dpop_jkt, nonces, a protected resource and a rotated refresh, against oidc-provider', async ({
  session,
  app,
  oidc,
}) => {
  const tab = await openApp(session, `${app.origin}/variants/oidc/`);
  const thumbprint = await tab.evaluate(() => window.authProxy.dpopThumbprint());
  expect(thumbprint).toMatch(/^[\w-]{43}$/);

  // The authorization request binds the code to the worker's key (RFC 9449 §10).
  const verifier = randomBytes(32).toString('base64url');
  const code = await oidc.authorize({
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    dpopJkt: thumbprint!,
  });

  // The page's own code exchange, as an SPA writes it; the worker adds the proof and captures.
  const exchange = await tab.evaluate(
    async ({ tokenUrl, fields }) => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    {
      tokenUrl: `${oidc.origin}/token`,
      fields: {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: `${app.origin}${OIDC_CALLBACK_PATH}`,
        client_id: OIDC_CLIENT_ID,
      },
    },
  );
  expect(exchange.status).toBe(200);
  expect(exchange.body['token_type']).toBe('DPoP');
  expect(exchange.body).not.toHaveProperty('refresh_token');
  expect(String(exchange.body['access_token'])).toMatch(/^sw-auth-proxy\./);

  // The protected resource (userinfo) takes the DPoP-bound token with the worker's proof.
  const me = `${oidc.origin}/me`;
  const read = () =>
    tab.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, body: (await response.json()) as unknown };
    }, me);
  expect(await read()).toEqual({ status: 200, body: { sub: 'ada' } });

  // The access token is gone at the server: one refresh (rotating the refresh token), replays.
  oidc.expireAccessTokens();
  const statuses = await tab.evaluate((url) => Promise.all([1, 2, 3].map(() => fetch(url).then((response) => response.status))), me);
  expect(statuses).toEqual([200, 200, 200]);
  expect(await read()).toEqual({ status: 200, body: { sub: 'ada' } });

  const stats = oidc.stats();
  expect(stats.grants).toEqual({ authorization_code: 1, refresh_token: 1 });
  expect(stats.refreshTokensConsumed).toBe(1);
  expect(stats.grantsRevoked).toBe(0);
  // Nonces were asked for (at least at the first token request) and nothing else went wrong.
  expect(Object.keys(stats.grantErrors)).toEqual(['use_dpop_nonce']);
});
