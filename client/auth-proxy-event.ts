import type { AuthProxyError } from '../sw/errors/auth-proxy-error.js';
import type { BroadcastEventMap } from '../sw/protocol.js';

/** What each event's `detail` holds. */
export interface AuthProxyEventDetails extends Omit<BroadcastEventMap, 'error'> {
  /** Something failed in the worker or between page and worker; requests were still answered. */
  error: AuthProxyError;
  /** The page's client module and the worker come from different package versions. */
  'version-mismatch': { clientVersion: string; workerVersion: string; clientProtocol: number; workerProtocol: number };
}

export type AuthProxyEventType = keyof AuthProxyEventDetails;

/** An event of `AuthProxy`, in the style of workbox-window: typed `detail` plus the raw `originalEvent`. */
export class AuthProxyEvent<K extends AuthProxyEventType = AuthProxyEventType> extends Event {
  override readonly type: K;
  readonly detail: AuthProxyEventDetails[K];
  /** The message that carried it, when it came from the worker. */
  readonly originalEvent: MessageEvent | undefined;

  constructor(type: K, detail: AuthProxyEventDetails[K], originalEvent?: MessageEvent) {
    super(type);
    this.type = type;
    this.detail = detail;
    this.originalEvent = originalEvent;
  }
}

/** Event map for `addEventListener`. */
export type AuthProxyEventMap = { [K in AuthProxyEventType]: AuthProxyEvent<K> };
