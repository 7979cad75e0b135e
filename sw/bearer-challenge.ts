/**
 * RFC 6750 §3: a 401 the proxy may fix by refreshing: no challenge (also what a cross-origin
 * response looks like when the server does not expose `WWW-Authenticate`), a Bearer challenge with
 * `error="invalid_token"`, or a Bearer challenge with no error code at all, which is how many
 * servers answer an expired token. Other schemes' 401s, and `insufficient_scope`, are not ours.
 */
export function isRefreshable(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate');
  if (challenge === null) return true;
  if (!/\bBearer\b/i.test(challenge)) return false;
  const error = /\berror\s*=\s*"?([\w-]+)"?/i.exec(challenge);
  return error === null || error[1]!.toLowerCase() === 'invalid_token';
}
