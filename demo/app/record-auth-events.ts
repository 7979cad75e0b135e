import type { AuthProxy, AuthProxyEventType } from '../../client/index.js';
import { AUTH_EVENT_TYPES } from './auth-event-types.js';

/** One event as this tab received it. Errors are kept as `{ name, message }`, like on the wire. */
export interface RecordedAuthEvent {
  type: AuthProxyEventType;
  detail: unknown;
  /** `Date.now()` when this tab received it. */
  at: number;
}

/**
 * Record every event of `auth` into a plain array, oldest first: the page exposes it as
 * `window.authEvents`, which the browser tests read. `onEvent` runs after each push.
 */
export function recordAuthEvents(auth: AuthProxy, signal: AbortSignal, onEvent: (event: RecordedAuthEvent) => void): RecordedAuthEvent[] {
  const recorded: RecordedAuthEvent[] = [];
  for (const type of AUTH_EVENT_TYPES) {
    auth.addEventListener(
      type,
      (event) => {
        // An Error's own properties are not enumerable: JSON (and Playwright) would see `{}`.
        const detail = event.detail instanceof Error ? { name: event.detail.name, message: event.detail.message } : event.detail;
        const entry: RecordedAuthEvent = { type, detail, at: Date.now() };
        recorded.push(entry);
        onEvent(entry);
      },
      { signal },
    );
  }
  return recorded;
}
