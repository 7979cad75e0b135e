import type { LatencyRunOptions, LatencyRunResult } from './bench-page-api.js';

/**
 * Fires `count` GETs from this page with at most `concurrency` in flight and times each one from
 * `fetch()` to the end of its body, with `performance.now()`: what the application waits for.
 */
export async function runLatency(options: LatencyRunOptions): Promise<LatencyRunResult> {
  const { path, count, concurrency, authorization, recordLatencies } = options;
  const latencies = new Float64Array(recordLatencies ? count : 0);
  const init: RequestInit = authorization === null ? {} : { headers: { Authorization: authorization } };
  let failures = 0;
  let next = 0;

  const lane = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      const started = performance.now();
      try {
        const response = await fetch(`${path}/${index}`, init);
        await response.arrayBuffer();
        if (response.status !== 200) failures += 1;
      } catch {
        failures += 1;
      }
      if (recordLatencies) latencies[index] = performance.now() - started;
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { latencies: Array.from(latencies), failures, elapsedMs: performance.now() - started };
}
