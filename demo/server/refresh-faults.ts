import type { Context } from 'hono';
import { applyFault, faultAnswerKind } from './apply-fault.js';
import type { DemoState } from './demo-state.js';
import type { RefreshAttempt } from './refresh-log.js';

/** A refresh call as logged, plus the fault's answer if a fault answered it. */
export interface StartedRefreshAttempt extends RefreshAttempt {
  /** Send this instead of running the grant: the call was faulted and must not rotate anything. */
  readonly faulted: Response | undefined;
}

/**
 * The first step of every refresh-token grant: counts and logs the call, then applies the oldest
 * queued `refresh` fault, if any. A delay-only fault returns once its delay ran out, with nothing
 * in `faulted`: the real grant runs, late.
 *
 * @example
 * ```ts
 * const attempt = await startRefreshAttempt(c, state);
 * if (attempt.faulted) return attempt.faulted;
 * attempt.settle('rotated');
 * ```
 */
export async function startRefreshAttempt(c: Context, state: DemoState): Promise<StartedRefreshAttempt> {
  state.counters.refreshAttempts += 1;
  const attempt = state.refreshLog.begin(state.clock.now());
  const fault = state.faults.take('refresh', c.req.path);
  if (!fault) return { ...attempt, faulted: undefined };
  state.counters.faultsInjected += 1;
  const kind = faultAnswerKind(fault);
  // Settled on arrival, so a test can see a hanging or delayed fault while it is still held.
  if (kind !== undefined) attempt.settle(`fault:${kind}`);
  return { ...attempt, faulted: await applyFault(c, fault) };
}
