import { loadTokens, readTokenResponse, refreshForm, saveTokens } from './local-storage-tokens.js';

/**
 * The simplest wrapper an app writes by hand: attach the stored token; on a 401 refresh (every
 * failing request on its own, nothing shared even inside the tab) and retry once.
 *
 * @returns a GET that resolves with the final status (0 for a network error).
 */
export function createNaiveStormClient(): (url: string) => Promise<number> {
  const get = (url: string): Promise<Response> => fetch(url, { headers: { Authorization: `Bearer ${loadTokens()?.accessToken ?? ''}` } });

  const refresh = async (): Promise<boolean> => {
    const response = await fetch('/auth/token', { method: 'POST', body: refreshForm(loadTokens()) });
    if (!response.ok) return false;
    saveTokens(readTokenResponse(await response.json()));
    return true;
  };

  return async (url) => {
    try {
      const first = await get(url);
      if (first.status !== 401) return first.status;
      if (!(await refresh())) return first.status;
      return (await get(url)).status;
    } catch {
      return 0;
    }
  };
}
