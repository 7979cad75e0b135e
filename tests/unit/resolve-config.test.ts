import { describe, expect, it } from 'vitest';
import type { AuthProxyConfig } from '../../sw/config.js';
import { resolveConfig } from '../../sw/resolve-config.js';
import { ConfigError, isConfigError } from '../../sw/errors/config-error.js';

const BASE = 'https://app.example.com/static/auth-sw.js';

const valid: AuthProxyConfig = {
  protectedOrigins: ['https://api.example.com'],
  tokenEndpoints: ['https://auth.example.com/oauth/token'],
  refreshEndpoint: 'https://auth.example.com/oauth/token',
};

/** The ConfigError `resolveConfig` throws for `input`; fails the test if it does not throw one. */
function configError(input: unknown): ConfigError {
  try {
    resolveConfig(input, BASE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected resolveConfig to throw a ConfigError');
}

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...valid, [field]: value };
}

describe('resolveConfig: invalid fields', () => {
  it.each([
    // [what is wrong, config, field named in the message, text saying what to do]
    [
      'config is not an object',
      'https://api.example.com',
      'config',
      'Call installAuthProxy({ protectedOrigins, tokenEndpoints, refreshEndpoint })',
    ],
    ['config is an array', [valid], 'config', 'Call installAuthProxy('],
    [
      'no protected origins',
      withField('protectedOrigins', []),
      'protectedOrigins',
      'Write e.g. `protectedOrigins: ["https://api.example.com"]`',
    ],
    [
      'protectedOrigins missing',
      { tokenEndpoints: valid.tokenEndpoints, refreshEndpoint: valid.refreshEndpoint },
      'protectedOrigins',
      'Write e.g. `protectedOrigins',
    ],
    ['empty origin', withField('protectedOrigins', ['']), 'protectedOrigins[0]', 'Write the origin like "https://api.example.com"'],
    [
      'origin not a URL',
      withField('protectedOrigins', ['api.example.com']),
      'protectedOrigins[0]',
      'Write the origin like "https://api.example.com"',
    ],
    [
      'origin with another scheme',
      withField('protectedOrigins', ['ftp://api.example.com']),
      'protectedOrigins[0]',
      'Use an https: (or loopback http:) URL.',
    ],
    ['object origin not a string', withField('protectedOrigins', [{ origin: 42 }]), 'protectedOrigins[0].origin', 'Write the origin like'],
    [
      'empty pathPrefixes',
      withField('protectedOrigins', [{ origin: 'https://api.example.com', pathPrefixes: [] }]),
      'protectedOrigins[0].pathPrefixes',
      'Write e.g. `["/api/"]`, or leave it out to protect every path.',
    ],
    [
      'relative path prefix',
      withField('protectedOrigins', [{ origin: 'https://api.example.com', pathPrefixes: ['/ok', 'api'] }]),
      'protectedOrigins[0].pathPrefixes[1]',
      'Write e.g. "/api/".',
    ],
    [
      'origin listed twice',
      withField('protectedOrigins', ['https://api.example.com', 'https://api.example.com:443/']),
      'protectedOrigins[1]',
      'List each origin once, with all its path prefixes together.',
    ],
    ['no token endpoints', withField('tokenEndpoints', []), 'tokenEndpoints', 'Write e.g. `tokenEndpoints: ["/auth/login"]`'],
    [
      'token endpoint not a string',
      withField('tokenEndpoints', ['/auth/login', 42]),
      'tokenEndpoints[1]',
      'Write e.g. "https://auth.example.com/oauth/token" or "/auth/token".',
    ],
    [
      'refreshEndpoint missing',
      { protectedOrigins: valid.protectedOrigins, tokenEndpoints: valid.tokenEndpoints },
      'refreshEndpoint',
      'Write e.g. "https://auth.example.com/oauth/token" or "/auth/token".',
    ],
    [
      'refreshEndpoint not a URL',
      withField('refreshEndpoint', 'https://[bad'),
      'refreshEndpoint',
      'Write e.g. "https://auth.example.com/oauth/token".',
    ],
    ['empty clientId', withField('clientId', ''), 'clientId', 'Remove it or give a value.'],
    ['scope not a string', withField('scope', ['read']), 'scope', 'Remove it or give a value.'],
    ['unknown refreshBodyFormat', withField('refreshBodyFormat', 'xml'), 'refreshBodyFormat', 'must be one of "form", "json". Got "xml".'],
    [
      'unknown refreshTokenStorage',
      withField('refreshTokenStorage', 'localStorage'),
      'refreshTokenStorage',
      'must be one of "indexeddb", "memory", "cookie". Got "localStorage".',
    ],
    ['exposeAccessToken not a boolean', withField('exposeAccessToken', 'yes'), 'exposeAccessToken', 'must be true or false. Got "yes".'],
    ['allowInsecureHttp not a boolean', withField('allowInsecureHttp', 1), 'allowInsecureHttp', 'must be true or false. Got 1.'],
    [
      'maxReplayBodyBytes fractional',
      withField('maxReplayBodyBytes', 1.5),
      'maxReplayBodyBytes',
      'must be a positive whole number. Got 1.5.',
    ],
    ['maxReplayBodyBytes zero', withField('maxReplayBodyBytes', 0), 'maxReplayBodyBytes', 'must be a positive whole number. Got 0.'],
    [
      'replayBodyTimeoutMs negative',
      withField('replayBodyTimeoutMs', -1),
      'replayBodyTimeoutMs',
      'must be a positive whole number. Got -1.',
    ],
    [
      'refreshTimeoutMs a string',
      withField('refreshTimeoutMs', '30000'),
      'refreshTimeoutMs',
      'must be a positive whole number. Got "30000".',
    ],
    [
      'revocationEndpoint with a javascript: URL',
      withField('revocationEndpoint', 'javascript:alert(1)'),
      'revocationEndpoint',
      'has the scheme "javascript:". Use an https: (or loopback http:) URL.',
    ],
    ['empty logoutEndpoint', withField('logoutEndpoint', ''), 'logoutEndpoint', 'Write e.g.'],
    ['empty channelName', withField('channelName', ''), 'channelName', 'Remove it or give a value.'],
    ['databaseName not a string', withField('databaseName', 7), 'databaseName', 'Remove it or give a value.'],
  ])('%s: names the field and the fix', (_case, input, field, fix) => {
    const error = configError(input);
    expect(error.name).toBe('ConfigError');
    expect(isConfigError(error)).toBe(true);
    expect(error.message).toMatch(/^Failed to install sw-auth-proxy: /);
    expect(error.message).toContain(`\`${field}\``);
    expect(error.message).toContain(fix);
  });

  it.each([
    ['protectedOrigin', 'protectedOrigins'],
    ['tokenEndpoint', 'tokenEndpoints'],
    ['refreshEndpiont', 'refreshEndpoint'],
    ['clientID', 'clientId'],
    ['exposeAccesToken', 'exposeAccessToken'],
    ['refreshTokenStore', 'refreshTokenStorage'],
  ])('a typo `%s` suggests `%s`', (typo, intended) => {
    const error = configError({ ...valid, [typo]: 'x' });
    expect(error.message).toContain(`\`${typo}\` is not an option`);
    expect(error.message).toContain(`Did you mean \`${intended}\`?`);
  });

  it('an unknown option far from every known one lists the known options instead of guessing', () => {
    const error = configError({ ...valid, wibbleWobbleSetting: true });
    expect(error.message).toContain('`wibbleWobbleSetting` is not an option');
    expect(error.message).not.toContain('Did you mean');
    expect(error.message).toContain('Known options: protectedOrigins, tokenEndpoints, refreshEndpoint,');
  });

  it.each([
    ['https://api.example.com/api', 'https://api.example.com'],
    ['https://api.example.com/api/', 'https://api.example.com'],
    ['https://API.example.com:8443/v1/users', 'https://api.example.com:8443'],
    ['https://api.example.com?x=1', 'https://api.example.com'],
    ['https://api.example.com?', 'https://api.example.com'],
    ['https://api.example.com#top', 'https://api.example.com'],
    ['https://user:secret@api.example.com', 'https://api.example.com'],
  ])('an origin with more than scheme, host and port (%s) is rejected with the origin to write', (origin, suggested) => {
    const error = configError(withField('protectedOrigins', [origin]));
    expect(error.message).toContain('`protectedOrigins[0]` must be an origin only');
    expect(error.message).toContain(`Write "${suggested}" and put any path in \`pathPrefixes\`.`);
  });

  it('the object form names the `.origin` field', () => {
    const error = configError(withField('protectedOrigins', [{ origin: 'https://api.example.com/api' }]));
    expect(error.message).toContain('`protectedOrigins[0].origin` must be an origin only');
    expect(error.message).toContain('Write "https://api.example.com" and put any path in `pathPrefixes`.');
  });

  it.each([
    ['protectedOrigins', withField('protectedOrigins', ['http://api.example.com']), 'protectedOrigins[0]', 'api.example.com'],
    ['tokenEndpoints', withField('tokenEndpoints', ['http://auth.example.com/token']), 'tokenEndpoints[0]', 'auth.example.com'],
    ['refreshEndpoint', withField('refreshEndpoint', 'http://auth.example.com:8080/token'), 'refreshEndpoint', 'auth.example.com:8080'],
    ['revocationEndpoint', withField('revocationEndpoint', 'http://10.0.0.5/revoke'), 'revocationEndpoint', '10.0.0.5'],
    ['logoutEndpoint', withField('logoutEndpoint', 'http://0.0.0.0/logout'), 'logoutEndpoint', '0.0.0.0'],
  ])('plain http on a non-loopback host is rejected (%s)', (_name, input, field, host) => {
    const error = configError(input);
    expect(error.message).toContain(`\`${field}\` is plain http on a non-loopback host (${host})`);
    expect(error.message).toContain('Use https, or set `allowInsecureHttp: true`');
  });

  it('relative endpoints on an http (non-loopback) worker are rejected too', () => {
    expect(() => resolveConfig({ ...valid, tokenEndpoints: ['/auth/login'] }, 'http://intranet.example/auth-sw.js')).toThrow(
      /`tokenEndpoints\[0\]` is plain http on a non-loopback host \(intranet\.example\)/,
    );
  });
});

