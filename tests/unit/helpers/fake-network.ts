/** A request as the fake network received it, body already read. */
export interface SentRequest {
  readonly request: Request;
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly text: string;
}

export type Responder = (sent: SentRequest) => Response | Promise<Response>;

/**
 * Stands in for the network: routes by origin + path, records every request with its body bytes,
 * and fails like a real network (TypeError) for anything unrouted.
 */
export class FakeNetwork {
  readonly sent: SentRequest[] = [];
  /**
   * Read each body before answering (and record it). Off, the server answers at once and the
   * request's body is left to the responder, as a server that rejects an upload before reading it.
   */
  readBodies = true;
  readonly #routes: { endpoint: string; respond: Responder }[] = [];

  /** Answer requests to `endpoint` exactly, or below it (`https://api.example.com` takes every path). */
  route(endpoint: string, respond: Responder): this {
    this.#routes.push({ endpoint, respond });
    return this;
  }

  /** Requests sent to `endpoint` (same matching as `route`), in order. */
  to(endpoint: string): SentRequest[] {
    return this.sent.filter((sent) => matches(endpoint, sent.url));
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const body = this.readBodies ? new Uint8Array(await request.clone().arrayBuffer()) : new Uint8Array();
    const sent: SentRequest = {
      request,
      url: request.url,
      method: request.method,
      headers: new Headers(request.headers),
      body,
      text: new TextDecoder().decode(body),
    };
    this.sent.push(sent);
    const route = this.#routes.find((r) => matches(r.endpoint, request.url));
    if (!route) throw new TypeError(`Failed to fetch: no fake route for ${request.url}`);
    return route.respond(sent);
  };
}

function matches(endpoint: string, url: string): boolean {
  const { origin, pathname } = new URL(url);
  const key = origin + pathname;
  return key === endpoint || key.startsWith(endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
}

/**
 * A JSON API answer as a real server sends it, with its Content-Length (`Response.json` has
 * none, and a response without one is a stream to the worker, which holds itself alive for it).
 */
export function apiJson(body: unknown): Response {
  const text = JSON.stringify(body);
  return new Response(text, {
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(new TextEncoder().encode(text).byteLength) },
  });
}

/** A 401 an RFC 6750 resource server sends for an expired token. */
export function expiredToken(body = 'token expired'): Response {
  return new Response(body, { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
}

/** A 2xx RFC 6749 §5.1 token response. */
export function tokenResponse(fields: Record<string, unknown>, status = 200): Response {
  return Response.json({ token_type: 'Bearer', expires_in: 3600, ...fields }, { status });
}
