import { ConfigError } from './errors/config-error.js';

/**
 * Readers for one config field each: they return the checked value or throw a `ConfigError`
 * naming the field, what is wrong and the fix.
 */

export function fail(field: string, problem: string, fix: string): never {
  throw new ConfigError(`Failed to install sw-auth-proxy: \`${field}\` ${problem}. ${fix}`);
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

export function checkScheme(field: string, url: URL, allowInsecureHttp: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (allowInsecureHttp || isLoopback(url.hostname))) return;
  if (url.protocol === 'http:') {
    fail(
      field,
      `is plain http on a non-loopback host (${url.host})`,
      'Use https, or set `allowInsecureHttp: true` if you accept that tokens travel unencrypted.',
    );
  }
  fail(field, `has the scheme "${url.protocol}"`, 'Use an https: (or loopback http:) URL.');
}

export function parseOrigin(field: string, value: unknown, allowInsecureHttp: boolean): string {
  if (typeof value !== 'string' || value === '') {
    fail(field, 'must be a non-empty string', 'Write the origin like "https://api.example.com".');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(field, `is not a URL ("${value}")`, 'Write the origin like "https://api.example.com".');
  }
  checkScheme(field, url, allowInsecureHttp);
  // An origin is scheme + host + port. Anything more is a sign the author expected prefix matching
  // on the whole URL, which is exactly the lookalike bug this library exists to avoid.
  const extra = url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '';
  if (extra || value.endsWith('?') || value.endsWith('#')) {
    fail(
      field,
      `must be an origin only (scheme, host, optional port), got "${value}"`,
      `Write "${url.origin}" and put any path in \`pathPrefixes\`.`,
    );
  }
  return url.origin;
}

export function parsePathPrefixes(field: string, value: unknown): readonly string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0) {
    fail(field, 'must be a non-empty array of paths', 'Write e.g. `["/api/"]`, or leave it out to protect every path.');
  }
  return value.map((prefix: unknown, index) => {
    if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
      fail(`${field}[${index}]`, 'must be a path starting with "/"', 'Write e.g. "/api/".');
    }
    // Normalise through the URL parser so "/a/../b" and percent-encoded dots compare as browsers send them.
    // Appended to an origin rather than resolved against one: resolved, "//admin" would be read as a
    // host and become "/", protecting every path.
    const normalised = new URL(`https://x.invalid${prefix}`).pathname;
    return normalised.length > 1 && normalised.endsWith('/') ? normalised.slice(0, -1) : normalised;
  });
}

export function parseEndpoint(field: string, value: unknown, base: string, allowInsecureHttp: boolean): string {
  if (typeof value !== 'string' || value === '') {
    fail(field, 'must be a non-empty URL string', 'Write e.g. "https://auth.example.com/oauth/token" or "/auth/token".');
  }
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    fail(field, `is not a URL ("${value}")`, 'Write e.g. "https://auth.example.com/oauth/token".');
  }
  checkScheme(field, url, allowInsecureHttp);
  return url.origin + url.pathname;
}

export function optionalEndpoint(field: string, value: unknown, base: string, allowInsecureHttp: boolean): string | undefined {
  return value === undefined ? undefined : parseEndpoint(field, value, base, allowInsecureHttp);
}

export function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    fail(field, 'must be a non-empty string when given', 'Remove it or give a value.');
  }
  return value;
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  fail(field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, `Got ${JSON.stringify(value)}.`);
}

export function positiveInteger(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  fail(field, 'must be a positive whole number', `Got ${JSON.stringify(value)}.`);
}

export function flag(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  fail(field, 'must be true or false', `Got ${JSON.stringify(value)}.`);
}

export function nested(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, 'must be an object', `Write e.g. \`${field}: { ${keys[0]}: … }\`, or leave it out for the defaults.`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${field}.${key}`, 'is not an option', `Known options: ${keys.join(', ')}.`);
  }
  return value as Record<string, unknown>;
}

export function fraction(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && value > 0 && value <= 0.5) return value;
  fail(field, 'must be a number above 0 and at most 0.5', `Got ${JSON.stringify(value)}.`);
}
