import { setTimeout as delay } from 'node:timers/promises';
import type { Handler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ApiEnv } from './api-env.js';
import type { DemoState } from './demo-state.js';
import { readIntegerQuery } from './read-integer-query.js';

/** Gap between two numbered `tick` events unless `?interval=` (ms) says otherwise. */
export const DEFAULT_EVENT_INTERVAL_MS = 1000;

/** A `ping` event (no `id:`, so it never moves `Last-Event-ID`) this often. */
export const PING_INTERVAL_MS = 2000;

/**
 * The `retry:` the stream asks for. Short, because this stream ends whenever its token expires and
 * the browser's reconnect is what picks up the next token.
 */
export const EVENT_STREAM_RETRY_MS = 250;

/** The longest a stream waits between checks that its token is still good. */
const LIVENESS_CHECK_MS = 1000;

/**
 * `GET /api/events`: server-sent events bound to the bearer token that opened them.
 *
 * - `event: tick`, `id: <n>`, `data: {"id":n,"sub":…}`, numbered from `Last-Event-ID + 1` (from 1
 *   without it), one every `?interval=` ms; `?count=` ends the stream after that many.
 * - `event: ping` every {@link PING_INTERVAL_MS}, without an id.
 * - The stream ends when its token expires, is invalidated (`/demo/expire`) or its session is
 *   revoked. The browser then reconnects with `Last-Event-ID`; through the worker that reconnect
 *   is refreshed and replayed, so the page sees one continuous sequence.
 * - `?stallAfter=<n>`: a connection that has sent tick `n` goes silent and stays open (no ticks,
 *   no pings, no end at expiry) until the other side closes it, as a connection that died
 *   without a close looks to a browser. A reconnect that resumes after `n` runs normally.
 */
export function eventStream(state: DemoState): Handler<ApiEnv> {
  return (c) => {
    const lastEventId = Number.parseInt(c.req.header('Last-Event-ID') ?? '0', 10);
    const first = Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId + 1 : 1;
    const count = readIntegerQuery(c.req.query('count'), Number.POSITIVE_INFINITY, 0, Number.MAX_SAFE_INTEGER);
    const interval = readIntegerQuery(c.req.query('interval'), DEFAULT_EVENT_INTERVAL_MS, 20, 60_000);
    const stallAfter = readIntegerQuery(c.req.query('stallAfter'), Number.POSITIVE_INFINITY, 1, Number.MAX_SAFE_INTEGER);
    const claims = c.get('claims');
    let stalled = false;
    const live = (): boolean => !stalled && state.accessTokens.isCurrent(claims) && !state.sessions.isRevoked(claims.sid);

    return streamSSE(c, async (stream) => {
      const aborted = new AbortController();
      stream.onAbort(() => aborted.abort());
      const ping = setInterval(() => {
        if (live()) void stream.writeSSE({ event: 'ping', data: JSON.stringify({ at: state.options.now() }) });
      }, PING_INTERVAL_MS);
      try {
        await stream.write(`retry: ${EVENT_STREAM_RETRY_MS}\n\n`);
        for (let id = first; id < first + count && live() && !aborted.signal.aborted; id += 1) {
          if (id > first) {
            // Wake at the next event, but check the token at least every second so the stream ends
            // close to the moment the token does.
            const due = Date.now() + interval;
            for (let wait = interval; wait > 0 && live(); wait = due - Date.now()) {
              const untilExpiry = claims.exp * 1000 - state.options.now();
              await delay(Math.max(1, Math.min(wait, LIVENESS_CHECK_MS, untilExpiry)), undefined, { signal: aborted.signal });
            }
            if (!live()) break;
          }
          await stream.writeSSE({ id: String(id), event: 'tick', data: JSON.stringify({ id, sub: claims.sub }) });
          if (id === stallAfter) {
            stalled = true;
            state.counters.eventStreamsStalled += 1;
            // The client may already be gone; a listener added after the abort would never fire.
            if (!aborted.signal.aborted) await new Promise((resolve) => aborted.signal.addEventListener('abort', resolve, { once: true }));
            state.counters.stalledStreamsClosed += 1;
          }
        }
      } catch (error) {
        if (!aborted.signal.aborted) throw error;
      } finally {
        clearInterval(ping);
      }
    });
  };
}
