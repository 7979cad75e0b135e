// The demo server's public surface, for tests and benches. `main.ts` is the command-line entry.
export { createDemoApp } from './create-demo-app.js';
export type { DemoAppOptions } from './demo-app-options.js';
export type { DemoCounters } from './demo-counters.js';
export type { FaultSpec, FaultTarget } from './fault-spec.js';
export type { PendingFault } from './fault-queue.js';
export type { RefreshLogEntry, RefreshLogOutcome } from './refresh-log.js';
export type { AuthorizationScheme, RequestLogEntry } from './request-log.js';
export { startDemoServer } from './start-demo-server.js';
export type { DemoServer, DemoServerOptions } from './start-demo-server.js';
export { parseSwVariants } from './sw-variants.js';
export type { SwVariantConfig, SwVariants } from './sw-variants.js';
