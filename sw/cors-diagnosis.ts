import type { Environment } from './environment.js';
import { CorsError } from './errors/cors-error.js';

/** What a failed request is, as the diagnosis reads it (a `Request` is one). */
export type FailedRequest = Pick<Request, 'url' | 'method' | 'credentials' | 'headers'>;

/** Finds out why a cross-origin request failed; see {@link corsDiagnosis}. */
export interface CorsDiagnosis {
  /**
   * `request` failed with `error`. Probes its origin when that is another origin, the error a
   * network error and the burst of failures a new one, and reports what it finds as a
   * `CorsError` naming `what` ("the API"). Resolves when that is done (never rejects);
   * `undefined` when there is nothing to probe.
   */
  failed(request: FailedRequest, error: unknown, what: string): Promise<void> | undefined;
  /**
   * What the probe of `url`'s origin as `what` found ("the API at https://api.example.com does
   * not allow …"), while its burst of failures goes on.
   */
  reason(url: string, what: string): string | undefined;
}

/**
 * Failures of one origin less than this apart are one burst, probed once. The API and a refresh
 * endpoint on one origin are probed apart: they are asked with different headers.
 */
export const BURST_MS = 60_000;

/** A header name as servers list it: `Authorization`, `Idempotency-Key`, `DPoP`. */
const spelled = (name: string): string => (name === 'dpop' ? 'DPoP' : name.replace(/(?:^|-)[a-z]/g, (start) => start.toUpperCase()));

/**
 * Why a cross-origin request failed, when the browser says only `TypeError`. A CORS refusal
 * reaches script as a bare network error (Fetch hides the reason), so the worker asks once more
 * in a way that cannot do harm: `HEAD` to the same URL with no body, no headers and no
 * credentials (never a token, cookies neither, and never a non-safe request sent twice). Answered:
 * the origin is allowed, so something else the failed request carried was not: a header that is
 * not CORS-safelisted (the token's), a method other than GET, HEAD and POST, or credentials. Not
 * answered: a `no-cors` `HEAD` tells a server that does not allow the page's origin from one that
 * does not answer at all. One probe per origin and burst of failures, beside the failure: the page's
 * request has its network error already, and nothing waits for the probe.
 *
 * @param timeoutMs how long the probes of one failure may take together (`refreshTimeoutMs`).
 */
export function corsDiagnosis(
  selfOrigin: string,
  env: Pick<Environment, 'fetch' | 'now' | 'timeout'>,
  timeoutMs: number,
  onError: (error: CorsError) => void,
): CorsDiagnosis {
  const bursts = new Map<string, { at: number; reason?: string }>();
  const current = (key: string) => {
    const burst = bursts.get(key);
    return burst && env.now() - burst.at < BURST_MS ? burst : undefined;
  };

  const probe = async ({ url, method, credentials, headers }: FailedRequest): Promise<string | undefined> => {
    const signal = env.timeout(timeoutMs);
    const answered = (mode: RequestMode) =>
      env.fetch(url, { method: 'HEAD', mode, credentials: 'omit', cache: 'no-store', signal }).then(
        () => true,
        () => false,
      );
    if (!(await answered('cors'))) {
      return (await answered('no-cors'))
        ? `does not allow requests from ${selfOrigin} (Access-Control-Allow-Origin, on every answer, errors too)`
        : 'did not answer at all, not even without CORS (down, unreachable, or an untrusted certificate)';
    }
    // Fetch's CORS-safelisted request-headers need no permission; every other one does.
    const names: string[] = [];
    headers.forEach((value, name) => {
      const safe =
        /^(?:accept(?:-language)?|content-language)$/.test(name) ||
        (name === 'content-type' && /^(?:application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\s*(?:;|$)/i.test(value));
      if (!safe) names.push(spelled(name));
    });
    const refused: string[] = [];
    if (names.length > 0) refused.push(`the ${names.join(', ')} header${names.length > 1 ? 's' : ''} (Access-Control-Allow-Headers)`);
    if (!/^(?:GET|HEAD|POST)$/.test(method)) refused.push(`the ${method} method (Access-Control-Allow-Methods)`);
    if (credentials === 'include') {
      refused.push(`credentials (Access-Control-Allow-Credentials: true, with Access-Control-Allow-Origin ${selfOrigin}, not *)`);
    }
    return refused.length > 0 ? `does not allow ${refused.join(' or ')}` : undefined;
  };

  return {
    failed(request, error, what) {
      const { origin } = new URL(request.url);
      if (origin === selfOrigin || (error as Error | null)?.name !== 'TypeError') return undefined;
      const key = `${what} at ${origin}`;
      const burst = current(key);
      if (burst) {
        burst.at = env.now();
        return undefined;
      }
      const entry: { at: number; reason?: string } = { at: env.now() };
      bursts.set(key, entry);
      return probe(request).then((reason) => {
        if (reason === undefined) return;
        entry.reason = `${key} ${reason}`;
        onError(new CorsError(`Failed to reach ${what} at ${origin}: it ${reason}`));
      });
    },
    reason: (url, what) => current(`${what} at ${new URL(url).origin}`)?.reason,
  };
}
