import type { AuthProxyError } from '../sw/errors/auth-proxy-error.js';
import { DetailEvent } from './detail-event.js';

/** Where an `AuthWebSocket` is in its life. `closed` is final. */
export type AuthWebSocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why a reconnect was scheduled. */
export type ReconnectCause =
  /** The socket closed or failed to open (server restart, network change, handshake refused). */
  | 'network'
  /** The server closed with an auth close code (4401, 1008): a new credential is fetched at once. */
  | 'unauthorized'
  /** No message arrived within `heartbeatTimeoutMs`. */
  | 'heartbeat'
  /** Credential and handshake together took longer than `connectTimeoutMs`. */
  | 'timeout'
  /** The credential could not be had (ticket endpoint down or answering nonsense). */
  | 'credential';

/** Why an `AuthWebSocket` closed for good. */
export type AuthWebSocketCloseReason =
  /** `close()` was called, or the `signal` option aborted. */
  | 'client'
  /** A fresh credential was refused too: the session is over. */
  | 'unauthorized'
  /** `maxAttempts` reconnects in a row failed. */
  | 'max-attempts';

/** What each event's `detail` holds. */
export interface AuthWebSocketEventDetails {
  /** A connection attempt starts: credential first, then the handshake. `attempt` 0 is the first connect. */
  connecting: { attempt: number };
  /** A socket is open; `protocol` is the subprotocol the server chose. */
  open: { attempt: number; protocol: string };
  message: { data: string | ArrayBuffer | Blob };
  /** One socket ended; `reconnecting` or `closed` follows. */
  disconnected: { code: number; reason: string; wasClean: boolean };
  /** The next attempt is due in `delayMs`; `attempt` counts reconnects since the last stable connection. */
  reconnecting: { attempt: number; delayMs: number; cause: ReconnectCause };
  /** Final: no socket and no reconnect from now on. `error` says why, unless `reason` is `client`. */
  closed: { reason: AuthWebSocketCloseReason; error: AuthProxyError | null };
}

export type AuthWebSocketEventType = keyof AuthWebSocketEventDetails;

/**
 * An event of `AuthWebSocket`: typed `detail`, plus `originalEvent`, the WebSocket's `open`,
 * `message` or `close` event behind it where there was one.
 */
export class AuthWebSocketEvent<K extends AuthWebSocketEventType = AuthWebSocketEventType> extends DetailEvent<
  AuthWebSocketEventDetails,
  K
> {}

/** Event map for `addEventListener`. */
export type AuthWebSocketEventMap = { [K in AuthWebSocketEventType]: AuthWebSocketEvent<K> };
