import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { ENGINE_NAMES, type EngineName } from './engine.js';

/** Where the last run of the cross-engine tier is recorded; read by scripts/browser-support.ts. */
export const SUPPORT_RESULTS = 'test-results/browser-support.json';

/** What one engine's project did in a run. */
export interface EngineRun {
  version: string | null;
  passed: string[];
  failed: string[];
}

export interface SupportResults {
  /** Only the engines the run included (`--project` can pick one). */
  engines: Partial<Record<EngineName, EngineRun>>;
}

const isEngine = (name: string): name is EngineName => (ENGINE_NAMES as readonly string[]).includes(name);

/**
 * Records, per engine project, which scenarios passed and the browser version the fixture
 * reported (the `engine-version` annotation), so the README's browser-support table is made
 * from what really ran, never typed by hand.
 */
// eslint-disable-next-line no-restricted-syntax -- Playwright loads a reporter by its default export.
export default class SupportReporter implements Reporter {
  #engines: Partial<Record<EngineName, EngineRun>> = {};

  onTestEnd(test: TestCase, result: TestResult): void {
    const project = test.parent.project()?.name ?? '';
    if (!isEngine(project)) return;
    const run = (this.#engines[project] ??= { version: null, passed: [], failed: [] });
    const version = test.annotations.find((annotation) => annotation.type === 'engine-version')?.description;
    if (version !== undefined) run.version = version;
    // A retry is not configured; a test that ran more than once (--repeat-each) counts once.
    const title = test.title;
    if (result.status === 'passed') {
      if (!run.passed.includes(title)) run.passed.push(title);
    } else if (!run.failed.includes(title)) run.failed.push(title);
  }

  onEnd(): void {
    if (Object.keys(this.#engines).length === 0) return;
    for (const run of Object.values(this.#engines)) run.passed = run.passed.filter((title) => !run.failed.includes(title));
    const results: SupportResults = { engines: this.#engines };
    mkdirSync(dirname(SUPPORT_RESULTS), { recursive: true });
    writeFileSync(SUPPORT_RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  }
}
