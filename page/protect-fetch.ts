/** The page engine's answer to a request: a promise of the response, or `undefined` when it is not ours. */
export type Respond = (request: Request) => Promise<Response> | undefined;

/** The engine as the wrappers see it: a cheap prefix test, the exact decision, and the answer. */
export interface PageRoute {
  /** May `url` (absolute, serialised) be ours? A string test that lets everything else through at once. */
  handles(url: string): boolean;
  /** Is a `method` request to `url` ours: a login to capture or a protected call? */
  claims(method: string, url: string): boolean;
  respond: Respond;
}

/** The absolute URL a fetch or XHR would request, or `null` when it would not parse (the native call then throws). */
export function absoluteUrl(input: string | URL, base: string): string | null {
  try {
    return new URL(input, base).href;
  } catch {
    return null;
  }
}

/**
 * Put the engine in front of `target.fetch` for the requests it protects; every other call goes to
 * the `fetch` that was there before, untouched (an app's own wrapper installed earlier keeps
 * working, and one installed later wraps this). Returns what undoes it: the original comes back
 * if `fetch` is still ours, and otherwise ours passes everything through from then on, so a
 * wrapper installed on top keeps working too.
 */
export function protectFetch(target: { fetch: typeof fetch }, route: PageRoute, base: () => string): () => void {
  const original = target.fetch;
  let active = true;
  const wrapped: typeof fetch = function fetch(input, init) {
    if (!active) return original.call(target, input, init);
    const url = input instanceof Request ? input.url : absoluteUrl(input, base());
    if (url === null || !route.handles(url)) return original.call(target, input, init);
    let request: Request;
    try {
      request = new Request(input, init);
    } catch {
      // An invalid init: the native fetch rejects with its own TypeError.
      return original.call(target, input, init);
    }
    return route.respond(request) ?? original.call(target, request);
  };
  target.fetch = wrapped;
  return () => {
    active = false;
    if (target.fetch === wrapped) target.fetch = original;
  };
}
