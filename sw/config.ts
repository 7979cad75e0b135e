import { ConfigError } from './errors/config-error.js';
import { DEFAULT_CHANNEL_NAME } from './protocol.js';

/** An API origin that receives the access token, optionally only below some paths. */
export interface ProtectedOrigin {
  /** Scheme, host and port, nothing else: `"https://api.example.com"`, `"http://localhost:8080"`. */
  origin: string;
  /**
   * Only requests whose path starts with one of these (on a segment boundary: `/api` matches
   * `/api` and `/api/x`, not `/apiary`) get the token.
   * @default every path of the origin
   */
  pathPrefixes?: readonly string[];
}

/** Retries of transient refresh failures (network, 5xx, 429, timeout). */
export interface BackoffOptions {
  /**
   * Ceiling of the first retry's random delay; doubles per attempt ("full jitter").
   * @default 1000
   */
  baseMs?: number;
  /**
   * No retry waits longer than this, unless the server's `Retry-After` asks for more.
   * @default 30000
   */
  capMs?: number;
  /**
   * Attempts per refresh cycle, the first included.
   * @default 5
   */
  maxAttempts?: number;
  /**
   * After a cycle fails, refreshing pauses (no request is held meanwhile); repeated failed cycles
   * widen the pause up to this.
   * @default 60000
   */
  maxCooldownMs?: number;
}

/** Retries of idempotent API requests answered 429 or 503 with `Retry-After`. */
export interface ApiRetryOptions {
  /**
   * Only these methods are retried; a non-idempotent request is never retried (only the single
   * 401 replay).
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']
   */
  methods?: readonly string[];
  /**
   * Retries per request.
   * @default 2
   */
  maxRetries?: number;
  /**
   * A `Retry-After` longer than this is not waited for; the response goes to the page.
   * @default 10000
   */
  maxDelayMs?: number;
}

/** When to refresh before expiry. */
export interface RefreshAheadOptions {
  /**
   * Share of the token's lifetime (never more than half of it).
   * @default 0.1
   */
  fraction?: number;
  /**
   * At least this long before expiry.
   * @default 5000
   */
  minMs?: number;
}

/** Where the refresh token lives. The README's security model explains each. */
export type RefreshTokenStorage = 'indexeddb' | 'memory' | 'cookie';

/**
 * Everything security-relevant, fixed inside the served worker script. Nothing a page sends can
 * change it.
 */
