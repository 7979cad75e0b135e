import type { Context } from 'hono';
import type { DemoState } from './demo-state.js';
import { oauthError } from './oauth-responses.js';

/**
 * The DPoP key a token request proves possession of (RFC 9449 §5): `{ jkt }` for a good proof,
 * `{}` for a request without one (bearer tokens), or the §8 error to answer with. While nonces are
 * required, every answer carries the current one in `DPoP-Nonce`.
 */
export async function tokenRequestProof(c: Context, state: DemoState): Promise<{ jkt?: string } | Response> {
  const proof = c.req.header('DPoP');
  if (state.dpop.requireNonce) c.header('DPoP-Nonce', state.dpop.nonce);
  if (proof === undefined) return {};
  const verdict = await state.dpop.verify(proof, { method: c.req.method, url: c.req.url });
  return verdict.ok ? { jkt: verdict.jkt } : oauthError(c, verdict.error, verdict.description);
}
