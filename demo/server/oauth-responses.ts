import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { REFRESH_TOKEN_LIFETIME_MS } from './session-store.js';

/** The httpOnly cookie that carries the refresh token in cookie-delivery mode. */
export const REFRESH_COOKIE_NAME = 'demo_rt';

/** Only the auth routes ever see the refresh cookie. */
export const REFRESH_COOKIE_PATH = '/auth';

/** RFC 6749 §5.2 error codes the demo answers with, and RFC 9449 §8's. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_dpop_proof' | 'use_dpop_nonce';

/** Freshly minted credentials of one family. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** Bound to the client's DPoP key: `token_type: DPoP`. */
  readonly dpopBound?: boolean;
}

/** Where the refresh token goes: the JSON body (RFC 6749) or the `demo_rt` httpOnly cookie. */
export type RefreshTokenDelivery = 'body' | 'cookie';

/** RFC 6749 §5.1 and §5.2 forbid caching token responses, errors included. */
function noStore(c: Context): void {
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
}

/**
 * An RFC 6749 §5.1 token response. In cookie mode the refresh token is set as an httpOnly,
 * SameSite=Strict cookie on `/auth` and left out of the body, so page script never sees it.
 */
export function tokenResponse(c: Context, tokens: IssuedTokens, delivery: RefreshTokenDelivery): Response {
  noStore(c);
  const body = {
    access_token: tokens.accessToken,
    token_type: tokens.dpopBound ? 'DPoP' : 'Bearer',
    expires_in: tokens.expiresIn,
  };
  if (delivery === 'body') return c.json({ ...body, refresh_token: tokens.refreshToken });
  setCookie(c, REFRESH_COOKIE_NAME, tokens.refreshToken, {
    httpOnly: true,
    sameSite: 'Strict',
    path: REFRESH_COOKIE_PATH,
    maxAge: REFRESH_TOKEN_LIFETIME_MS / 1000,
  });
  return c.json(body);
}

/** An RFC 6749 §5.2 error response (400). The description never contains a token. */
export function oauthError(c: Context, error: OAuthErrorCode, description?: string): Response {
  noStore(c);
  return c.json(description === undefined ? { error } : { error, error_description: description }, 400);
}

/** Expires the refresh cookie (logout, or a cookie that no longer works). */
export function clearRefreshCookie(c: Context): void {
  deleteCookie(c, REFRESH_COOKIE_NAME, { path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'Strict' });
}