export interface AuthProxyConfig {
  /**
   * The only places the access token is ever sent. Matched exactly on scheme, host and port:
   * `https://api.example.com` does not match `https://api.example.com.evil.test`, `:8443` or `http:`.
   */
  protectedOrigins: readonly (string | ProtectedOrigin)[];
  /**
   * Endpoints whose 2xx RFC 6749 §5.1 token responses are captured (login, OAuth code exchange).
   * Absolute, or relative to the worker script. Matched on origin and path; the query is ignored.
   */
  tokenEndpoints: readonly string[];
  /** Where the worker refreshes (RFC 6749 §6). Absolute, or relative to the worker script. */
  refreshEndpoint: string;
  /**
   * `client_id` sent with every refresh.
   * @default not sent
   */
  clientId?: string;
  /**
   * `scope` sent with every refresh.
   * @default not sent (the server keeps the original scope)
   */
  scope?: string;
  /**
   * `'form'` is RFC 6749 (`application/x-www-form-urlencoded`); `'json'` for APIs that want JSON.
   * @default 'form'
   */
  refreshBodyFormat?: 'form' | 'json';
  /**
   * `'indexeddb'` survives the worker stopping; `'memory'` is lost when it stops; `'cookie'` means
   * the server keeps it in an httpOnly cookie and the worker refreshes with `credentials: 'include'`.
   * @default 'indexeddb'
   */
  refreshTokenStorage?: RefreshTokenStorage;
  /**
   * Hand the real access token to the page in token responses instead of an opaque placeholder.
   * The refresh token is never handed over.
   * @default false
   */
  exposeAccessToken?: boolean;
  /**
   * Request bodies up to this size are buffered so a 401 can be replayed byte for byte; larger ones
   * are sent once and a 401 is returned as it is (with a `replay-skipped` event).
   * @default 10485760 (10 MiB)
   */
  maxReplayBodyBytes?: number;
  /**
   * RFC 7009 revocation endpoint, called by `logout({ revoke: true })`.
   * @default none
   */
  revocationEndpoint?: string;
  /**
   * Called with `POST` and `credentials: 'include'` on logout, e.g. to clear a refresh cookie.
   * @default none
   */
  logoutEndpoint?: string;
  /**
   * A refresh that has not answered by then fails, and its waiting requests get their 401.
   * @default 30000
   */
  refreshTimeoutMs?: number;
  /**
   * Send an `Idempotency-Key` header with each refresh, the same on every retry of it (also after
   * the worker restarted). A server that honours it can answer a retried refresh whose first try
   * it already rotated with that same result, instead of seeing a reused refresh token and
   * revoking the session. On another origin the header needs CORS permission
   * (`Access-Control-Allow-Headers: Idempotency-Key`), hence the default.
   * @default true when the refresh endpoint is on the worker's origin, false otherwise
   */
  refreshIdempotencyKey?: boolean;
  /**
   * Retries of transient refresh failures, and the pause after a cycle of them fails.
   * @default { baseMs: 1000, capMs: 30000, maxAttempts: 5, maxCooldownMs: 60000 }
   */
  backoff?: BackoffOptions;
  /**
   * Refresh before expiry, triggered by the next protected request inside the window or by a tab
   * becoming visible (never by a timer: a worker sleeps). `false` refreshes only on 401.
   * @default { fraction: 0.1, minMs: 5000 }
   */
  refreshAhead?: RefreshAheadOptions | false;
  /**
   * Requests waiting for a refresh beyond this many are answered at once (with their 401, or sent
   * with the current token) instead of piling up.
   * @default 1000
   */
  maxWaitingRequests?: number;
  /**
   * Retry idempotent requests answered 429/503 with `Retry-After`. Off unless given.
   * @default false
   */
  apiRetry?: ApiRetryOptions | boolean;
  /**
   * The BroadcastChannel the worker announces on; the client must use the same one.
   * @default 'sw-auth-proxy'
   */
  channelName?: string;
  /**
   * The IndexedDB database holding the session.
   * @default 'sw-auth-proxy'
   */
  databaseName?: string;
  /**
   * Allow `http:` protected origins and endpoints on hosts other than loopback. Tokens sent over
   * plain HTTP can be read by anyone on the path.
   * @default false
   */
  allowInsecureHttp?: boolean;
}

/** The validated config: URLs parsed, defaults applied. */
export interface ResolvedConfig {
  /** origin → path prefixes, or `null` for every path. */
  readonly protectedOrigins: ReadonlyMap<string, readonly string[] | null>;
  /** `origin + pathname` of each token endpoint. */
  readonly tokenEndpoints: ReadonlySet<string>;
  readonly refreshEndpoint: string;
  readonly clientId: string | undefined;
  readonly scope: string | undefined;
  readonly refreshBodyFormat: 'form' | 'json';
  readonly refreshTokenStorage: RefreshTokenStorage;
  readonly exposeAccessToken: boolean;
  readonly maxReplayBodyBytes: number;
  readonly revocationEndpoint: string | undefined;
  readonly logoutEndpoint: string | undefined;
  readonly refreshTimeoutMs: number;
  readonly refreshIdempotencyKey: boolean;
  readonly backoff: Required<BackoffOptions>;
  readonly refreshAhead: Required<RefreshAheadOptions> | false;
  readonly maxWaitingRequests: number;
  readonly apiRetry: { methods: ReadonlySet<string>; maxRetries: number; maxDelayMs: number } | false;
  readonly channelName: string;
  readonly databaseName: string;
}

const KNOWN_KEYS: readonly (keyof AuthProxyConfig)[] = [
  'protectedOrigins',
  'tokenEndpoints',
  'refreshEndpoint',
  'clientId',
  'scope',
  'refreshBodyFormat',
  'refreshTokenStorage',
  'exposeAccessToken',
  'maxReplayBodyBytes',
  'revocationEndpoint',
  'logoutEndpoint',
  'refreshTimeoutMs',
  'refreshIdempotencyKey',
  'backoff',
  'refreshAhead',
  'maxWaitingRequests',
  'apiRetry',
  'channelName',
  'databaseName',
  'allowInsecureHttp',
];