describe('resolveConfig: valid configs', () => {
  it.each(['http://localhost:8080', 'http://127.0.0.1:3000', 'http://127.5.6.7', 'http://[::1]:8080', 'http://api.localhost'])(
    'plain http on loopback (%s) is allowed',
    (origin) => {
      const config = resolveConfig({ ...valid, protectedOrigins: [origin], refreshEndpoint: `${origin}/token` }, BASE);
      expect([...config.protectedOrigins.keys()]).toEqual([new URL(origin).origin]);
      expect(config.refreshEndpoint).toBe(`${new URL(origin).origin}/token`);
    },
  );

  it('allowInsecureHttp lets plain http through on any host', () => {
    const config = resolveConfig(
      { ...valid, protectedOrigins: ['http://api.example.com'], refreshEndpoint: 'http://auth.example.com/token', allowInsecureHttp: true },
      BASE,
    );
    expect([...config.protectedOrigins.keys()]).toEqual(['http://api.example.com']);
    expect(config.refreshEndpoint).toBe('http://auth.example.com/token');
  });

  it('relative endpoints resolve against the worker script URL, and the query is dropped', () => {
    const config = resolveConfig(
      {
        ...valid,
        tokenEndpoints: ['/auth/login', 'oauth/token?client=spa'],
        refreshEndpoint: '../auth/refresh',
        revocationEndpoint: '/oauth/revoke',
        logoutEndpoint: 'https://auth.example.com/logout#now',
      },
      BASE,
    );
    expect([...config.tokenEndpoints]).toEqual(['https://app.example.com/auth/login', 'https://app.example.com/static/oauth/token']);
    expect(config.refreshEndpoint).toBe('https://app.example.com/auth/refresh');
    expect(config.revocationEndpoint).toBe('https://app.example.com/oauth/revoke');
    expect(config.logoutEndpoint).toBe('https://auth.example.com/logout');
  });

  it('applies the documented defaults', () => {
    const config = resolveConfig(valid, BASE);
    expect(config).toEqual({
      protectedOrigins: new Map([['https://api.example.com', null]]),
      tokenEndpoints: new Set(['https://auth.example.com/oauth/token']),
      refreshEndpoint: 'https://auth.example.com/oauth/token',
      clientId: undefined,
      scope: undefined,
      refreshBodyFormat: 'form',
      refreshTokenStorage: 'indexeddb',
      exposeAccessToken: false,
      dpop: false,
      maxReplayBodyBytes: 10 * 1024 * 1024,
      replayBodyTimeoutMs: 2000,
      revocationEndpoint: undefined,
      logoutEndpoint: undefined,
      refreshTimeoutMs: 30_000,
      refreshIdempotencyKey: false,
      backoff: { baseMs: 1000, capMs: 30_000, maxAttempts: 5, maxCooldownMs: 60_000 },
      refreshAhead: { fraction: 0.1, minMs: 5000 },
      maxWaitingRequests: 4000,
      apiRetry: false,
      eventStreams: false,
      channelName: 'sw-auth-proxy',
      databaseName: 'sw-auth-proxy',
    });
  });

  it('keeps every given option', () => {
    const config = resolveConfig(
      {
        ...valid,
        clientId: 'spa',
        scope: 'read write',
        refreshBodyFormat: 'json',
        refreshTokenStorage: 'cookie',
        exposeAccessToken: true,
        maxReplayBodyBytes: 1024,
        refreshTimeoutMs: 5000,
        backoff: { baseMs: 200, capMs: 5000, maxAttempts: 3, maxCooldownMs: 20_000 },
        refreshAhead: { fraction: 0.2, minMs: 10_000 },
        maxWaitingRequests: 50,
        channelName: 'auth',
        databaseName: 'auth-db',
      },
      BASE,
    );
    expect(config).toMatchObject({
      backoff: { baseMs: 200, capMs: 5000, maxAttempts: 3, maxCooldownMs: 20_000 },
      refreshAhead: { fraction: 0.2, minMs: 10_000 },
      maxWaitingRequests: 50,
      clientId: 'spa',
      scope: 'read write',
      refreshBodyFormat: 'json',
      refreshTokenStorage: 'cookie',
      exposeAccessToken: true,
      maxReplayBodyBytes: 1024,
      refreshTimeoutMs: 5000,
      channelName: 'auth',
      databaseName: 'auth-db',
    });
  });

  it('normalises origins (case, default port, trailing slash) and path prefixes', () => {
    const config = resolveConfig(
      {
        ...valid,
        protectedOrigins: [
          'HTTPS://API.Example.COM:443/',
          { origin: 'https://files.example.com', pathPrefixes: ['/api/', '/v1/../v2', '/a/%2e%2e/b', '/'] },
        ],
      },
      BASE,
    );
    expect(config.protectedOrigins).toEqual(
      new Map<string, readonly string[] | null>([
        ['https://api.example.com', null],
        ['https://files.example.com', ['/api', '/v2', '/b', '/']],
      ]),
    );
  });
});

