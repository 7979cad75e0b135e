import type { ResolvedConfig } from './config.js';
import type { DpopKey } from './dpop-key.js';
import type { DpopSigner } from './dpop-signer.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { TokenResponseError } from './errors/token-response-error.js';
import { readReplayableBody } from './replayable-body.js';
import type { SessionRecord } from './session-record.js';
import { parseTokenResponse, type TokenSet } from './token-response.js';

export interface TokenCaptureOptions {
  config: ResolvedConfig;
  /** The session's login: stores the tokens (bound to `dpopKey` if given) and tells every tab. */
  login: (tokens: TokenSet, dpopKey?: DpopKey) => Promise<SessionRecord>;
  onError: (error: AuthProxyError) => void;
  fetch: typeof fetch;
  now: () => number;
  /** With `dpop`: the key the login is bound to, drawn before the request goes out. */
  loginKey?: () => Promise<DpopKey | null>;
  signer?: DpopSigner;
  /** The server's clock minus ours, as last measured: a proof's `iat` is in the server's time. */
  serverTimeOffsetMs?: () => number;
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
  const key = (await options.loginKey?.()) ?? null;
  const response =
    key === null || !options.signer ? await options.fetch(request) : await sendWithProof(request, key, options.signer, options);
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
    const tokens = parseTokenResponse(json, options.now(), response.headers.get('date'), key === null ? 'Bearer' : 'DPoP');
    const record = await options.login(tokens, key ?? undefined);
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

/**
 * The page's token request with a DPoP proof of the login's key (RFC 9449 §5), so the server binds
 * the tokens (and a refresh token) to it. The body is read first: a server asking for its nonce
 * gets the same request again with it.
 */
async function sendWithProof(request: Request, key: DpopKey, signer: DpopSigner, options: TokenCaptureOptions): Promise<Response> {
  const body = await readReplayableBody(request, options.config.maxReplayBodyBytes);
  const attempt = async () => {
    const proof = await signer.sign(key, {
      method: request.method,
      url: request.url,
      serverTimeOffsetMs: options.serverTimeOffsetMs?.() ?? 0,
    });
    const headers = new Headers(request.headers);
    headers.set('dpop', proof.proof);
    const init: RequestInit = { headers, referrer: request.referrer, referrerPolicy: request.referrerPolicy };
    if (body instanceof ArrayBuffer) init.body = body;
    return { proof, response: await options.fetch(new Request(request, init)) };
  };
  return signer.exchange(request.url, attempt, typeof body !== 'string');
}
