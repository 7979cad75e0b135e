import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { installPackedApp, removeApp, repo } from './fixtures/packed-app.js';
import { packedTarball } from './pack-tarball.js';

/**
 * What a user gets from the registry: the tarball's contents, and the declarations that came with
 * it checked by a strict app (`exactOptionalPropertyTypes`, `verbatimModuleSyntax`, the classic
 * script's `SwAuthProxy` global) installed from it outside the repo. The apps built and run in a
 * browser from the same tarball are examples/ (examples.spec.ts).
 */

const consumer = fileURLToPath(new URL('./consumer/', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

test('the packed tarball holds the built entries, their types and nothing else', () => {
  const paths = packedTarball().files.sort();
  for (const expected of [
    'package.json',
    'README.md',
    'dist/sw.js',
    'dist/client.js',
    'dist/sw-auth-proxy.js',
    'dist/types/sw/index.d.ts',
    'dist/types/sw/classic-global.d.ts',
    'dist/types/client/index.d.ts',
  ]) {
    expect(paths).toContain(expected);
  }
  expect(paths.filter((path) => !/^(dist\/|package\.json$|README\.md$|SECURITY\.md$|LICENSE)/.test(path))).toEqual([]);
  expect(paths.filter((path) => /^dist\/(demo|types\/(node|unit|demo))|\.tsbuildinfo$|^examples\//.test(path))).toEqual([]);
});

test('a strict app type-checks against the declarations installed from the tarball', async () => {
  test.setTimeout(120_000);
  const app = await installPackedApp(consumer, packedTarball().path);
  try {
    await run(process.execPath, [tsc, '-b', 'tsconfig.json'], { cwd: app }).catch((error: Error & { stdout?: string }) => {
      throw new Error(`The consumer app does not type-check against the packed package:\n${error.stdout ?? error.message}`);
    });
  } finally {
    await removeApp(app);
  }
});
