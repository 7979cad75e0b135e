/**
 * The README's "Browser support" tables, made from what the cross-engine tier last ran
 * (`test-results/browser-support.json`, written by tests/engines/support-reporter.ts), never typed
 * by hand.
 *
 * - `npm run support:check` (in `npm test`, right after the browser tier): fails when the README
 *   says something the run did not show: an engine, a scenario, a pass, a capability left out.
 *   The browser version alone may differ (a Debian update moves it); that is printed, not failed.
 * - `npm run support:write`: rewrites the tables in README.md from the last run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ENGINE_LACKS, ENGINE_NAMES, type EngineName } from '../tests/engines/engine.js';
import { SUPPORT_RESULTS, type EngineRun, type SupportResults } from '../tests/engines/support-reporter.js';

const README = new URL('../README.md', import.meta.url);
const START = '<!-- browser-support:start (npm run support:write makes this from the last browser-tier run) -->';
const END = '<!-- browser-support:end -->';

const ENGINE_LABELS: Record<EngineName, string> = {
  chromium: 'Chromium (Debian `chromium`, Playwright)',
  firefox: 'Firefox ESR (Debian `firefox-esr`, WebDriver BiDi)',
  webkit: 'WebKitGTK (Debian `webkit2gtk-driver`, MiniBrowser)',
};

const ENGINE_COLUMNS: Record<EngineName, string> = { chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit' };

/** What each engine does differently, found by this tier; each with what the proxy does about it. */
const KNOWN_LIMITS: Record<EngineName, string> = {
  chromium:
    'Drops `Last-Event-ID` from EventSource reconnects a worker sees (the worker puts it back). Fails a process’s fetches with `net::ERR_INSUFFICIENT_RESOURCES` past ~2,000 outstanding (the worker keeps at most 256 in the network). Activates a new worker version only once the old one is idle. Page mode is tested with Playwright’s `serviceWorkers: ‘block’`. Streams request bodies only over HTTP/2: a stream upload to an HTTP/1.1 server fails at once (`TypeError`), through the worker as without it. Fails an EventSource for good (`CLOSED`, no reconnect) when its body errors mid-stream, so the watchdog ends a silent stream as a server would (closed).',
  firefox:
    'No `Request.prototype.body` and no streamed request bodies (bodies are buffered for replay through a Blob). Stops a worker with no event in flight after 30 s (`dom.serviceWorkers.idle_timeout`) even while a response it returned is still streaming, which cut chat replies and EventSources; the worker now holds itself alive (`waitUntil`) until every streamed response (one without `Content-Length`) has ended. Not measured: whether a slow download with a `Content-Length` is cut the same way. Private windows: ESR 153 runs service workers there too (checked with `browser.privatebrowsing.autostart`); older Firefox versions had none, and then `ready` rejects with `ProxyUnavailableError`, or with page mode on (`fallback`) the engine runs in the page (page mode is tested with `dom.serviceWorkers.enabled` off, where `navigator.serviceWorker` is missing). A native XHR keeps its `responseURL` after an abort (the standard and the other engines give `""`; page mode’s XHR follows the standard). Fails an EventSource for good when its body errors mid-stream, as Chromium does (the watchdog closes a silent stream instead). Worker stop in tests: by idling (1 s idle timeout pref).',
  webkit:
    'No automation command stops a worker: WebKit stops one that has had no client for about 10 s, which is how the tier stops it. Gives an opaque-redirect response a body, so one rebuilt around it throws (the worker passes status-0 responses on untouched). Tested as WebKitGTK, the engine of Safari but not Safari itself (no iOS or macOS networking stack, no Lockdown Mode). Page mode is tested with the MiniBrowser’s `--features=-ServiceWorkers`.',
};

/** `156.0.8078.114` → `156`; `153.8.0esr` → `153 ESR`; `2.50.1` → `2.50`. */
function shortVersion(name: EngineName, version: string | null): string {
  if (version === null || version === '') return 'unknown';
  const parts = version.split('.');
  switch (name) {
    case 'chromium':
      return parts[0]!;
    case 'firefox':
      return `${parts[0]!}${/esr/i.test(version) ? ' ESR' : ''}`;
    case 'webkit':
      return parts.slice(0, 2).join('.');
    default: {
      const unknown: never = name;
      return String(unknown);
    }
  }
}