describe('resolveConfig: resilience options', () => {
  it.each([
    ['backoff not an object', 'backoff', withField('backoff', 5), 'must be an object'],
    ['backoff as an array', 'backoff', withField('backoff', [1000]), 'must be an object'],
    [
      'an unknown backoff option',
      'backoff.maxRetries',
      withField('backoff', { maxRetries: 3 }),
      'Known options: baseMs, capMs, maxAttempts, maxCooldownMs.',
    ],
    ['backoff.baseMs zero', 'backoff.baseMs', withField('backoff', { baseMs: 0 }), 'must be a positive whole number. Got 0.'],
    ['backoff.capMs fractional', 'backoff.capMs', withField('backoff', { capMs: 1.5 }), 'must be a positive whole number. Got 1.5.'],
    [
      'backoff.maxAttempts negative',
      'backoff.maxAttempts',
      withField('backoff', { maxAttempts: -1 }),
      'must be a positive whole number. Got -1.',
    ],
    [
      'backoff.maxCooldownMs a string',
      'backoff.maxCooldownMs',
      withField('backoff', { maxCooldownMs: '60000' }),
      'must be a positive whole number. Got "60000".',
    ],
    ['refreshAhead true', 'refreshAhead', withField('refreshAhead', true), 'must be an object'],
    ['an unknown refreshAhead option', 'refreshAhead.ms', withField('refreshAhead', { ms: 5000 }), 'Known options: fraction, minMs.'],
    [
      'refreshAhead.fraction above one half',
      'refreshAhead.fraction',
      withField('refreshAhead', { fraction: 0.6 }),
      'must be a number above 0 and at most 0.5. Got 0.6.',
    ],
    [
      'refreshAhead.fraction zero',
      'refreshAhead.fraction',
      withField('refreshAhead', { fraction: 0 }),
      'must be a number above 0 and at most 0.5. Got 0.',
    ],
    ['refreshAhead.fraction a string', 'refreshAhead.fraction', withField('refreshAhead', { fraction: '0.1' }), 'Got "0.1".'],
    ['refreshAhead.minMs zero', 'refreshAhead.minMs', withField('refreshAhead', { minMs: 0 }), 'must be a positive whole number. Got 0.'],
    ['maxWaitingRequests zero', 'maxWaitingRequests', withField('maxWaitingRequests', 0), 'must be a positive whole number. Got 0.'],
    ['maxWaitingRequests infinite', 'maxWaitingRequests', withField('maxWaitingRequests', Infinity), 'must be a positive whole number.'],
    ['apiRetry a string', 'apiRetry', withField('apiRetry', 'yes'), 'must be an object'],
    ['eventStreams true', 'eventStreams', withField('eventStreams', true), 'must be an object'],
    ['eventStreams without idleTimeoutMs', 'eventStreams.idleTimeoutMs', withField('eventStreams', {}), 'is required'],
    [
      'an unknown eventStreams option',
      'eventStreams.idleMs',
      withField('eventStreams', { idleMs: 45_000 }),
      'Known options: idleTimeoutMs',
    ],
    [
      'eventStreams.idleTimeoutMs a string',
      'eventStreams.idleTimeoutMs',
      withField('eventStreams', { idleTimeoutMs: '45s' }),
      'must be a positive whole number',
    ],
    [
      'eventStreams.idleTimeoutMs under a second',
      'eventStreams.idleTimeoutMs',
      withField('eventStreams', { idleTimeoutMs: 500 }),
      'must be at least 1000 ms',
    ],
    ['apiRetry null', 'apiRetry', withField('apiRetry', null), 'must be an object'],
    [
      'an unknown apiRetry option',
      'apiRetry.retries',
      withField('apiRetry', { retries: 2 }),
      'Known options: methods, maxRetries, maxDelayMs.',
    ],
    ['apiRetry.methods not an array', 'apiRetry.methods', withField('apiRetry', { methods: 'GET' }), 'must be an array of HTTP methods'],
    [
      'apiRetry.methods with a non-string',
      'apiRetry.methods',
      withField('apiRetry', { methods: ['GET', 1] }),
      'must be an array of HTTP methods',
    ],
    [
      'apiRetry.maxRetries zero',
      'apiRetry.maxRetries',
      withField('apiRetry', { maxRetries: 0 }),
      'must be a positive whole number. Got 0.',
    ],
    [
      'apiRetry.maxDelayMs fractional',
      'apiRetry.maxDelayMs',
      withField('apiRetry', { maxDelayMs: 0.5 }),
      'must be a positive whole number. Got 0.5.',
    ],
  ])('%s: names `%s` and the fix', (_case, field, input, fix) => {
    const error = configError(input);
    expect(error.message).toMatch(/^Failed to install sw-auth-proxy: /);
    expect(error.message).toContain(`\`${field}\``);
    expect(error.message).toContain(fix);
  });

  it.each([[['POST']], [['GET', 'PATCH']], [['get', 'post']]])(
    'apiRetry.methods %j is rejected: retrying a non-idempotent request could apply it twice',
    (methods) => {
      const error = configError(withField('apiRetry', { methods }));
      expect(error.message).toContain('`apiRetry.methods` lists non-idempotent');
      expect(error.message).toContain('list only GET, HEAD, OPTIONS, PUT, DELETE');
      for (const method of methods.filter((m) => !['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(m.toUpperCase()))) {
        expect(error.message).toContain(method.toUpperCase());
      }
    },
  );

  it('a partial backoff keeps the other defaults', () => {
    expect(resolveConfig({ ...valid, backoff: { maxAttempts: 2 } }, BASE).backoff).toEqual({
      baseMs: 1000,
      capMs: 30_000,
      maxAttempts: 2,
      maxCooldownMs: 60_000,
    });
  });

  it('refreshAhead: false turns refreshing ahead off; a partial object keeps the other default', () => {
    expect(resolveConfig({ ...valid, refreshAhead: false }, BASE).refreshAhead).toBe(false);
    expect(resolveConfig({ ...valid, refreshAhead: { minMs: 30_000 } }, BASE).refreshAhead).toEqual({ fraction: 0.1, minMs: 30_000 });
    expect(resolveConfig({ ...valid, refreshAhead: { fraction: 0.5 } }, BASE).refreshAhead).toEqual({ fraction: 0.5, minMs: 5000 });
  });

  it.each([
    [false, false],
    [undefined, false],
  ])('apiRetry %s is off', (apiRetry, resolved) => {
    expect(resolveConfig({ ...valid, ...(apiRetry === undefined ? {} : { apiRetry }) }, BASE).apiRetry).toBe(resolved);
  });

  it('eventStreams: an idle timeout turns the watchdog on; false or nothing leaves it off', () => {
    expect(resolveConfig({ ...valid, eventStreams: { idleTimeoutMs: 45_000 } }, BASE).eventStreams).toEqual({ idleTimeoutMs: 45_000 });
    expect(resolveConfig({ ...valid, eventStreams: false }, BASE).eventStreams).toBe(false);
    expect(resolveConfig(valid, BASE).eventStreams).toBe(false);
  });

  it('apiRetry: true retries the idempotent methods with the default limits', () => {
    expect(resolveConfig({ ...valid, apiRetry: true }, BASE).apiRetry).toEqual({
      methods: new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
      maxRetries: 2,
      maxDelayMs: 10_000,
    });
  });

  it('apiRetry keeps the given options and upper-cases the methods', () => {
    expect(resolveConfig({ ...valid, apiRetry: { methods: ['get', 'Head'], maxRetries: 4, maxDelayMs: 2000 } }, BASE).apiRetry).toEqual({
      methods: new Set(['GET', 'HEAD']),
      maxRetries: 4,
      maxDelayMs: 2000,
    });
  });
});

describe('resolveConfig: refreshIdempotencyKey', () => {
  it('defaults to on when the refresh endpoint is on the worker`s origin (no CORS preflight needed)', () => {
    expect(resolveConfig({ ...valid, refreshEndpoint: '/auth/refresh' }, BASE).refreshIdempotencyKey).toBe(true);
    expect(resolveConfig({ ...valid, refreshEndpoint: 'https://app.example.com/auth/refresh' }, BASE).refreshIdempotencyKey).toBe(true);
  });

  it('defaults to off on another origin, where the header would need CORS permission', () => {
    expect(resolveConfig(valid, BASE).refreshIdempotencyKey).toBe(false);
    expect(resolveConfig({ ...valid, refreshEndpoint: 'https://app.example.com:8443/auth/refresh' }, BASE).refreshIdempotencyKey).toBe(
      false,
    );
  });

  it.each([
    ['/auth/refresh', false],
    ['https://auth.example.com/oauth/token', true],
  ])('an explicit value wins (%s → %s)', (refreshEndpoint, refreshIdempotencyKey) => {
    expect(resolveConfig({ ...valid, refreshEndpoint, refreshIdempotencyKey }, BASE).refreshIdempotencyKey).toBe(refreshIdempotencyKey);
  });

  it('must be a boolean', () => {
    const error = configError(withField('refreshIdempotencyKey', 'yes'));
    expect(error.message).toContain('`refreshIdempotencyKey` must be true or false. Got "yes".');
  });
});

describe('resolveConfig: dpop', () => {
  it.each([
    [true, { alg: 'ES256' }],
    [{}, { alg: 'ES256' }],
    [{ alg: 'ES256' }, { alg: 'ES256' }],
    [false, false],
  ])('%o resolves to %o', (dpop, resolved) => {
    expect(resolveConfig({ ...valid, dpop } as AuthProxyConfig, BASE).dpop).toEqual(resolved);
  });

  it.each([
    [{ alg: 'RS256' }, '`dpop.alg` must be one of "ES256". Got "RS256".'],
    [{ algorithm: 'ES256' }, '`dpop.algorithm` is not an option. Known options: alg.'],
    ['yes', '`dpop` must be true, false or an object. Write `dpop: true`'],
  ])('%o is refused: %s', (dpop, message) => {
    expect(configError(withField('dpop', dpop)).message).toContain(message);
  });
});
