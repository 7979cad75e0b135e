import { AuthStateMachine } from '../../sw/auth-state-machine.js';
import { EventQueue } from './event-queue.js';
import { ModelAuthServer, type ModelAuthServerOptions } from './model-auth-server.js';
import type { RefreshPolicy } from './refresh-policy.js';
import { seededRandom } from './seeded-random.js';

/** One fleet, one server, one policy: everything a run needs. */
export interface FleetSetup {
  sessions: number;
  /** Same seed, same fleet (request pace, phase, token age) for every policy, and the same figures. */
  seed: number;
  /** `expires_in` of every access token the server issues. */
  tokenLifetimeMs: number;
  /**
   * Each session (one browser, its worker and its tabs) sends an API request every `period`, drawn
   * once per session in this range, from its own phase.
   */
  requestPeriodMs: { min: number; max: number };
  /** Of a refresh call, whatever its answer; the server sees it half way. */
  roundTripMs: number;
  durationMs: number;
  /**
   * `steady`: the fleet has been running for a long time, so each session is somewhere in its
   * token's life (in equilibrium); `wave`: every session logged in within `withinMs` of time 0.
   */
  logins: { kind: 'steady' } | { kind: 'wave'; withinMs: number };
  server: Omit<ModelAuthServerOptions, 'sessions' | 'durationMs'>;
}

/** What a run measured, per second of the virtual clock where it is a series. */
export interface FleetRun {
  /** Refresh calls that reached the server (served or shed), per second. */
  arrivals: Int32Array;
  served: Int32Array;
  shed: Int32Array;
  /** Calls that failed as network errors in the outage (they never reached the server). */
  unreachable: Int32Array;
  /**
   * The first call for each token, per second of arrival: the demand the refresh window makes,
   * without the retries and the calls after a pause that failures add to it.
   */
  firstCalls: Int32Array;
  /** Sessions not lost whose access token had expired, at the start of each second. */
  withoutToken: Int32Array;
  /** Sessions ended by the server: a refresh token presented after it was rotated (`invalid_grant`). */
  endedByServer: number;
  /** Sessions the client logged out itself after failures. */
  loggedOut: number;
  /** The longest time one session spent with an expired access token (at the end of the run if still so). */
  longestWithoutTokenMs: number;
  /** Sessions that were without a valid access token at some time. */
  sessionsEverWithoutToken: number;
  /** Events the virtual clock went through. */
  events: number;
}

/** Event kinds, in the low bit of the payload (the session index above it). */
/** A request that finds the refresh window open (or a pause over): a refresh cycle starts. */
const REQUEST = 0;
/** A retry delay is over: the cycle's next attempt. */
const RETRY = 1;

/**
 * Run a fleet of sessions on a virtual clock against the model auth server.
 *
 * A session is what one browser's worker does: its requests go out every `period` ms. A request
 * that finds the token inside its refresh window (or expired) starts a refresh cycle, unless one
 * is under way or refreshing is paused; so the only requests that matter are the first one after
 * the window opens and the first one after a pause ends, and only those are events (the rest
 * would change nothing). One cycle at a time per session, as the worker's single flight and lock
 * ensure. The session's state (authenticated, refreshing, backoff, expired) is the worker's own
 * `AuthStateMachine`; the cycle's decisions are the policy's.
 *
 * Deterministic: a seeded generator for the fleet and another for the policy's jitter, and events
 * due at the same millisecond run in session order.
 */
