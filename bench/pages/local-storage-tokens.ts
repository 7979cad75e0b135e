/**
 * Tokens the way a token-holding SPA keeps them: in `localStorage`, shared by every tab of the
 * origin, read at each use (so a tab can pick up a token another tab already rotated: the most
 * favourable version of the per-tab approach).
 */

/** The pair a login or a refresh hands out. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
}

const KEY = 'sw-auth-proxy-bench.tokens';

/** The `client_id` the demo's worker config uses too. */
export const CLIENT_ID = 'demo-spa';

export function loadTokens(): StoredTokens | null {
  const raw = localStorage.getItem(KEY);
  return raw === null ? null : (JSON.parse(raw) as StoredTokens);
}

export function saveTokens(tokens: StoredTokens): void {
  localStorage.setItem(KEY, JSON.stringify(tokens));
}

/** Reads the RFC 6749 §5.1 fields this bench needs; throws on anything else. */
export function readTokenResponse(body: unknown): StoredTokens {
  const { access_token: accessToken, refresh_token: refreshToken } = body as Record<string, unknown>;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    throw new Error('Failed to read the token response: access_token or refresh_token missing');
  }
  return { accessToken, refreshToken };
}

/** The RFC 6749 §6 refresh form for the stored refresh token. */
export function refreshForm(tokens: StoredTokens | null): URLSearchParams {
  return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens?.refreshToken ?? '', client_id: CLIENT_ID });
}