function render(results: SupportResults): string {
  const runs = ENGINE_NAMES.map((name) => [name, results.engines[name]] as const);
  const scenarios = [...new Set(runs.flatMap(([, run]) => [...(run?.passed ?? []), ...(run?.failed ?? [])]))].sort();
  const lines = [
    START,
    '| Engine | Version tested | Scenarios passed | Left out (capability the engine lacks) | Known engine differences |',
    '| --- | --- | --- | --- | --- |',
    ...runs.map(([name, run]) => {
      const lacks = Object.entries(ENGINE_LACKS[name]).map(([capability, why]) => `\`${capability}\`: ${why}`);
      const passed = run === undefined ? 'not run' : `${run.passed.length} / ${run.passed.length + run.failed.length}`;
      return `| ${ENGINE_LABELS[name]} | ${shortVersion(name, run?.version ?? null)} | ${passed} | ${lacks.join('; ') || 'none'} | ${KNOWN_LIMITS[name]} |`;
    }),
    '',
    `| Scenario (tests/engines) | ${ENGINE_NAMES.map((name) => ENGINE_COLUMNS[name]).join(' | ')} |`,
    `| --- |${ENGINE_NAMES.map(() => ' :-: |').join('')}`,
    ...scenarios.map((title) => {
      const cells = runs.map(([, run]) => (run?.passed.includes(title) ? 'pass' : run?.failed.includes(title) ? 'FAIL' : 'not run'));
      return `| ${title.replace(/\|/g, '\\|')} | ${cells.join(' | ')} |`;
    }),
    END,
  ];
  return lines.join('\n');
}

function readResults(): SupportResults {
  try {
    return JSON.parse(readFileSync(SUPPORT_RESULTS, 'utf8')) as SupportResults;
  } catch (error) {
    throw new Error(`Failed to read ${SUPPORT_RESULTS}: run the browser tier first (npx playwright test)`, { cause: error });
  }
}

function section(readme: string): { before: string; table: string; after: string } {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`Failed to find the browser-support markers in README.md (${START} … ${END})`);
  return { before: readme.slice(0, start), table: readme.slice(start, end + END.length), after: readme.slice(end + END.length) };
}

/** The engine rows' version column taken out, for the comparison that must hold exactly. */
const withoutVersions = (table: string): string =>
  table
    .split('\n')
    .map((line) => {
      const label = Object.values(ENGINE_LABELS).find((label) => line.startsWith(`| ${label} | `));
      return label === undefined ? line : line.replace(/^(\| [^|]+ \| )[^|]+( \|)/, '$1…$2');
    })
    .join('\n');

const results = readResults();
const readme = readFileSync(README, 'utf8');
const { before, table, after } = section(readme);
const made = render(results);

if (process.argv.includes('--write')) {
  writeFileSync(README, before + made + after);
  console.log('README.md: browser-support tables written from the last run.');
} else {
  const missing = ENGINE_NAMES.filter((name) => results.engines[name] === undefined);
  const failed = ENGINE_NAMES.filter((name) => (results.engines[name]?.failed.length ?? 0) > 0);
  if (missing.length > 0 || failed.length > 0) {
    console.error(
      `Browser support: the last run ${missing.length > 0 ? `did not run ${missing.join(', ')}` : ''}${failed.length > 0 ? ` had failures in ${failed.join(', ')}` : ''}.`,
    );
    process.exit(1);
  }
  if (withoutVersions(made) !== withoutVersions(table)) {
    console.error('README.md: the browser-support tables are not what the last run showed. Run `npm run support:write`. The run showed:\n');
    console.error(made);
    process.exit(1);
  }
  if (made !== table)
    console.log('Browser support: the README names other browser versions than this run used; `npm run support:write` updates them.');
  const counts = ENGINE_NAMES.map((name) => `${name} ${(results.engines[name] as EngineRun).passed.length}`);
  console.log(`Browser support: README matches the run (${counts.join(', ')} scenarios passed).`);
}
