import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packRepo } from './fixtures/packed-app.js';

/** Where the specs find the tarball and its file list: packed once for the whole run. */
export const TARBALL_ENV = 'SW_AUTH_PROXY_TARBALL';
export const PACKED_FILES_ENV = 'SW_AUTH_PROXY_PACKED_FILES';

/**
 * Playwright's global setup for `npm run test:package`: `npm pack` the built repository once
 * (every spec installs the same tarball), and remove it after the run.
 */
// eslint-disable-next-line no-restricted-syntax -- Playwright loads a global setup by its default export.
export default async function packTarball(): Promise<() => Promise<void>> {
  const destination = await mkdtemp(join(tmpdir(), 'sw-auth-proxy-pack-'));
  const packed = await packRepo(destination);
  process.env[TARBALL_ENV] = packed.path;
  process.env[PACKED_FILES_ENV] = JSON.stringify(packed.files.map((file) => file.path));
  return () => rm(destination, { recursive: true, force: true });
}

/** The tarball's path, in a spec. */
export function packedTarball(): { path: string; files: string[] } {
  const path = process.env[TARBALL_ENV];
  const files = process.env[PACKED_FILES_ENV];
  if (path === undefined || files === undefined)
    throw new Error('Failed to find the packed tarball: run this through npm run test:package');
  return { path, files: JSON.parse(files) as string[] };
}
