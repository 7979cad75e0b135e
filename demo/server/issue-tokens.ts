import type { DemoState } from './demo-state.js';
import type { IssuedTokens } from './oauth-responses.js';

/** Signs an access token for a family and pairs it with that family's newest refresh token. */
export async function issueTokens(
  state: DemoState,
  grant: { readonly sub: string; readonly familyId: string; readonly refreshToken: string },
): Promise<IssuedTokens> {
  return {
    accessToken: await state.accessTokens.issue(grant.sub, grant.familyId),
    expiresIn: state.accessTokens.ttlSeconds,
    refreshToken: grant.refreshToken,
  };
}
