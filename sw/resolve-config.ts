import {
  fail,
  flag,
  fraction,
  nested,
  oneOf,
  optionalEndpoint,
  optionalString,
  parseEndpoint,
  parseOrigin,
  parsePathPrefixes,
  positiveInteger,
} from './config-fields.js';
import type {
  AuthProxyConfig,
  BackoffOptions,
  DpopOptions,
  EventStreamOptions,
  ProtectedOrigin,
  RefreshAheadOptions,
  ResolvedConfig,
} from './config.js';
import { editDistance } from './edit-distance.js';
import { DEFAULT_CHANNEL_NAME } from './protocol.js';

const KNOWN_KEYS: readonly (keyof AuthProxyConfig)[] = [
  'protectedOrigins',
  'tokenEndpoints',
  'refreshEndpoint',
  'clientId',
  'scope',
  'refreshBodyFormat',
  'refreshTokenStorage',
  'exposeAccessToken',
  'dpop',
  'maxReplayBodyBytes',
  'replayBodyTimeoutMs',
  'revocationEndpoint',
  'logoutEndpoint',
  'refreshTimeoutMs',
  'refreshIdempotencyKey',
  'backoff',
  'refreshAhead',
  'maxWaitingRequests',
  'apiRetry',
  'eventStreams',
  'channelName',
  'databaseName',
  'allowInsecureHttp',
];

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

function resolveDpop(value: unknown): Required<DpopOptions> | false {
  if (value === undefined || value === false) return false;
  if (value === true) return { alg: 'ES256' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('dpop', 'must be true, false or an object', 'Write `dpop: true` to bind the tokens to a key (ES256).');
  }
  const options = nested('dpop', value, ['alg']);
  return { alg: oneOf('dpop.alg', options['alg'], ['ES256'], 'ES256') };
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

/** Below this, healthy streams would be ended between two chunks of an ordinary network. */
const MIN_IDLE_TIMEOUT_MS = 1000;

function resolveEventStreams(value: unknown): EventStreamOptions | false {
  if (value === undefined || value === false) return false;
  const example = 'Write e.g. `eventStreams: { idleTimeoutMs: 45000 }`: well over how often the server sends a comment or ping.';
  const options = nested('eventStreams', value, ['idleTimeoutMs']);
  if (options['idleTimeoutMs'] === undefined) fail('eventStreams.idleTimeoutMs', 'is required', example);
  const idleTimeoutMs = positiveInteger('eventStreams.idleTimeoutMs', options['idleTimeoutMs'], 0);
  if (idleTimeoutMs < MIN_IDLE_TIMEOUT_MS) fail('eventStreams.idleTimeoutMs', `must be at least ${MIN_IDLE_TIMEOUT_MS} ms`, example);
  return { idleTimeoutMs };
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
    const closest = [...KNOWN_KEYS].sort((a, b) => editDistance(key, a) - editDistance(key, b))[0]!;
    fail(
      key,
      'is not an option',
      editDistance(key, closest) <= 3 ? `Did you mean \`${closest}\`?` : `Known options: ${KNOWN_KEYS.join(', ')}.`,
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
    dpop: resolveDpop(config['dpop']),
    maxReplayBodyBytes: positiveInteger('maxReplayBodyBytes', config['maxReplayBodyBytes'], 10 * 1024 * 1024),
    replayBodyTimeoutMs: positiveInteger('replayBodyTimeoutMs', config['replayBodyTimeoutMs'], 2000),
    revocationEndpoint: optionalEndpoint('revocationEndpoint', config['revocationEndpoint'], base, allowInsecureHttp),
    logoutEndpoint: optionalEndpoint('logoutEndpoint', config['logoutEndpoint'], base, allowInsecureHttp),
    refreshTimeoutMs: positiveInteger('refreshTimeoutMs', config['refreshTimeoutMs'], 30_000),
    refreshIdempotencyKey:
      idempotencyKey === undefined
        ? new URL(refreshEndpoint).origin === new URL(base).origin
        : flag('refreshIdempotencyKey', idempotencyKey),
    backoff: resolveBackoff(config['backoff']),
    refreshAhead: resolveRefreshAhead(config['refreshAhead']),
    maxWaitingRequests: positiveInteger('maxWaitingRequests', config['maxWaitingRequests'], 4000),
    apiRetry: resolveApiRetry(config['apiRetry']),
    eventStreams: resolveEventStreams(config['eventStreams']),
    channelName: optionalString('channelName', config['channelName']) ?? DEFAULT_CHANNEL_NAME,
    databaseName: optionalString('databaseName', config['databaseName']) ?? 'sw-auth-proxy',
  };
}