function fail(field: string, problem: string, fix: string): never {
  throw new ConfigError(`Failed to install sw-auth-proxy: \`${field}\` ${problem}. ${fix}`);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

function checkScheme(field: string, url: URL, allowInsecureHttp: boolean): void {
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

function parseOrigin(field: string, value: unknown, allowInsecureHttp: boolean): string {
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

function parsePathPrefixes(field: string, value: unknown): readonly string[] | null {
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

function parseEndpoint(field: string, value: unknown, base: string, allowInsecureHttp: boolean): string {
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

function optionalEndpoint(field: string, value: unknown, base: string, allowInsecureHttp: boolean): string | undefined {
  return value === undefined ? undefined : parseEndpoint(field, value, base, allowInsecureHttp);
}

function optionalString(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    fail(field, 'must be a non-empty string when given', 'Remove it or give a value.');
  }
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  fail(field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, `Got ${JSON.stringify(value)}.`);
}

function positiveInteger(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  fail(field, 'must be a positive whole number', `Got ${JSON.stringify(value)}.`);
}

function flag(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  fail(field, 'must be true or false', `Got ${JSON.stringify(value)}.`);
}

function nested(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, 'must be an object', `Write e.g. \`${field}: { ${keys[0]}: … }\`, or leave it out for the defaults.`);
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${field}.${key}`, 'is not an option', `Known options: ${keys.join(', ')}.`);
  }
  return value as Record<string, unknown>;
}

function fraction(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && value > 0 && value <= 0.5) return value;
  fail(field, 'must be a number above 0 and at most 0.5', `Got ${JSON.stringify(value)}.`);
}

function resolveBackoff(value: unknown): Required<BackoffOptions> {
  const options = nested('backoff', value, ['baseMs', 'capMs', 'maxAttempts', 'maxCooldownMs']);
  return {
    baseMs: positiveInteger('backoff.baseMs', options['baseMs'], 1000),
    capMs: positiveInteger('backoff.capMs', options['capMs'], 30_000),
    maxAttempts: positiveInteger('backoff.maxAttempts', options['maxAttempts'], 5),
    maxCooldownMs: positiveInteger('backoff.maxCooldownMs', options['maxCooldownMs'], 60_000),
  };
}

function resolveRefreshAhead(value: unknown): Required<RefreshAheadOptions> | false {
  if (value === false) return false;
  const options = nested('refreshAhead', value, ['fraction', 'minMs']);
  return {
    fraction: fraction('refreshAhead.fraction', options['fraction'], 0.1),
    minMs: positiveInteger('refreshAhead.minMs', options['minMs'], 5000),
  };
}

const IDEMPOTENT = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'];

function resolveApiRetry(value: unknown): ResolvedConfig['apiRetry'] {
  if (value === undefined || value === false) return false;
  const options = nested('apiRetry', value === true ? {} : value, ['methods', 'maxRetries', 'maxDelayMs']);
  const methods = options['methods'] ?? IDEMPOTENT;
  if (!Array.isArray(methods) || methods.some((method) => typeof method !== 'string')) {
    fail('apiRetry.methods', 'must be an array of HTTP methods', `Write e.g. ${JSON.stringify(IDEMPOTENT)}.`);
  }
  const upper = (methods as string[]).map((method) => method.toUpperCase());
  const unsafe = upper.filter((method) => !IDEMPOTENT.includes(method));
  if (unsafe.length > 0) {
    fail(
      'apiRetry.methods',
      `lists non-idempotent ${unsafe.join(', ')}`,
      'Retrying those could apply a change twice; list only GET, HEAD, OPTIONS, PUT, DELETE.',
    );
  }
  return {
    methods: new Set(upper),
    maxRetries: positiveInteger('apiRetry.maxRetries', options['maxRetries'], 2),
    maxDelayMs: positiveInteger('apiRetry.maxDelayMs', options['maxDelayMs'], 10_000),
  };
}

/** Edit distance, to suggest the intended key for a typo. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * Validate the config given to `installAuthProxy`. Throws a `ConfigError` naming the field and the
 * fix; a misspelt option is an error too, since a silently ignored security option is worse than none.
 *
 * @param base the worker script's URL, against which relative endpoints resolve.
 */
export function resolveConfig(input: unknown, base: string): ResolvedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    fail('config', 'must be an object', 'Call installAuthProxy({ protectedOrigins, tokenEndpoints, refreshEndpoint }).');
  }
  const config = input as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if ((KNOWN_KEYS as readonly string[]).includes(key)) continue;
    const closest = [...KNOWN_KEYS].sort((a, b) => distance(key, a) - distance(key, b))[0]!;
    fail(
      key,
      'is not an option',
      distance(key, closest) <= 3 ? `Did you mean \`${closest}\`?` : `Known options: ${KNOWN_KEYS.join(', ')}.`,
    );
  }
  const allowInsecureHttp = flag('allowInsecureHttp', config['allowInsecureHttp']);

  const origins = config['protectedOrigins'];
  if (!Array.isArray(origins) || origins.length === 0) {
    fail('protectedOrigins', 'must list at least one origin', 'Write e.g. `protectedOrigins: ["https://api.example.com"]`.');
  }
  const protectedOrigins = new Map<string, readonly string[] | null>();
  origins.forEach((entry: unknown, index) => {
    const field = `protectedOrigins[${index}]`;
    const isObject = typeof entry === 'object' && entry !== null;
    const origin = parseOrigin(
      isObject ? `${field}.origin` : field,
      isObject ? (entry as ProtectedOrigin).origin : entry,
      allowInsecureHttp,
    );
    const prefixes = isObject ? parsePathPrefixes(`${field}.pathPrefixes`, (entry as ProtectedOrigin).pathPrefixes) : null;
    if (protectedOrigins.has(origin)) {
      fail(field, `repeats the origin ${origin}`, 'List each origin once, with all its path prefixes together.');
    }
    protectedOrigins.set(origin, prefixes);
  });

  const endpoints = config['tokenEndpoints'];
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    fail(
      'tokenEndpoints',
      'must list at least one endpoint',
      'Write e.g. `tokenEndpoints: ["/auth/login"]`; its token responses are captured.',
    );
  }
  const tokenEndpoints = new Set(
    endpoints.map((endpoint: unknown, index) => parseEndpoint(`tokenEndpoints[${index}]`, endpoint, base, allowInsecureHttp)),
  );

  const refreshEndpoint = parseEndpoint('refreshEndpoint', config['refreshEndpoint'], base, allowInsecureHttp);
  const idempotencyKey = config['refreshIdempotencyKey'];
  const refreshTokenStorage = oneOf('refreshTokenStorage', config['refreshTokenStorage'], ['indexeddb', 'memory', 'cookie'], 'indexeddb');
  return {
    protectedOrigins,
    tokenEndpoints,
    refreshEndpoint,
    clientId: optionalString('clientId', config['clientId']),
    scope: optionalString('scope', config['scope']),
    refreshBodyFormat: oneOf('refreshBodyFormat', config['refreshBodyFormat'], ['form', 'json'], 'form'),
    refreshTokenStorage,
    exposeAccessToken: flag('exposeAccessToken', config['exposeAccessToken']),
    maxReplayBodyBytes: positiveInteger('maxReplayBodyBytes', config['maxReplayBodyBytes'], 10 * 1024 * 1024),
    revocationEndpoint: optionalEndpoint('revocationEndpoint', config['revocationEndpoint'], base, allowInsecureHttp),
    logoutEndpoint: optionalEndpoint('logoutEndpoint', config['logoutEndpoint'], base, allowInsecureHttp),
    refreshTimeoutMs: positiveInteger('refreshTimeoutMs', config['refreshTimeoutMs'], 30_000),
    refreshIdempotencyKey:
      idempotencyKey === undefined
        ? new URL(refreshEndpoint).origin === new URL(base).origin
        : flag('refreshIdempotencyKey', idempotencyKey),
    backoff: resolveBackoff(config['backoff']),
    refreshAhead: resolveRefreshAhead(config['refreshAhead']),
    maxWaitingRequests: positiveInteger('maxWaitingRequests', config['maxWaitingRequests'], 1000),
    apiRetry: resolveApiRetry(config['apiRetry']),
    channelName: optionalString('channelName', config['channelName']) ?? DEFAULT_CHANNEL_NAME,
    databaseName: optionalString('databaseName', config['databaseName']) ?? 'sw-auth-proxy',
  };
}
