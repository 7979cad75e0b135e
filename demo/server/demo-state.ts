import { AccessTokenIssuer } from './access-token-issuer.js';
import { AuthorizationCodeStore } from './authorization-code-store.js';
import { createDemoCounters, type DemoCounters } from './demo-counters.js';
import type { ResolvedDemoAppOptions } from './demo-app-options.js';
import type { CredentialKind } from './redact-credentials.js';
import { RequestLog } from './request-log.js';
import { SessionStore } from './session-store.js';

/** Everything one demo app remembers. Routes share it; nothing is global, so apps are isolated. */
export interface DemoState {
  readonly options: ResolvedDemoAppOptions;
  readonly sessions: SessionStore;
  readonly accessTokens: AccessTokenIssuer;
  readonly codes: AuthorizationCodeStore;
  readonly counters: DemoCounters;
  readonly requestLog: RequestLog;
  /** Recognises this server's refresh tokens and codes, for the request log. */
  readonly recogniseCredential: (value: string) => CredentialKind | undefined;
  /** `POST /demo/reset`: counters zero, every token and code forgotten (and unusable), log empty. */
  readonly reset: () => void;
}

/** Builds the state of one demo app. */
export function createDemoState(options: ResolvedDemoAppOptions): DemoState {
  const sessions = new SessionStore(options.now);
  const accessTokens = new AccessTokenIssuer({
    secret: options.jwtSecret,
    ttlSeconds: options.accessTokenTtl,
    now: options.now,
  });
  const codes = new AuthorizationCodeStore(options.now);
  const counters = createDemoCounters();
  const requestLog = new RequestLog();
  return {
    options,
    sessions,
    accessTokens,
    codes,
    counters,
    requestLog,
    recogniseCredential: (value) => {
      if (sessions.isRefreshToken(value)) return 'refresh_token';
      if (codes.isCode(value)) return 'authorization_code';
      return undefined;
    },
    reset: () => {
      Object.assign(counters, createDemoCounters());
      sessions.clear();
      codes.clear();
      // Forgotten families count as not revoked (see SessionStore.isRevoked), so old access tokens
      // must be cut off explicitly or they would outlive the reset.
      accessTokens.invalidateIssued();
      requestLog.clear();
    },
  };
}
