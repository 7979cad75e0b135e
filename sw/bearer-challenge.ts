/**
 * RFC 6750 §3: a 401 the proxy may fix by refreshing: no challenge (also what a cross-origin
 * response looks like when the server does not expose `WWW-Authenticate`), a Bearer (or DPoP)
 * challenge with `error="invalid_token"`, or one with no error code at all, which is how many
 * servers answer an expired token. Other schemes' 401s, and `insufficient_scope`, are not ours.
 */
export function isRefreshable(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate');
  if (challenge === null) return true;
  // RFC 9449 §7.1: a DPoP-bound token's 401 challenges with the DPoP scheme, same error codes.
  if (!/\b(?:Bearer|DPoP)\b/i.test(challenge)) return false;
  const error = /\berror\s*=\s*"?([\w-]+)"?/i.exec(challenge);
  return error === null || error[1]!.toLowerCase() === 'invalid_token';
}
