import { Hono, type Context } from 'hono';
import type { DemoState } from './demo-state.js';
import { parseFaultSpecs } from './fault-spec.js';

/**
 * The `/demo/*` hooks of the resilience (fault) suite, mounted inside the other control routes:
 *
 * - `POST /demo/faults` queues one fault or an array (see `FaultSpec` in fault-spec.ts) and answers the
 *   whole queue; `GET /demo/faults` shows it (`[{ ...fault, count, remaining }]`);
 * - `GET /demo/refresh-log` lists every refresh call as `{ at, outcome }`;
 * - `GET /demo/clock` and `POST /demo/clock` `{ offsetMs }` read and shift the server's clock,
 *   both answering `{ offsetMs, now }`;
 * - `GET /demo/sw-build` and `POST /demo/sw-build` read and bump the worker build number, both
 *   answering `{ build }`.
 *
 * A bad body answers 400 `{ error: "invalid_request", error_description }` and changes nothing.
 * `POST /demo/reset` (in the other control routes) empties the queue and the refresh log and
 * restores the starting clock offset; it leaves the worker build number alone.
 */
export function createResilienceControlRoutes(state: DemoState): Hono {
  const routes = new Hono();

  routes.get('/faults', (c) => c.json(state.faults.pending()));

  routes.post('/faults', async (c) => {
    const body = await readJson(c);
    if (body === undefined) return badRequest(c, 'Failed to queue the fault: the body is not JSON');
    try {
      state.faults.enqueue(parseFaultSpecs(body.value));
    } catch (error) {
      if (error instanceof RangeError) return badRequest(c, error.message);
      throw error;
    }
    return c.json(state.faults.pending());
  });

  routes.get('/refresh-log', (c) => c.json(state.refreshLog.entries()));

  const clock = (c: Context): Response => c.json({ offsetMs: state.clock.offsetMs, now: state.clock.now() });

  routes.get('/clock', clock);

  routes.post('/clock', async (c) => {
    const body = await readJson(c);
    const offsetMs = isObject(body?.value) ? body.value['offsetMs'] : undefined;
    try {
      state.clock.setOffset(offsetMs as number);
    } catch (error) {
      if (error instanceof RangeError) return badRequest(c, error.message);
      throw error;
    }
    return clock(c);
  });

  routes.get('/sw-build', (c) => c.json({ build: state.workerBuild.current }));

  routes.post('/sw-build', (c) => c.json({ build: state.workerBuild.bump() }));

  return routes;
}

/** The parsed body wrapped (so `null` stays distinguishable from "not JSON"), or undefined. */
async function readJson(c: Context): Promise<{ value: unknown } | undefined> {
  try {
    return { value: await c.req.json() };
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badRequest(c: Context, description: string): Response {
  return c.json({ error: 'invalid_request', error_description: description }, 400);
}
