import type { ResolvedConfig } from './config.js';
import type { Environment } from './environment.js';
import type { SessionTokens } from './session-record.js';

export interface RevokeOptions {
  config: ResolvedConfig;
  env: Pick<Environment, 'fetch' | 'timeout'>;
}

/**
 * Tell the server a session ended, where the config says how: RFC 7009 revocation of the refresh
 * token, and/or the app's logout endpoint with the access token. Both calls go out together and
 * share one `refreshTimeoutMs` deadline, so the whole logout stays within what the page waits for.
 * A failure is an answer (`false`), never a throw: the session is already gone locally.
 *
 * @param refreshToken `null` to skip revocation.
 * @param logoutProof with a DPoP-bound session, the proof for the logout endpoint call.
 * @returns whether the server confirmed either call.
 */
export async function revokeSession(
  { config, env }: RevokeOptions,
  tokens: SessionTokens | null,
  refreshToken: string | null,
  logoutProof: string | null = null,
): Promise<boolean> {
  const signal = env.timeout(config.refreshTimeoutMs);
  const calls: Promise<boolean>[] = [];
  if (config.revocationEndpoint !== undefined && refreshToken !== null) {
    const fields: Record<string, string> = { token: refreshToken, token_type_hint: 'refresh_token' };
    if (config.clientId !== undefined) fields['client_id'] = config.clientId;
    calls.push(
      confirmed(env.fetch(config.revocationEndpoint, { method: 'POST', body: new URLSearchParams(fields), cache: 'no-store', signal })),
    );
  }
  if (config.logoutEndpoint !== undefined && tokens !== null) {
    calls.push(
      confirmed(
        env.fetch(config.logoutEndpoint, {
          method: 'POST',
          headers: {
            Authorization: `${logoutProof === null ? 'Bearer' : 'DPoP'} ${tokens.accessToken}`,
            ...(logoutProof === null ? {} : { DPoP: logoutProof }),
          },
          credentials: 'include',
          cache: 'no-store',
          signal,
        }),
      ),
    );
  }
  return (await Promise.all(calls)).some(Boolean);
}

function confirmed(response: Promise<Response>): Promise<boolean> {
  return response.then(
    (answer) => {
      void answer.body?.cancel().catch(() => undefined);
      return answer.ok;
    },
    () => false,
  );
}
