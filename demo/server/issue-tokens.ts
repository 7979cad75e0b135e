import type { DemoState } from './demo-state.js';
import type { IssuedTokens } from './oauth-responses.js';

/**
 * Signs an access token for a family and pairs it with that family's newest refresh token. A
 * family bound to a DPoP key (`jkt`) gets DPoP-bound access tokens (`cnf.jkt`, `token_type: DPoP`).
 */
export async function issueTokens(
  state: DemoState,
  grant: { readonly sub: string; readonly familyId: string; readonly refreshToken: string; readonly jkt?: string },
): Promise<IssuedTokens> {
  return {
    accessToken: await state.accessTokens.issue(grant.sub, grant.familyId, grant.jkt),
    expiresIn: state.accessTokens.ttlSeconds,
    refreshToken: grant.refreshToken,
    ...(grant.jkt === undefined ? {} : { dpopBound: true }),
  };
}
