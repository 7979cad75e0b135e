import type { AccessTokenClaims } from './access-token-issuer.js';

/** Context variables the API routes see once the bearer token checked out. */
export interface ApiEnv {
  Variables: { claims: AccessTokenClaims };
}
