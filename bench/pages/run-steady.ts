import type { SteadyRunOptions, SteadyRunResult } from './bench-page-api.js';

/** Epoch milliseconds with sub-millisecond precision, comparable with the server's clock. */
const now = (): number => performance.timeOrigin + performance.now();

/**
 * Steady traffic: one GET every `intervalMs` for `durationMs`, on a schedule that does not wait
 * for answers (open loop), so a request held up by a refresh shows as its own latency instead of
 * delaying the ones after it. Each request is timed from `fetch()` to the end of its body.
 */
export async function runSteady(options: SteadyRunOptions): Promise<SteadyRunResult> {
  const { path, durationMs, intervalMs } = options;
  const count = Math.floor(durationMs / intervalMs);
  const startedAt = new Array<number>(count);
  const latencies = new Array<number>(count);
  const statuses = new Array<number>(count);
  const requests: Promise<void>[] = [];
  const origin = now();
  for (let index = 0; index < count; index++) {
    // Against the start, not the previous timer: late timers do not add up.
    const due = origin + index * intervalMs;
    if (due > now()) await new Promise((resolve) => setTimeout(resolve, due - now()));
    const started = now();
    startedAt[index] = started;
    requests.push(
      fetch(`${path}/${index}`)
        .then(async (response) => {
          await response.arrayBuffer();
          statuses[index] = response.status;
        })
        .catch(() => {
          statuses[index] = 0;
        })
        .finally(() => {
          latencies[index] = now() - started;
        }),
    );
  }
  await Promise.all(requests);
  return { startedAt, latencies, statuses };
}
