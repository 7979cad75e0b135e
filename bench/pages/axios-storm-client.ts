import axios, { type AxiosError } from 'axios';
import { createAuthRefresh, type AxiosAuthRefreshOptions } from 'axios-auth-refresh';
import { loadTokens, readTokenResponse, refreshForm, saveTokens } from './local-storage-tokens.js';

/**
 * The common per-tab approach, set up as axios-auth-refresh's README shows it: a request
 * interceptor attaches the stored access token, and on a 401 the refresh logic (one call per tab
 * at a time, the package's own de-duplication) refreshes with the stored refresh token, stores the
 * answer and lets the package retry the request. Nothing coordinates tabs.
 *
 * With the default `deduplicateRefresh: true`, a request whose 401 arrives while the tab's refresh
 * is under way is rejected, not retried (Flyrell/axios-auth-refresh#307, #90); `false` retries those
 * too. The bench runs both, so the cross-tab figures do not hinge on that.
 *
 * @returns a GET that resolves with the final status (0 for a network error).
 */
export function createAxiosStormClient(options: Pick<AxiosAuthRefreshOptions, 'deduplicateRefresh'>): (url: string) => Promise<number> {
  const api = axios.create();
  api.interceptors.request.use((config) => {
    const tokens = loadTokens();
    if (tokens !== null) config.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
    return config;
  });
  createAuthRefresh(
    api,
    async (failed: AxiosError) => {
      // The refresh goes through the bare axios, not `api`, so its own failure is not intercepted.
      const response = await axios.post('/auth/token', refreshForm(loadTokens()));
      const tokens = readTokenResponse(response.data);
      saveTokens(tokens);
      failed.response?.config.headers.set('Authorization', `Bearer ${tokens.accessToken}`);
    },
    options,
  );
  return (url) =>
    api.get(url).then(
      (response) => response.status,
      (error: unknown) => (axios.isAxiosError(error) ? (error.response?.status ?? 0) : 0),
    );
}
