import type { MiddlewareHandler } from 'hono';
import { applyFault, faultAnswerKind } from './apply-fault.js';
import type { DemoState } from './demo-state.js';

/**
 * Applies queued `api` faults to `/api/*` requests before the API routes see them. Mounted ahead
 * of the API routes (and behind CORS, so a faulted cross-origin answer stays readable).
 */
export function apiFaults(state: DemoState): MiddlewareHandler {
  return async (c, next) => {
    // Preflights never get here (the CORS middleware ahead answers them). WebSocket handshakes never
    // reach a service worker, so a fetch fault is not theirs to take either.
    const fault = c.req.header('Upgrade') === undefined ? state.faults.take('api', c.req.path) : undefined;
    if (!fault) {
      await next();
      return undefined;
    }
    state.counters.faultsInjected += 1;
    const kind = faultAnswerKind(fault);
    // The API routes never see a request the fault answers, so count it as they would have, on
    // arrival (a hanging request is already a received one).
    if (kind !== undefined) state.counters.apiCalls += 1;
    if (kind === 401) state.counters.unauthorized += 1;
    const answer = await applyFault(c, fault);
    if (answer) return answer;
    await next();
    return undefined;
  };
}
