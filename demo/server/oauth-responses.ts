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
 * How a token response is written. RFC 6749 says JSON; servers in the wild also send it as
 * `text/plain`, or form-encoded (GitHub's OAuth without `Accept: application/json`). The demo
 * answers a login in each so the tests can show the worker reads a body by what it is;
 * `unreadable` holds the refresh token in prose, which no client can scrub.
 */
export type TokenResponseFormat = 'json' | 'json-charset' | 'text' | 'form' | 'unreadable';

export const TOKEN_RESPONSE_FORMATS: readonly TokenResponseFormat[] = ['json', 'json-charset', 'text', 'form', 'unreadable'];

function formatted(c: Context, body: Record<string, string | number>, format: TokenResponseFormat): Response {
  switch (format) {
    case 'json':
      return c.json(body);
    case 'json-charset':
      return c.body(JSON.stringify(body), 200, { 'Content-Type': 'application/json; charset=utf-8' });
    case 'text':
      return c.body(JSON.stringify(body), 200, { 'Content-Type': 'text/plain' });
    case 'form': {
      const form = new URLSearchParams(Object.entries(body).map(([name, value]) => [name, String(value)]));
      return c.body(form.toString(), 200, { 'Content-Type': 'application/x-www-form-urlencoded' });
    }
    case 'unreadable': {
      const lines = Object.entries(body).map(([name, value]) => `<li>${name}: ${String(value)}</li>`);
      return c.body(`<ul>${lines.join('')}</ul>`, 200, { 'Content-Type': 'text/html; charset=utf-8' });
    }
    default: {
      const unknown: never = format;
      throw new Error(`unknown token response format ${String(unknown)}`);
    }
  }
}

/**
 * An RFC 6749 §5.1 token response. In cookie mode the refresh token is set as an httpOnly,
 * SameSite=Strict cookie on `/auth` and left out of the body, so page script never sees it.
 */
export function tokenResponse(
  c: Context,
  tokens: IssuedTokens,
  delivery: RefreshTokenDelivery,
  format: TokenResponseFormat = 'json',
): Response {
  noStore(c);
  const body = {
    access_token: tokens.accessToken,
    token_type: tokens.dpopBound ? 'DPoP' : 'Bearer',
    expires_in: tokens.expiresIn,
  };
  if (delivery === 'body') return formatted(c, { ...body, refresh_token: tokens.refreshToken }, format);
  setCookie(c, REFRESH_COOKIE_NAME, tokens.refreshToken, {
    httpOnly: true,
    sameSite: 'Strict',
    path: REFRESH_COOKIE_PATH,
    maxAge: REFRESH_TOKEN_LIFETIME_MS / 1000,
  });
  return formatted(c, body, format);
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
