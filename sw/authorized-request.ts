import type { SessionTokens } from './session-record.js';

/**
 * The request to send: the page's request with `tokens` attached (or our placeholder removed when
 * there are none), carrying `body` instead of its own when given (a later send: the first one used
 * up the request's own). Every property of the original (method, credentials, cache, integrity,
 * keepalive, signal) and every header carries over through `new Request(request, init)`; referrer
 * and its policy are reset by that constructor whenever `init` is non-empty, so they are passed
 * again explicitly. A `signal` given replaces the request's own (which it must then follow).
 *
 * A request that carries the token does not follow redirects: the browser would take the header
 * to every same-origin hop, protected or not, and the worker cannot see where a hop goes (an
 * opaque redirect hides `Location`). The fetch handler answers such a redirect itself.
 */
export function authorizedRequest(
  request: Request,
  body: ArrayBuffer | null,
  tokens: SessionTokens | null,
  selfOrigin: string,
  { dpopProof = null, signal }: { dpopProof?: string | null; signal?: AbortSignal | undefined } = {},
): Request {
  const init: RequestInit = { referrer: request.referrer, referrerPolicy: request.referrerPolicy };
  if (signal !== undefined) init.signal = signal;
  if (tokens !== null) init.redirect = 'manual';
  // A no-cors request silently drops an Authorization header (the "request-no-cors" header
  // guard), so an <img> or <video> pointing at a protected URL is upgraded to a CORS request.
  if (request.mode === 'no-cors') {
    init.mode = new URL(request.url).origin === selfOrigin ? 'same-origin' : 'cors';
  }
  if (body !== null) init.body = body;
  // The constructor copies the headers natively; `init.headers` would copy them by iterating the
  // list in script, an array per header, on every request. The copy's headers are its own (guard
  // "request", the mode is no longer no-cors), so they are edited in place.
  const sent = new Request(request, init);
  const headers = sent.headers;
  if (tokens !== null) {
    // RFC 9449 §7.1: a DPoP-bound token travels under its own scheme, with the proof beside it. A
    // proof the page set itself never goes out with our token.
    headers.set('authorization', `${dpopProof === null ? 'Bearer' : 'DPoP'} ${tokens.accessToken}`);
    if (dpopProof === null) headers.delete('dpop');
    else headers.set('dpop', dpopProof);
  } else {
    const authorization = headers.get('authorization');
    if (authorization !== null && /^\s*(?:Bearer|DPoP)\s+sw-auth-proxy\./i.test(authorization)) headers.delete('authorization');
  }
  return sent;
}

/** A redirect answer to a `redirect: 'manual'` request: opaque in a browser, a plain 3xx elsewhere. */
export function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400 && response.status !== 304);
}
