import type { AuthProxyEventType } from '../../client/index.js';

/**
 * Every event `AuthProxy` dispatches. `satisfies` plus the exhaustiveness check below make a new
 * event type in the client fail to compile here until the demo records it.
 */
export const AUTH_EVENT_TYPES = [
  'logged-in',
  'refresh-started',
  'token-refreshed',
  'refresh-failed',
  'session-expired',
  'state-changed',
  'logged-out',
  'replay-skipped',
  'event-stream-stalled',
  'queue-full',
  'error',
  'version-mismatch',
] as const satisfies readonly AuthProxyEventType[];

type Missing = Exclude<AuthProxyEventType, (typeof AUTH_EVENT_TYPES)[number]>;
// Fails to compile (Missing is not never) when the client gains an event this list lacks.
const everyTypeListed: [Missing] extends [never] ? true : Missing = true;
void everyTypeListed;
