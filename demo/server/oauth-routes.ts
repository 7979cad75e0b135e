import { Hono } from 'hono';
import type { DemoState } from './demo-state.js';
import { oauthError } from './oauth-responses.js';
import { readParams } from './read-params.js';

/** The subject of auto-approved authorizations without a `login_hint`. */
export const DEFAULT_AUTHORIZE_SUBJECT = 'demo-user';

/** Redirects only ever go back to this machine, so the demo cannot be used as an open redirector. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `/oauth/*`: an authorization endpoint that approves every request (RFC 6749 §4.1.1, RFC 7636
 * PKCE with S256) and an RFC 7009 revocation endpoint.
 */
export function createOAuthRoutes(state: DemoState): Hono {
  const routes = new Hono();

  routes.get('/authorize', (c) => {
    c.header('Cache-Control', 'no-store');
    const clientId = c.req.query('client_id');
    const redirectUri = c.req.query('redirect_uri');
    if (!clientId) return oauthError(c, 'invalid_request', 'client_id missing');
    const target = redirectUri === undefined ? undefined : parseLoopbackRedirect(redirectUri);
    // RFC 6749 §4.1.2.1: with no trustworthy redirect URI, answer here instead of redirecting.
    if (redirectUri === undefined || target === undefined) {
      return oauthError(c, 'invalid_request', 'redirect_uri missing, not absolute, or not on this machine');
    }
    const requestState = c.req.query('state');
    const redirectWith = (params: Record<string, string>): Response => {
      for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
      if (requestState !== undefined) target.searchParams.set('state', requestState);
      return c.redirect(target.href, 302);
    };
    if (c.req.query('response_type') !== 'code') return redirectWith({ error: 'unsupported_response_type' });
    const codeChallenge = c.req.query('code_challenge');
    const method = c.req.query('code_challenge_method');
    // Only S256: `plain` (RFC 7636's default when the method is absent) protects nothing here.
    if (codeChallenge === undefined ? method !== undefined : method !== 'S256') {
      return redirectWith({ error: 'invalid_request', error_description: 'PKCE requires code_challenge_method=S256' });
    }
    const code = state.codes.issue({
      clientId,
      redirectUri,
      sub: c.req.query('login_hint') || DEFAULT_AUTHORIZE_SUBJECT,
      ...(codeChallenge === undefined ? {} : { codeChallenge }),
    });
    return redirectWith({ code });
  });

  routes.post('/revoke', async (c) => {
    state.counters.revocations += 1;
    const token = (await readParams(c))?.['token'];
    if (token !== undefined && token !== '') {
      // RFC 7009 §2.2: answer 200 whatever the token was, so the endpoint reveals nothing.
      const familyId = state.sessions.familyOf(token) ?? (await state.accessTokens.verifySignature(token))?.sid;
      if (familyId !== undefined) state.sessions.revokeFamily(familyId);
    }
    c.header('Cache-Control', 'no-store');
    return c.body(null, 200);
  });

  return routes;
}

function parseLoopbackRedirect(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const ok = (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname) && url.hash === '';
  return ok ? url : undefined;
}
