import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './api-env.js';
import type { DemoState } from './demo-state.js';

/**
 * The resource server's check of every `/api` request: a valid access token (signature, `exp`,
 * family not revoked, issued after the last `/demo/expire`) under the scheme it was issued for.
 * A bearer token comes as `Bearer` (RFC 6750); a DPoP-bound one (`cnf.jkt`) only as `DPoP` with a
 * good proof of that very key for this request (RFC 9449 §7), so a stolen copy is useless.
 *
 * Failures get the challenge of the token's scheme: `invalid_token` is what makes the worker
 * refresh and replay; `use_dpop_nonce` (with `DPoP-Nonce`) what makes it sign again with the nonce.
 */
export function apiAuthorization(state: DemoState): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const match = /^(Bearer|DPoP)\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
    const scheme = match?.[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = match?.[2];
    const claims = token === undefined ? undefined : await state.accessTokens.verify(token);
    if (!claims || state.sessions.isRevoked(claims.sid)) return challenge(scheme, 'invalid_token');
    if (claims.jkt === undefined) {
      if (scheme !== 'Bearer') return challenge('Bearer', 'invalid_token');
    } else {
      if (scheme !== 'DPoP') {
        state.counters.dpopApiRefusals += 1;
        return challenge('DPoP', 'invalid_token');
      }
      const verdict = await state.dpop.verify(c.req.header('DPoP'), { method: c.req.method, url: c.req.url, accessToken: token! });
      if (!verdict.ok) {
        state.counters.dpopApiRefusals += 1;
        return challenge('DPoP', verdict.error, verdict.error === 'use_dpop_nonce' ? state.dpop.nonce : undefined);
      }
      if (verdict.jkt !== claims.jkt) {
        state.counters.dpopApiRefusals += 1;
        return challenge('DPoP', 'invalid_dpop_proof');
      }
      if (state.dpop.requireNonce) c.header('DPoP-Nonce', state.dpop.nonce);
    }
    c.set('claims', claims);
    return next();
  };
}

type ChallengeError = 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';

function challenge(scheme: 'Bearer' | 'DPoP', error: ChallengeError, nonce?: string): Response {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    // RFC 9449 §7.1: the DPoP challenge names the algorithms the server takes.
    'WWW-Authenticate': scheme === 'DPoP' ? `DPoP error="${error}", algs="ES256"` : `Bearer error="${error}"`,
  };
  if (nonce !== undefined) headers['DPoP-Nonce'] = nonce;
  return new Response(JSON.stringify({ error }), { status: 401, headers });
}
