import { describe, expect, it } from 'vitest';
import type { ProtectedOrigin } from '../../sw/config.js';
import { resolveConfig } from '../../sw/resolve-config.js';
import { createUrlMatcher } from '../../sw/protected-url.js';

/** A matcher built the way the worker builds it: from a validated config. */
function matcher(protectedOrigins: readonly (string | ProtectedOrigin)[]): (url: string) => boolean {
  const config = resolveConfig(
    { protectedOrigins, tokenEndpoints: ['/auth/login'], refreshEndpoint: '/auth/refresh' },
    'https://app.example.com/auth-sw.js',
  );
  const isProtected = createUrlMatcher(config.protectedOrigins);
  return (url) => isProtected(new URL(url));
}

describe('createUrlMatcher: origins', () => {
  const isProtected = matcher(['https://api.example.com']);

  it.each([
    'https://api.example.com/',
    'https://api.example.com/users?page=2',
    'https://api.example.com:443/users',
    'https://API.EXAMPLE.COM/users',
    'https://api.example.com/users#x',
  ])('matches the origin itself: %s', (url) => {
    expect(isProtected(url)).toBe(true);
  });

  it.each([
    ['a lookalike host ending in a foreign domain', 'https://api.example.com.evil.test/users'],
    ['the origin as a path on another host', 'https://evil.test/https://api.example.com'],
    ['the origin as a query on another host', 'https://evil.test/?https://api.example.com/'],
    ['userinfo that looks like the host', 'https://api.example.com@evil.test/users'],
    ['userinfo with a port that looks like the host', 'https://api.example.com:443@evil.test/'],
    ['another port', 'https://api.example.com:8443/users'],
    ['plain http', 'http://api.example.com/users'],
    ['http on the https port', 'http://api.example.com:443/users'],
    ['a sibling subdomain', 'https://evil-api.example.com/users'],
    ['a subdomain of the host', 'https://x.api.example.com/users'],
    ['the parent domain', 'https://example.com/users'],
    ['the fully qualified host with a trailing dot', 'https://api.example.com./users'],
    ['websocket scheme', 'wss://api.example.com/users'],
  ])('does not match %s', (_case, url) => {
    expect(isProtected(url)).toBe(false);
  });

  it('matches a loopback origin on its own port only', () => {
    const local = matcher(['http://localhost:8080']);
    expect(local('http://localhost:8080/api')).toBe(true);
    expect(local('http://localhost:8081/api')).toBe(false);
    expect(local('http://localhost/api')).toBe(false);
    expect(local('https://localhost:8080/api')).toBe(false);
  });
});

describe('createUrlMatcher: path prefixes', () => {
  const isProtected = matcher([{ origin: 'https://api.example.com', pathPrefixes: ['/api', '/v2/graphql/'] }]);

  it.each([
    'https://api.example.com/api',
    'https://api.example.com/api/',
    'https://api.example.com/api/users/1',
    'https://api.example.com/api?x=1',
    'https://api.example.com/v2/graphql',
    'https://api.example.com/v2/graphql/batch',
    'https://api.example.com/other/../api/users',
  ])('matches on a segment boundary: %s', (url) => {
    expect(isProtected(url)).toBe(true);
  });

  it.each([
    ['a longer segment', 'https://api.example.com/apiary'],
    ['a shorter path', 'https://api.example.com/ap'],
    ['the root', 'https://api.example.com/'],
    ['another case', 'https://api.example.com/API/users'],
    ['a prefix further down the path', 'https://api.example.com/public/api/users'],
    ['dot-dot out of the prefix', 'https://api.example.com/api/../admin'],
    ['encoded dot-dot out of the prefix', 'https://api.example.com/api/%2e%2e/admin'],
    ['upper-case encoded dot-dot', 'https://api.example.com/api/%2E%2E/admin'],
    ['half-encoded dot-dot', 'https://api.example.com/api/.%2e/admin'],
    ['a backslash dot-dot', 'https://api.example.com/api\\..\\admin'],
    ['the prefix on a lookalike host', 'https://api.example.com.evil.test/api/users'],
    ['a longer last segment of a nested prefix', 'https://api.example.com/v2/graphqlx'],
  ])('does not match %s', (_case, url) => {
    expect(isProtected(url)).toBe(false);
  });

  it('a "/" prefix protects every path', () => {
    const all = matcher([{ origin: 'https://api.example.com', pathPrefixes: ['/'] }]);
    expect(all('https://api.example.com/')).toBe(true);
    expect(all('https://api.example.com/anything/at/all')).toBe(true);
  });

  it('dot segments in a configured prefix are resolved before matching', () => {
    const normalised = matcher([{ origin: 'https://api.example.com', pathPrefixes: ['/v1/../v2', '/a/%2e%2e/b'] }]);
    expect(normalised('https://api.example.com/v2/users')).toBe(true);
    expect(normalised('https://api.example.com/b/x')).toBe(true);
    expect(normalised('https://api.example.com/v1/users')).toBe(false);
    expect(normalised('https://api.example.com/a/x')).toBe(false);
  });

  it('a prefix starting with "//" stays a path, not a host that widens the match to every path', () => {
    const doubled = matcher([{ origin: 'https://api.example.com', pathPrefixes: ['//admin'] }]);
    expect(doubled('https://api.example.com//admin/users')).toBe(true);
    expect(doubled('https://api.example.com/users')).toBe(false);
    expect(doubled('https://api.example.com/')).toBe(false);
  });

  it('each origin has its own prefixes', () => {
    const mixed = matcher([{ origin: 'https://api.example.com', pathPrefixes: ['/api'] }, 'https://files.example.com']);
    expect(mixed('https://files.example.com/anything')).toBe(true);
    expect(mixed('https://api.example.com/anything')).toBe(false);
    expect(mixed('https://files.example.com.evil.test/anything')).toBe(false);
  });
});