export function simulateFleet(setup: FleetSetup, makePolicy: (random: () => number) => RefreshPolicy): FleetRun {
  const { sessions, tokenLifetimeMs: lifetime, durationMs } = setup;
  if (sessions * 2 > EventQueue.payloadSpan) throw new RangeError(`Failed to simulate: at most ${EventQueue.payloadSpan / 2} sessions`);
  const fleetRandom = seededRandom(setup.seed);
  const policy = makePolicy(seededRandom(setup.seed ^ 0x9e3779b9));
  const server = new ModelAuthServer({ ...setup.server, sessions, durationMs });
  const queue = new EventQueue();
  const seconds = server.arrivals.length;

  const period = new Float64Array(sessions);
  const phase = new Float64Array(sessions);
  const expiresAt = new Float64Array(sessions);
  const attempt = new Int32Array(sessions);
  const failedCycles = new Int32Array(sessions);
  /** When the session's current run of failures began (−1: not failing). */
  const failingSince = new Float64Array(sessions).fill(-1);
  /** The cycle under way started at or after expiry: the worker's `tokenRejected`. */
  const rejected = new Uint8Array(sessions);
  const generation = new Int32Array(sessions);
  const ended = new Uint8Array(sessions);
  const everWithout = new Uint8Array(sessions);
  const machines: AuthStateMachine[] = [];
  const withoutDelta = new Int32Array(seconds + 1);
  const firstCalls = new Int32Array(seconds);
  let longestWithoutTokenMs = 0;

  /** The session's first request at or after `at`. */
  const nextRequest = (session: number, at: number): number => {
    const every = period[session]!;
    const first = phase[session]!;
    return at <= first ? first : first + Math.ceil((at - first) / every) * every;
  };
  const schedule = (at: number, session: number, kind: number): void => {
    if (at < durationMs) queue.push(at, session * 2 + kind);
  };
  /** The session was without a valid access token in [from, to). */
  const withoutToken = (session: number, from: number, to: number): void => {
    if (to <= from) return;
    everWithout[session] = 1;
    longestWithoutTokenMs = Math.max(longestWithoutTokenMs, to - from);
    withoutDelta[Math.ceil(from / 1000)]!++;
    withoutDelta[Math.min(seconds, Math.ceil(to / 1000))]!--;
  };
  const issue = (session: number, issuedAt: number, onSchedule: boolean): void => {
    expiresAt[session] = issuedAt + lifetime;
    schedule(nextRequest(session, Math.max(0, policy.refreshStartsAt(issuedAt, issuedAt + lifetime, onSchedule))), session, REQUEST);
  };

  for (let session = 0; session < sessions; session++) {
    const { min, max } = setup.requestPeriodMs;
    period[session] = Math.round(min + fleetRandom() * (max - min));
    machines.push(new AuthStateMachine('authenticated', 0));
    if (setup.logins.kind === 'wave') {
      const loggedInAt = Math.floor(fleetRandom() * setup.logins.withinMs);
      // The app's first API call follows the login; the rest at the session's pace.
      phase[session] = loggedInAt;
      issue(session, loggedInAt, false);
    } else {
      phase[session] = Math.floor(fleetRandom() * period[session]!);
      // Equilibrium: the token's age is uniform over the session's refresh cycle, which is the
      // time to its refresh window plus, on average, half a period until a request finds it open.
      const opensAfter = policy.refreshStartsAt(0, lifetime, true);
      const age = Math.floor(fleetRandom() * (opensAfter + period[session]! / 2));
      issue(session, -age, true);
    }
  }

  const end = (session: number, now: number): void => {
    ended[session] = 1;
    withoutToken(session, expiresAt[session]!, now);
  };
  /**
   * One call to the token endpoint, sent at `sentAt`. Its answer is applied at once, dated when it
   * arrives (`sentAt` + the round trip): the server counted the call on arrival, and nothing else
   * touches a session while its call is out, so this is the same run with half the events.
   */
  const send = (session: number, sentAt: number): void => {
    const machine = machines[session]!;
    const outcome = server.refresh(session, generation[session]!, sentAt + setup.roundTripMs / 2);
    const now = sentAt + setup.roundTripMs;
    if (outcome === 'ok') {
      machine.send({ type: 'refresh-succeeded' });
      withoutToken(session, expiresAt[session]!, now);
      generation[session]!++;
      // As Refresher.#attempt decides it: the first try of a cycle ahead of expiry, no failure before.
      const onSchedule = attempt[session] === 1 && failedCycles[session] === 0 && rejected[session] === 0;
      failedCycles[session] = 0;
      failingSince[session] = -1;
      attempt[session] = 0;
      issue(session, now, onSchedule);
      return;
    }
    if (outcome === 'invalid-grant') {
      machine.send({ type: 'session-ended' });
      end(session, now);
      return;
    }
    if (failingSince[session]! < 0) failingSince[session] = now;
    const decision = policy.afterTransientFailure({
      attempt: attempt[session]!,
      retryAfter: outcome === 'overloaded' ? server.retryAfterHeader : null,
      now,
      failedCycles: failedCycles[session]!,
      tokenValidForMs: rejected[session] === 1 ? 0 : Math.max(0, expiresAt[session]! - now),
      failingForMs: now - failingSince[session]!,
    });
    if (decision.kind === 'retry') {
      schedule(now + decision.delayMs, session, RETRY);
    } else if (decision.kind === 'pause') {
      failedCycles[session]!++;
      attempt[session] = 0;
      const until = now + decision.pauseMs;
      machine.send({ type: 'refresh-gave-up', until });
      schedule(nextRequest(session, until), session, REQUEST);
    } else {
      machine.send({ type: 'logged-out' });
      end(session, now);
    }
  };

  let events = 0;
  while (queue.size > 0) {
    const payload = queue.pop();
    const now = queue.now;
    const session = payload >> 1;
    events++;
    if ((payload & 1) === REQUEST) {
      const machine = machines[session]!;
      if (!machine.mayRefresh(now)) throw new Error(`Failed to simulate: session ${session} may not refresh at ${now}`);
      machine.send({ type: 'refresh-started' });
      attempt[session] = 1;
      rejected[session] = now >= expiresAt[session]! ? 1 : 0;
      if (failedCycles[session] === 0) firstCalls[Math.floor((now + setup.roundTripMs / 2) / 1000)]!++;
    } else {
      attempt[session]!++;
    }
    send(session, now);
  }

  let endedByServer = 0;
  let loggedOut = 0;
  let sessionsEverWithoutToken = 0;
  for (let session = 0; session < sessions; session++) {
    const state = machines[session]!.state(durationMs);
    if (state === 'expired') endedByServer++;
    else if (state === 'anonymous') loggedOut++;
    else if (ended[session] === 0) withoutToken(session, expiresAt[session]!, durationMs);
    sessionsEverWithoutToken += everWithout[session]!;
  }
  const without = new Int32Array(seconds);
  for (let second = 0, count = 0; second < seconds; second++) {
    count += withoutDelta[second]!;
    without[second] = count;
  }
  return {
    arrivals: server.arrivals,
    served: server.served,
    shed: server.shed,
    unreachable: server.unreachable,
    firstCalls,
    withoutToken: without,
    endedByServer,
    loggedOut,
    longestWithoutTokenMs,
    sessionsEverWithoutToken,
    events,
  };
}
