import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type Provider from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/** The one client the conformance scenario registers: a public SPA with PKCE and DPoP. */
export const OIDC_CLIENT_ID = 'sw-auth-proxy-spa';
/** Where the authorization server sends the code (never loaded: Node stops at the redirect). */
export const OIDC_CALLBACK_PATH = '/variants/oidc/callback';

/** What the scenario reads of the provider's own story. */
export interface OidcStats {
  /** Successful token endpoint grants, by grant type. */
  grants: Record<string, number>;
  /** Token endpoint errors, by error code (`use_dpop_nonce`, `invalid_grant`, …). */
  grantErrors: Record<string, number>;
  /** Refresh tokens consumed by rotation. */
  refreshTokensConsumed: number;
  /** Grants revoked (what reuse of a rotated refresh token does). */
  grantsRevoked: number;
}

export interface OidcProviderServer {
  /** `http://localhost:<port>`: the issuer. */
  origin: string;
  /**
   * Start the authorization server with the client for the app on `clientOrigin` (once; later
   * calls do nothing). Loaded only by the scenarios that use it.
   */
  start(clientOrigin: string): Promise<void>;
  /**
   * Run an authorization request as a user agent would (the interaction auto-approves user
   * `ada`), with PKCE and `dpop_jkt`, and return the code the redirect carries.
   */
  authorize(options: { codeChallenge: string; dpopJkt: string }): Promise<string>;
  /** Every access token issued so far is forgotten: the next use is `invalid_token`. */
  expireAccessTokens(): void;
  stats(): OidcStats;
  reset(): void;
  stop(): Promise<void>;
}

/** oidc-provider's storage, in a Map the scenario can look into (access tokens expire on demand). */
type Entries = Map<string, { model: string; payload: AdapterPayload }>;

class MapAdapter implements Adapter {
  readonly #model: string;
  readonly #entries: Entries;
  constructor(model: string, entries: Entries) {
    this.#model = model;
    this.#entries = entries;
  }
  #key(id: string): string {
    return `${this.#model}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    this.#entries.set(this.#key(id), { model: this.#model, payload });
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#entries.get(this.#key(id))?.payload;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const entry of this.#entries.values()) if (entry.model === this.#model && entry.payload.uid === uid) return entry.payload;
    return undefined;
  }
  async consume(id: string): Promise<void> {
    const entry = this.#entries.get(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    this.#entries.delete(this.#key(id));
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, entry] of this.#entries) if (entry.payload.grantId === grantId) this.#entries.delete(key);
  }
}

/**
 * panva's oidc-provider (OpenID Certified), in this process on a free loopback port: the
 * independent implementation the DPoP conformance scenario runs against. DPoP on with nonces
 * required everywhere, DPoP-bound access tokens, PKCE, refresh tokens rotated on every use, CORS
 * for the registered client's origin. The userinfo endpoint (`/me`) is the protected resource.
 */
export async function startOidcProvider(): Promise<OidcProviderServer> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle) handle(req, res);
    else res.writeHead(503).end();
  });
  // Loopback only, named `localhost` in URLs: a secure context, as the demo servers do it.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://localhost:${port}`;
  const entries: Entries = new Map();
  const stats: OidcStats = { grants: {}, grantErrors: {}, refreshTokensConsumed: 0, grantsRevoked: 0 };
  let clientOrigin = '';
  let provider: Provider | undefined;

  const signingKey = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
  const start = async (appOrigin: string): Promise<void> => {
    if (provider) return;
    clientOrigin = appOrigin;
    const { default: Provider } = await import('oidc-provider');
    provider = new Provider(origin, {
      adapter: (model: string) => new MapAdapter(model, entries),
      clients: [
        {
          client_id: OIDC_CLIENT_ID,
          token_endpoint_auth_method: 'none',
          redirect_uris: [`${appOrigin}${OIDC_CALLBACK_PATH}`],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          dpop_bound_access_tokens: true,
        },
      ],
      jwks: { keys: [{ ...signingKey, alg: 'RS256', use: 'sig' }] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      features: {
        devInteractions: { enabled: false },
        dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
        revocation: { enabled: true },
      },
      scopes: ['openid', 'offline_access'],
      pkce: { required: () => true },
      clientBasedCORS: (_ctx, requestOrigin) => requestOrigin === clientOrigin,
      rotateRefreshToken: () => true,
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: async (_ctx, accountId) => ({ accountId, claims: async () => ({ sub: accountId }) }),
      routes: { userinfo: '/me' },
      ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600 },
    });
    provider.on('grant.success', (ctx) => {
      const type = String(ctx.oidc.params?.['grant_type']);
      stats.grants[type] = (stats.grants[type] ?? 0) + 1;
    });
    provider.on('grant.error', (_ctx, error) => {
      const code = error.error;
      stats.grantErrors[code] = (stats.grantErrors[code] ?? 0) + 1;
    });
    provider.on('refresh_token.consumed', () => void (stats.refreshTokensConsumed += 1));
    provider.on('grant.revoked', () => void (stats.grantsRevoked += 1));
    const callback = provider.callback();
    handle = (req, res) => {
      if (req.url?.startsWith('/interaction/')) void approve(provider!, req, res);
      else void callback(req, res);
    };
  };

  return {
    origin,
    start,
    async authorize({ codeChallenge, dpopJkt }) {
      const redirectUri = `${clientOrigin}${OIDC_CALLBACK_PATH}`;
      const cookies = new Map<string, string>();
      let url = `${origin}/auth?${new URLSearchParams({
        client_id: OIDC_CLIENT_ID,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid offline_access',
        prompt: 'consent',
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        dpop_jkt: dpopJkt,
        state: randomBytes(8).toString('hex'),
      })}`;
      for (let hop = 0; hop < 10; hop++) {
        const response = await fetch(url, {
          redirect: 'manual',
          headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
        });
        for (const header of response.headers.getSetCookie()) {
          const [pair] = header.split(';');
          const at = pair!.indexOf('=');
          cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
        }
        const location = response.headers.get('location');
        if (location === null) throw new Error(`Failed to authorize: ${url} answered ${response.status} without a redirect`);
        const next = new URL(location, url);
        if (next.href.startsWith(redirectUri)) {
          const code = next.searchParams.get('code');
          if (code === null) throw new Error(`Failed to authorize: the redirect carries no code (${next.searchParams.get('error')})`);
          return code;
        }
        url = next.href;
      }
      throw new Error('Failed to authorize: more than 10 redirects');
    },
    expireAccessTokens() {
      for (const [key, entry] of entries) if (entry.model === 'AccessToken') entries.delete(key);
    },
    stats: () => structuredClone(stats),
    reset() {
      entries.clear();
      Object.assign(stats, { grants: {}, grantErrors: {}, refreshTokensConsumed: 0, grantsRevoked: 0 });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The login and consent pages, answered at once: user `ada` approves everything asked. */
async function approve(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: 'ada', clientId: String(details.params['client_id']) });
    grant.addOIDCScope(String(details.params['scope']));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: 'ada' }, consent: { grantId } }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`interaction failed: ${(error as Error).message}`);
  }
}
