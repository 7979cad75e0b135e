import type { ResolvedConfig } from './config.js';
import type { DpopKey } from './dpop-key.js';
import type { DpopSigner } from './dpop-signer.js';
import type { AuthProxyError } from './errors/auth-proxy-error.js';
import { TokenResponseError } from './errors/token-response-error.js';
import { RequestBody } from './request-body.js';
import type { SessionRecord } from './session-record.js';
import { encodeTokenBody, holdsOtherRefreshToken, readTokenBody } from './token-body.js';
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

/**
 * The Content-Type of the rewritten body: the server's own (JSON sent as `text/plain` stays
 * `text/plain`), with any charset made UTF-8, since that is how the body is encoded again.
 */
function rewrittenContentType(original: string | null, format: 'json' | 'form'): string {
  if (original === null || original.trim() === '') return format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  return original.replace(/(;\s*charset=)("[^"]*"|[^;]*)/i, '$1utf-8');
}

/** A header value as an error message may quote it: short, printable. */
function quotable(value: string | null): string {
  return value === null ? 'none' : value.slice(0, 100).replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Sends a page's request to a token endpoint (login, OAuth code exchange) as it is, keeps the
 * tokens of a 2xx RFC 6749 §5.1 response, and hands the page the same body without
 * `refresh_token` and, unless `exposeAccessToken`, with a placeholder for `access_token`. The
 * body is read by what it is (token-body.ts): JSON whatever its Content-Type, or form-encoded,
 * which stays form-encoded. Errors and 2xx bodies without tokens reach the page untouched; a 2xx
 * body that holds a refresh token in a shape the proxy cannot scrub does not reach it at all.
 */
export async function captureTokenResponse(request: Request, options: TokenCaptureOptions): Promise<Response> {
  const key = (await options.loginKey?.()) ?? null;
  const response =
    key === null || !options.signer ? await options.fetch(request) : await sendWithProof(request, key, options.signer, options);
  if (!response.ok) return response;

  let text: string;
  try {
    text = await response.clone().text();
  } catch {
    // The page's copy of the body fails the same way, after handing over what came before the
    // failure, which may be a refresh token: it gets the failure alone.
    return Response.error();
  }
  const body = readTokenBody(text);
  const refuse = (what: string) => refuseTokenResponse(request, response, what, options);
  if (body.format === 'other') return body.holdsRefreshToken ? refuse('is neither a JSON object nor form-encoded') : response;
  const { format, fields } = body;
  if (holdsOtherRefreshToken(fields)) return refuse('holds a refresh token outside the top-level `refresh_token` field');
  if (!('access_token' in fields) && !('refresh_token' in fields)) return response;
  const scrubbed: Record<string, unknown> = { ...fields };
  delete scrubbed['refresh_token'];

  try {
    const tokens = parseTokenResponse(fields, options.now(), response.headers.get('date'), key === null ? 'Bearer' : 'DPoP');
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
  headers.set('content-type', rewrittenContentType(response.headers.get('content-type'), format));
  headers.set('cache-control', 'no-store');
  return new Response(encodeTokenBody(format, scrubbed), { status: response.status, statusText: response.statusText, headers });
}

/**
 * Fail closed: a 2xx token response that holds a refresh token the proxy cannot take out is
 * answered with a 502 of its own, nothing stored, and an `error` event naming the endpoint and the
 * Content-Type, so whoever runs the server can see what to change.
 */
function refuseTokenResponse(request: Request, response: Response, what: string, options: TokenCaptureOptions): Response {
  void response.body?.cancel().catch(() => undefined);
  const url = new URL(request.url);
  const contentType = quotable(response.headers.get('content-type'));
  options.onError(
    new TokenResponseError(
      `Failed to read the token response of ${url.origin}${url.pathname} (Content-Type: ${contentType}): it ${what}, so the proxy cannot take the refresh token out; the page got a 502 instead. Answer with RFC 6749 §5.1 JSON`,
    ),
  );
  return new Response(
    JSON.stringify({
      error: 'unreadable_token_response',
      error_description: `sw-auth-proxy kept this token response from the page: it holds a refresh token in a shape the proxy cannot read (Content-Type: ${contentType})`,
    }),
    { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } },
  );
}

/**
 * The page's token request with a DPoP proof of the login's key (RFC 9449 §5), so the server binds
 * the tokens (and a refresh token) to it. The request's own body goes at once and a copy is kept
 * beside it: a server asking for its nonce gets the same request again with it.
 */
async function sendWithProof(request: Request, key: DpopKey, signer: DpopSigner, options: TokenCaptureOptions): Promise<Response> {
  const { maxReplayBodyBytes, replayBodyTimeoutMs } = options.config;
  const body = new RequestBody(request, { maxBytes: maxReplayBodyBytes, timeoutMs: replayBodyTimeoutMs });
  const attempt = async () => {
    const proof = await signer.sign(key, {
      method: request.method,
      url: request.url,
      serverTimeOffsetMs: options.serverTimeOffsetMs?.() ?? 0,
    });
    const headers = new Headers(request.headers);
    headers.set('dpop', proof.proof);
    const init: RequestInit = { headers, referrer: request.referrer, referrerPolicy: request.referrerPolicy };
    const bytes = await body.forSend();
    if (bytes !== null) init.body = bytes;
    return { proof, response: await options.fetch(new Request(request, init)) };
  };
  try {
    return await signer.exchange(request.url, attempt, async () => typeof (await body.copy()) !== 'string');
  } finally {
    body.release();
  }
}
