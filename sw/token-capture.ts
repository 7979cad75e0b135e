import type { ResolvedConfig } from './config.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { TokenResponseError } from './errors/token-response-error.js';
import type { SessionRecord } from './session-record.js';
import { parseTokenResponse, type TokenSet } from './token-response.js';

export interface TokenCaptureOptions {
  config: ResolvedConfig;
  /** The session's login: stores the tokens and tells every tab. */
  login: (tokens: TokenSet) => Promise<SessionRecord>;
  onError: (error: AuthProxyError) => void;
  fetch: typeof fetch;
  now: () => number;
}

/** Headers that describe the network body, which the rewritten body no longer is. */
const BODY_HEADERS = ['content-length', 'content-encoding', 'content-md5', 'etag', 'digest'];

function isJson(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
}

/**
 * Sends a page's request to a token endpoint (login, OAuth code exchange) as it is, keeps the
 * tokens of a 2xx RFC 6749 §5.1 response, and hands the page the same JSON without
 * `refresh_token` and, unless `exposeAccessToken`, with a placeholder for `access_token`.
 * Anything else (errors, non-JSON) reaches the page untouched.
 */
export async function captureTokenResponse(request: Request, options: TokenCaptureOptions): Promise<Response> {
  const response = await options.fetch(request);
  if (!response.ok || !isJson(response)) return response;

  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return response; // claimed JSON but is not: nothing to capture, nothing to hide
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return response;
  const json = body as Record<string, unknown>;
  if (!('access_token' in json) && !('refresh_token' in json)) return response;

  const scrubbed: Record<string, unknown> = { ...json };
  delete scrubbed['refresh_token'];
  try {
    const tokens = parseTokenResponse(json, options.now(), response.headers.get('date'));
    const record = await options.login(tokens);
    scrubbed['access_token'] = options.config.exposeAccessToken ? tokens.accessToken : record.tokens!.placeholder;
  } catch (error) {
    // Unusable (e.g. not a bearer token): nothing is stored, but the refresh token still never
    // reaches the page, and the access token only if the config allows it.
    if (!options.config.exposeAccessToken) delete scrubbed['access_token'];
    options.onError(
      error instanceof TokenResponseError
        ? error
        : new TokenResponseError(`Failed to keep the tokens of a token response: ${error instanceof Error ? error.name : 'unknown error'}`),
    );
  }

  const headers = new Headers(response.headers);
  for (const name of BODY_HEADERS) headers.delete(name);
  headers.set('content-type', 'application/json');
  headers.set('cache-control', 'no-store');
  return new Response(JSON.stringify(scrubbed), { status: response.status, statusText: response.statusText, headers });
}
