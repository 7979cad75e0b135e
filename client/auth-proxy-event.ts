import type { AuthProxyError } from '../sw/errors/auth-proxy-error.js';
import type { BroadcastEventMap } from '../sw/protocol.js';
import { DetailEvent } from './detail-event.js';

/** What each event's `detail` holds. */
export interface AuthProxyEventDetails extends Omit<BroadcastEventMap, 'error'> {
  /** Something failed in the worker or between page and worker; requests were still answered. */
  error: AuthProxyError;
  /** The page's client module and the worker come from different package versions. */
  'version-mismatch': { clientVersion: string; workerVersion: string; clientProtocol: number; workerProtocol: number };
}

export type AuthProxyEventType = keyof AuthProxyEventDetails;

/**
 * An event of `AuthProxy`: typed `detail`, plus `originalEvent`, the BroadcastChannel message that
 * carried it when it came from the worker.
 */
export class AuthProxyEvent<K extends AuthProxyEventType = AuthProxyEventType> extends DetailEvent<
  AuthProxyEventDetails,
  K,
  MessageEvent
> {}

/** Event map for `addEventListener`. */
export type AuthProxyEventMap = { [K in AuthProxyEventType]: AuthProxyEvent<K> };
