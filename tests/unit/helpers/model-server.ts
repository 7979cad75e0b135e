import { API_ORIGIN, LOGIN_ENDPOINT, TOKEN_ENDPOINT } from './fixtures.js';

export const REVOKE_ENDPOINT = 'https://auth.example.com/oauth/revoke';
/** Protected, and answers with a redirect to an unprotected path of the same origin. */
export const REDIRECT_PATH = '/api/redirect';
const UNPROTECTED_TARGET = `${API_ORIGIN}/public/landing`;
/** Which worker a call came from (the model's network adds it). */
export const WORKER_HEADER = 'x-model-worker';
/** Every page request carries its id here, so the server can count what arrived for it. */
export const REQUEST_ID_HEADER = 'x-model-request';
const LIFETIME_S = 60;

export type RefreshMode = 'ok' | '500' | '429' | 'hang' | 'malformed' | 'invalid_grant';

interface Family {
  readonly id: string;
  /** The one refresh token that may be spent now. */
  current: string;
  /** Every refresh token this family rotated away: sending one again is the theft signal. */
  readonly rotated: Set<string>;
  revoked: boolean;
}

/** What the server saw arrive for one page request. */
export interface Arrival {
  path: string;
  /** The session (refresh-token family) of the access token it carried, `null` for none. */
  family: string | null;
}

/**
 * An OAuth server with refresh-token rotation and reuse detection, and a resource server, on a
 * virtual clock. It records every guarantee it sees broken in `violations`.
 *
 * A hanging refresh is one the server never processed (it rotates nothing); a malformed answer is
 * garbage from something in front of it (a proxy's error page), so it rotates nothing either.
 */
export class ModelServer {
  readonly violations: string[] = [];
  /** Refresh calls in arrival order, with the global sequence number they arrived at. */
  readonly refreshCalls: { seq: number; family: string | null; worker: string | null }[] = [];
  readonly arrivals = new Map<string, Arrival[]>();
  refreshMode: RefreshMode = 'ok';
  readonly #families = new Map<string, Family>();
  /** access token → family and expiry (server clock). */
  readonly #accessTokens = new Map<string, { family: string; expiresAt: number; rejected: boolean }>();
  #counter = 0;
  readonly #now: () => number;
  readonly #seq: () => number;

  constructor(now: () => number, seq: () => number) {
    this.#now = now;
    this.#seq = seq;
  }

  /** Every access token issued so far answers 401 from now on (the server's keys rotated). */
  rejectIssuedTokens(): void {
    for (const token of this.#accessTokens.values()) token.rejected = true;
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let request = input instanceof Request && init === undefined ? input : new Request(input, init);
    for (let hops = 0; ; hops++) {
      const response = await this.#answer(request);
      // The browser follows a redirect itself unless told not to, keeping Authorization on a
      // same-origin hop (Fetch: it is dropped only across origins).
      const location = response.headers.get('location');
      if (request.redirect !== 'follow' || location === null || hops > 3) return response;
      request = new Request(new URL(location, request.url), { headers: request.headers, signal: request.signal });
    }
  };

  async #answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const key = url.origin + url.pathname;
    if (key === LOGIN_ENDPOINT) return this.#login();
    if (key === TOKEN_ENDPOINT)
      return this.#refresh(new URLSearchParams(await request.text()), request.signal, request.headers.get(WORKER_HEADER));
    if (key === REVOKE_ENDPOINT) {
      const token = new URLSearchParams(await request.text()).get('token');
      for (const family of this.#families.values()) if (family.current === token || family.rotated.has(token ?? '')) family.revoked = true;
      return new Response(null, { status: 200 });
    }
    if (url.origin === API_ORIGIN) return this.#api(request, url);
    throw new TypeError(`Failed to fetch: the model has no ${key}`);
  }

  #tokenSet(family: Family): Response {
    const accessToken = `at-${++this.#counter}-${family.id}`;
    this.#accessTokens.set(accessToken, { family: family.id, expiresAt: this.#now() + LIFETIME_S * 1000, rejected: false });
    return Response.json({ access_token: accessToken, refresh_token: family.current, token_type: 'Bearer', expires_in: LIFETIME_S });
  }

  #login(): Response {
    const id = `f${++this.#counter}`;
    const family: Family = { id, current: `rt-${++this.#counter}-${id}`, rotated: new Set(), revoked: false };
    this.#families.set(id, family);
    return this.#tokenSet(family);
  }

  async #refresh(fields: URLSearchParams, signal: AbortSignal, worker: string | null): Promise<Response> {
    const token = fields.get('refresh_token') ?? '';
    const family = [...this.#families.values()].find((f) => f.current === token || f.rotated.has(token)) ?? null;
    this.refreshCalls.push({ seq: this.#seq(), family: family?.id ?? null, worker });
    if (family?.rotated.has(token)) {
      this.violations.push(`refresh token ${token} was sent again after it was rotated`);
      family.revoked = true;
    }
    switch (this.refreshMode) {
      case 'hang':
        return new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      case '500':
        return new Response('down', { status: 500 });
      case '429':
        return new Response('slow down', { status: 429, headers: { 'Retry-After': '2' } });
      case 'malformed':
        return new Response('<html>bad gateway</html>', { status: 200, headers: { 'Content-Type': 'application/json' } });
      case 'invalid_grant':
        if (family) family.revoked = true;
        return Response.json({ error: 'invalid_grant' }, { status: 400 });
      case 'ok':
        if (family === null || family.revoked || family.current !== token)
          return Response.json({ error: 'invalid_grant' }, { status: 400 });
        family.rotated.add(family.current);
        family.current = `rt-${++this.#counter}-${family.id}`;
        return this.#tokenSet(family);
    }
  }

  #api(request: Request, url: URL): Response {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? null;
    const token = bearer === null ? undefined : this.#accessTokens.get(bearer);
    const id = request.headers.get(REQUEST_ID_HEADER);
    if (id !== null) {
      const list = this.arrivals.get(id) ?? [];
      list.push({ path: url.pathname, family: token?.family ?? null });
      this.arrivals.set(id, list);
    }
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) {
      if (token) this.violations.push(`an access token reached the unprotected ${url.pathname}`);
      return Response.json({ public: true });
    }
    if (url.pathname === REDIRECT_PATH) return new Response(null, { status: 302, headers: { Location: UNPROTECTED_TARGET } });
    const valid = token !== undefined && !token.rejected && token.expiresAt > this.#now() && !this.#families.get(token.family)!.revoked;
    if (!valid) return new Response('no', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    const body = JSON.stringify({ ok: true });
    return new Response(body, { headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } });
  }
}
