import type { ResolvedConfig } from './config.js';
import type { BroadcastEventMap, BroadcastType } from './protocol.js';
import type { TokenStore } from './token-store.js';

export interface LogoutOptions {
  config: ResolvedConfig;
  store: TokenStore;
  announce: <K extends BroadcastType>(type: K, payload: BroadcastEventMap[K]) => void;
}

/**
 * End the session everywhere: tell the server when configured (RFC 7009 revocation of the refresh
 * token, and/or the app's logout endpoint), then forget the tokens whatever the server said, since a
 * logout that fails because the network is down must still log the user out.
 *
 * @returns whether the server confirmed the revocation.
 */
export async function logout(options: LogoutOptions, revoke: boolean): Promise<boolean> {
  const { config, store } = options;
  const record = await store.read();
  const refreshToken = store.refreshTokenOf(record);
  const timeout = () => AbortSignal.timeout(config.refreshTimeoutMs);
  let revoked = false;

  if (revoke && config.revocationEndpoint !== undefined && refreshToken !== null) {
    const fields: Record<string, string> = { token: refreshToken, token_type_hint: 'refresh_token' };
    if (config.clientId !== undefined) fields['client_id'] = config.clientId;
    revoked = await fetch(config.revocationEndpoint, {
      method: 'POST',
      body: new URLSearchParams(fields),
      cache: 'no-store',
      signal: timeout(),
    })
      .then((response) => response.ok)
      .catch(() => false);
  }
  if (config.logoutEndpoint !== undefined && record.tokens !== null) {
    const ok = await fetch(config.logoutEndpoint, {
      method: 'POST',
      headers: { Authorization: `Bearer ${record.tokens.accessToken}` },
      credentials: 'include',
      cache: 'no-store',
      signal: timeout(),
    })
      .then((response) => response.ok)
      .catch(() => false);
    revoked ||= ok;
  }
  await store.clear('logged-out');
  options.announce('logged-out', { revoked });
  return revoked;
}
