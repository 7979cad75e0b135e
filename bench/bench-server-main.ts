import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createBenchApp } from './create-bench-app.js';

// Entry of the bench's server process (`node --import tsx bench/bench-server-main.ts`), started
// by the runner so the server never shares an event loop with the code driving the browser.
// Environment: BENCH_DIST (a snapshot of dist/ with bench/ inside), ACCESS_TOKEN_TTL and, for the
// expiry-latency server, BENCH_REFRESH_AHEAD_MIN_MS (the proxy arm's `refreshAhead.minMs`).

const distDir = process.env['BENCH_DIST'];
if (distDir === undefined || distDir === '') throw new Error('Failed to start the bench server: BENCH_DIST is not set');
const accessTokenTtl = Number(process.env['ACCESS_TOKEN_TTL'] ?? '3600');
const refreshAhead = process.env['BENCH_REFRESH_AHEAD_MIN_MS'];

const app = createBenchApp({
  distDir,
  benchDir: `${distDir}/bench`,
  accessTokenTtl,
  ...(refreshAhead === undefined ? {} : { refreshAheadMinMs: Number(refreshAhead) }),
});
const server = createAdaptorServer({ fetch: app.fetch }) as Server;
// 127.0.0.1 only; pages use `localhost`, a secure context where service workers are allowed.
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`bench server listening on http://localhost:${port}\n`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The runner is the only reason to live: if it dies without a signal, so does the server.
process.stdin.on('end', stop);
process.stdin.resume();
