/**
 * The size budget, run by `npm test` after the build (`npm run size`). Prints the current sizes and
 * fails when one is over its budget. Sizes are minified + gzip (level 9), in kB of 1000 bytes like
 * Vite's build report.
 *
 * - the prebuilt worker `dist/sw-auth-proxy.js`, as shipped (already minified, everything bundled);
 * - the page client: `client/index.ts` built minified with `workbox-window` external (the app
 *   bundles it anyway, and it is the one dependency the client is allowed to lean on);
 * - the page engine `page/index.ts`, which the client loads only when it falls back to page mode.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';

interface Budget {
  name: string;
  limitBytes: number;
  measure: () => Promise<Uint8Array>;
}

const root = new URL('../', import.meta.url);

/**
 * `entry` built minified as an app's bundler would, `external` left out. Only the entry's own
 * chunk counts: what it imports lazily (the client's page engine) is another download, measured
 * on its own, as one self-contained script (`iife`, like the worker: top-level names minified too).
 */
async function bundle(entry: string, external: RegExp[], format: 'es' | 'iife' = 'es'): Promise<Uint8Array> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root: root.pathname,
    define: { __SW_AUTH_PROXY_VERSION__: JSON.stringify('0.0.0'), 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: true,
      // As the worker is built: private fields and async as written, which evergreen browsers run.
      target: 'es2022',
      lib: { entry, formats: [format], name: 'Entry', fileName: 'entry' },
      rolldownOptions: { external },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunks = outputs.flatMap((output) => output.output).filter((item) => item.type === 'chunk');
  const loaded = chunks.filter((chunk) => chunk.isEntry || !chunk.isDynamicEntry);
  return new TextEncoder().encode(loaded.map((chunk) => chunk.code).join('\n'));
}

// The worker's budget is 19.5 kB, not the 12 kB the package aims for. It was 12.9 kB (11.8 kB of
// its own code for the core, resilience and realtime work, 1.1 kB of idb) before the session got
// one owner and the guarantees were made to hold under storage faults and races (issue 10): the
// session, the storage and environment seams, the store's bounds and memory fallback, the redirect
// refusal and two error classes added 2.3 kB, measured at 15.2 kB. DPoP (issue 11: key, proofs,
// nonces and their retries, the signer, binding in the store and capture, its error class and the
// status field) added 1.9 kB, measured at 17.1 kB; it is built in rather than a separate script
// because a service worker cannot import code lazily and the config decides at install. Failing
// closed (issue 15: token responses read by what the body is, JSON or form, scrubbed in their own
// shape, and request bodies copied beside the first send with a size and time bound) added 0.9 kB,
// measured at 18.1 kB; the event-stream watchdog (issue 14: its option, check, event and counter)
// 0.4 kB, measured at 18.45 kB. The fleet-safe refresh policy (issue 13: the retry-or-pause decision
// by the token's time left and the time failing, the spread refresh window for tokens off
// schedule, the stored start of a run of failures) took it to 19.04 kB (19.15 kB with the hot-path
// cuts). The CORS diagnosis (issue 16: a HEAD probe per origin and burst of cross-origin network
// errors, its verdicts, the error class, the hooks in the fetch handler and refresher) added
// 0.81 kB, measured at 19.96 kB; it cannot be lazy, since a service worker cannot load code after
// it started. Recalling the safe requests still out with a token the server has just rejected
// (issue 13's expiry burst: their registry, the page's abort passed on, a send's recalled path)
// added 0.32 kB, measured at 20.28 kB; budget 20.5 kB, about the headroom there was before. Getting back under 12 kB means dropping idb
// (which the house style prescribes) or guarantees; neither is a trim, so this budget stops the
// worker growing unnoticed.
const budgets: Budget[] = [
  { name: 'worker  dist/sw-auth-proxy.js', limitBytes: 20_500, measure: () => readFile(new URL('dist/sw-auth-proxy.js', root)) },
  {
    name: 'client  client/index.ts (workbox-window external)',
    limitBytes: 4_000,
    measure: () => bundle('client/index.ts', [/^workbox-window/]),
  },
  // Page mode (issue 12): the worker's own session engine (idb included) plus the fetch, XHR and
  // EventSource wrappers and the memory hand-over (about 3 kB, most of it XHR's events and
  // response types and the event-stream parser), downloaded only by a page that falls back.
  // 21.6 kB measured then, 21.98 kB before issue 16's CORS diagnosis (the worker's own code), which
  // took it to 22.77 kB, and the recall of requests out with a rejected token to 23.13 kB.
  { name: 'page    page/index.ts (lazy; idb included)', limitBytes: 23_400, measure: () => bundle('page/index.ts', [], 'iife') },
];

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`;
let over = 0;
for (const budget of budgets) {
  const code = await budget.measure();
  const gzipped = gzipSync(code, { level: 9 }).byteLength;
  const ok = gzipped <= budget.limitBytes;
  if (!ok) over += 1;
  console.log(
    `${ok ? 'ok  ' : 'OVER'}  ${budget.name.padEnd(52)} ${kB(code.byteLength).padStart(9)} min  ${kB(gzipped).padStart(8)} gzip  (budget ${kB(budget.limitBytes)})`,
  );
}
if (over > 0) {
  console.error(`Failed to stay within the size budget: ${over} bundle(s) over. Trim the code, or raise the budget on purpose.`);
  process.exitCode = 1;
}
