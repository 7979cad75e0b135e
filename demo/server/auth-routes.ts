import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { DemoState } from './demo-state.js';
import { issueTokens } from './issue-tokens.js';
import { REFRESH_COOKIE_NAME, TOKEN_RESPONSE_FORMATS, clearRefreshCookie, oauthError, tokenResponse } from './oauth-responses.js';
import { readParams } from './read-params.js';
import { tokenEndpoint } from './token-endpoint.js';
import { tokenRequestProof } from './token-request-proof.js';

/**
 * `/auth/*`: password login (demo: any non-empty pair), the token endpoint and logout. Mounted
 * under `/auth`, which is also the refresh cookie's path.
 */
export function createAuthRoutes(state: DemoState): Hono {
  const routes = new Hono();

  routes.post('/login', async (c) => {
    state.counters.loginCalls += 1;
    const params = await readParams(c);
    if (!params) return oauthError(c, 'invalid_request', 'body is neither a form nor a JSON object');
    const username = params['username'];
    const password = params['password'];
    if (!username || !password) {
      return oauthError(c, 'invalid_request', 'username and password are required');
    }
    const proof = await tokenRequestProof(c, state);
    if (proof instanceof Response) return proof;
    const family = state.sessions.startFamily(username, proof.jkt);
    const tokens = await issueTokens(state, { sub: username, ...family, ...proof });
    const format = TOKEN_RESPONSE_FORMATS.find((f) => f === params['responseFormat']) ?? 'json';
    return tokenResponse(c, tokens, params['refreshTokenDelivery'] === 'cookie' ? 'cookie' : 'body', format);
  });

  routes.post('/token', tokenEndpoint(state));

  routes.post('/logout', async (c) => {
    state.counters.logoutCalls += 1;
    const familyId = await findLogoutFamily(c, state);
    if (familyId !== undefined) state.sessions.revokeFamily(familyId);
    clearRefreshCookie(c);
    c.header('Cache-Control', 'no-store');
    return c.body(null, 204);
  });

  return routes;
}

/** The family to end: from the bearer access token, else a body `refresh_token`, else the cookie. */
async function findLogoutFamily(c: Context, state: DemoState): Promise<string | undefined> {
  const bearer = /^(?:Bearer|DPoP)\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '')?.[1];
  if (bearer !== undefined) {
    // An expired access token still identifies the session the user wants to end.
    const claims = await state.accessTokens.verifySignature(bearer);
    if (claims) return claims.sid;
  }
  const fromBody = (await readParams(c))?.['refresh_token'];
  if (fromBody !== undefined) {
    const familyId = state.sessions.familyOf(fromBody);
    if (familyId !== undefined) return familyId;
  }
  const fromCookie = getCookie(c, REFRESH_COOKIE_NAME);
  return fromCookie === undefined ? undefined : state.sessions.familyOf(fromCookie);
}
