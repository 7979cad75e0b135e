/** What a cross-origin server answers to CORS, as its configuration says. */
export interface CorsPolicy {
  /** `Access-Control-Allow-Origin`: the origin it names, `*`, or `null` for none. */
  allowOrigin: string | null;
  /** `Access-Control-Allow-Headers` of its preflight answers. */
  allowHeaders: readonly string[];
  /** `Access-Control-Allow-Methods` of its preflight answers. */
  allowMethods: readonly string[];
  /** `Access-Control-Allow-Credentials: true`. */
  allowCredentials: boolean;
  /** `false`: nothing answers at that address (refused, DNS, TLS). */
  reachable: boolean;
}

export const ALLOWING: CorsPolicy = {
  allowOrigin: '*',
  allowHeaders: ['Authorization', 'DPoP', 'Idempotency-Key', 'Content-Type'],
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
  allowCredentials: false,
  reachable: true,
};

/** One request that reached a server: a preflight (`OPTIONS`) or the request itself. */
export interface Arrival {
  method: string;
  url: string;
  authorization: string | null;
  credentials: RequestCredentials;
  bodyBytes: number;
}

const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'POST']);
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** Fetch's CORS-safelisted request-header (without the value length limits). */
function safelisted(name: string, value: string): boolean {
  if (name === 'accept' || name === 'accept-language' || name === 'content-language') return true;
  return name === 'content-type' && SIMPLE_TYPES.has(value.split(';')[0]!.trim().toLowerCase());
}

/**
 * A browser's `fetch` as script in `pageOrigin` sees it, in front of `send` (the servers): a
 * cross-origin request is checked against the policy of its origin as Fetch does (a preflight
 * for a method or header that needs one, then the response's `Access-Control-Allow-Origin` and
 * `-Credentials`), and a refusal is a bare `TypeError`, as script gets it. `no-cors` requests are
 * never refused by a reachable server. Every request that reaches a server is in `arrivals`.
 */
export function corsBrowser(pageOrigin: string, policies: Record<string, CorsPolicy>, send: typeof globalThis.fetch) {
  const arrivals: Arrival[] = [];
  const refused = () => new TypeError('Failed to fetch');
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const { origin } = new URL(request.url);
    const policy = origin === pageOrigin ? undefined : policies[origin];
    if (policy && !policy.reachable) throw refused();
    const arrive = async (method = request.method) => {
      const bodyBytes = method === 'OPTIONS' ? 0 : (await request.clone().arrayBuffer()).byteLength;
      arrivals.push({
        method,
        url: request.url,
        authorization: request.headers.get('authorization'),
        credentials: request.credentials,
        bodyBytes,
      });
    };
    if (policy === undefined || request.mode === 'no-cors') {
      await arrive();
      return policy === undefined ? send(request) : new Response(null, { status: 200 });
    }
    const withCredentials = request.credentials === 'include';
    const originAllowed = policy.allowOrigin === pageOrigin || (policy.allowOrigin === '*' && !withCredentials);
    const credentialsAllowed = !withCredentials || policy.allowCredentials;
    const unsafe: string[] = [];
    request.headers.forEach((value, name) => {
      if (!safelisted(name, value)) unsafe.push(name);
    });
    if (!SIMPLE_METHODS.has(request.method) || unsafe.length > 0) {
      await arrive('OPTIONS');
      const allowed = new Set(policy.allowHeaders.map((name) => name.toLowerCase()));
      const methodAllowed = SIMPLE_METHODS.has(request.method) || policy.allowMethods.includes(request.method);
      if (!originAllowed || !credentialsAllowed || !methodAllowed || unsafe.some((name) => !allowed.has(name))) throw refused();
    }
    await arrive();
    const response = await send(request);
    if (!originAllowed || !credentialsAllowed) throw refused();
    return response;
  };
  return { fetch, arrivals };
}
