/**
 * Decides which URLs get the access token: the exact origin (scheme, host and port, as the URL
 * parser normalises them, so `:443` on https is the same origin and `api.example.com.evil.test` is
 * not), then, if any are configured, a path prefix on a segment boundary.
 */
export function createUrlMatcher(protectedOrigins: ReadonlyMap<string, readonly string[] | null>): (url: URL) => boolean {
  // Built once: this runs for every request the page makes.
  const rules = new Map(
    [...protectedOrigins].map(([origin, prefixes]) => [
      origin,
      prefixes === null || prefixes.includes('/') ? null : prefixes.map((prefix) => ({ exact: prefix, below: `${prefix}/` })),
    ]),
  );
  return (url) => {
    const prefixes = rules.get(url.origin);
    if (prefixes === undefined) return false;
    if (prefixes === null) return true;
    const path = url.pathname;
    return prefixes.some(({ exact, below }) => path === exact || path.startsWith(below));
  };
}
