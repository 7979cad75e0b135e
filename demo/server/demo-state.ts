import { AccessTokenIssuer } from './access-token-issuer.js';
import { AuthorizationCodeStore } from './authorization-code-store.js';
import { ChatStreams } from './chat-streams.js';
import { DemoClock } from './demo-clock.js';
import { DpopVerifier } from './dpop-verifier.js';
import { IdempotentRefreshes } from './idempotent-refreshes.js';
import { createDemoCounters, type DemoCounters } from './demo-counters.js';
import type { ResolvedDemoAppOptions } from './demo-app-options.js';
import { FaultQueue } from './fault-queue.js';
import type { CredentialKind } from './redact-credentials.js';
import { RefreshLog } from './refresh-log.js';
import { RequestLog } from './request-log.js';
import { SessionStore } from './session-store.js';
import { WebSocketHub } from './web-socket-hub.js';
import { WorkerBuild } from './worker-build.js';
import { WsTicketStore } from './ws-ticket-store.js';

/** Everything one demo app remembers. Routes share it; nothing is global, so apps are isolated. */
export interface DemoState {
  /** The resolved options, except that `now` is {@link DemoState.clock}'s shifted `now`. */
  readonly options: ResolvedDemoAppOptions;
  readonly sessions: SessionStore;
  readonly accessTokens: AccessTokenIssuer;
  readonly codes: AuthorizationCodeStore;
  readonly counters: DemoCounters;
  readonly requestLog: RequestLog;
  /** The server's clock, shifted by `clockOffsetMs` / `POST /demo/clock`. */
  readonly clock: DemoClock;
  /** Faults queued by `POST /demo/faults`. */
  readonly faults: FaultQueue;
  /** Every refresh call and its outcome (`GET /demo/refresh-log`). */
  readonly refreshLog: RefreshLog;
  /** The `// worker build <n>` number of generated worker scripts (`POST /demo/sw-build`). */
  readonly workerBuild: WorkerBuild;
  /** Results of refreshes by `Idempotency-Key`, for retries. */
  readonly idempotentRefreshes: IdempotentRefreshes;
  /** One-time WebSocket tickets. */
  readonly wsTickets: WsTicketStore;
  /** Open WebSockets, and the switch that takes the WebSocket side down. */
  readonly sockets: WebSocketHub;
  /** Progress of tagged `/api/chat/stream` replies, for streaming tests. */
  readonly chatStreams: ChatStreams;
  /** Checks DPoP proofs (RFC 9449) at the token endpoint and the API; holds the nonce switch. */
  readonly dpop: DpopVerifier;
  /** Recognises this server's refresh tokens and codes, for the request log. */
  readonly recogniseCredential: (value: string) => CredentialKind | undefined;
  /**
   * `POST /demo/reset`: counters zero, every token, code and ticket forgotten (and unusable), open
   * WebSockets closed, WebSocket side up, logs empty, no faults queued, clock offset back to the
   * starting one (the worker build number stays).
   */
  readonly reset: () => void;
}

/** Builds the state of one demo app. */
export function createDemoState(resolved: ResolvedDemoAppOptions): DemoState {
  // Everything below reads the shifted clock, so a shift moves token times, expiry and logs together.
  const clock = new DemoClock(resolved.now, resolved.clockOffsetMs);
  const options: ResolvedDemoAppOptions = { ...resolved, now: clock.now };
  const sessions = new SessionStore(options.now);
  const accessTokens = new AccessTokenIssuer({
    secret: options.jwtSecret,
    ttlSeconds: options.accessTokenTtl,
    now: options.now,
  });
  const codes = new AuthorizationCodeStore(options.now);
  const counters = createDemoCounters();
  const requestLog = new RequestLog();
  const faults = new FaultQueue();
  const refreshLog = new RefreshLog();
  const idempotentRefreshes = new IdempotentRefreshes(options.now);
  const wsTickets = new WsTicketStore(options.now);
  const sockets = new WebSocketHub({
    isLive: (binding) => accessTokens.isCurrent(binding) && !sessions.isRevoked(binding.sid),
    now: options.now,
    counters,
  });
  const chatStreams = new ChatStreams();
  const dpop = new DpopVerifier({ now: options.now });
  return {
    dpop,
    options,
    sessions,
    accessTokens,
    codes,
    counters,
    requestLog,
    clock,
    faults,
    refreshLog,
    workerBuild: new WorkerBuild(),
    idempotentRefreshes,
    wsTickets,
    sockets,
    chatStreams,
    recogniseCredential: (value) => {
      if (sessions.isRefreshToken(value)) return 'refresh_token';
      if (codes.isCode(value)) return 'authorization_code';
      if (wsTickets.isTicket(value)) return 'ws_ticket';
      return undefined;
    },
    reset: () => {
      Object.assign(counters, createDemoCounters());
      clock.reset();
      faults.clear();
      refreshLog.clear();
      idempotentRefreshes.clear();
      sessions.clear();
      codes.clear();
      // Forgotten families count as not revoked (see SessionStore.isRevoked), so old access tokens
      // must be cut off explicitly or they would outlive the reset.
      accessTokens.invalidateIssued();
      wsTickets.clear();
      sockets.up();
      sockets.closeAll();
      chatStreams.clear();
      dpop.clear();
      requestLog.clear();
    },
  };
}
