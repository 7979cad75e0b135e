import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';

export interface BundleFigure {
  file: string;
  /** How the minified bytes were obtained. */
  method: string;
  minBytes: number;
  minGzipBytes: number;
}

export interface BundleSizeResult {
  worker: BundleFigure;
  client: BundleFigure;
  /** The client with workbox-window bundled in, for information. */
  clientWithWorkbox: BundleFigure;
}

const gzip = (code: string): number => gzipSync(code, { level: 9 }).length;

/** The trailing `//# sourceMappingURL=` comment is not part of what a browser runs. */
const stripSourceMapComment = (code: string): string => code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '');

/**
 * min+gzip (level 9) of what a user ships: `sw-auth-proxy.js` is minified by its own build and
 * measured as is; `client.js` is an unminified ES module (with a shared chunk) meant for the user's
 * bundler, so it is bundled and minified here with Vite (the project's own build tool), once with
 * workbox-window left external and once with it included.
 */
export async function measureBundleSize(distDir: string): Promise<BundleSizeResult> {
  const workerCode = stripSourceMapComment(await readFile(join(distDir, 'sw-auth-proxy.js'), 'utf8'));
  const clientEntry = join(distDir, 'client.js');
  const minifyClient = async (external: string[]): Promise<string> => {
    const output = (await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        write: false,
        minify: true,
        lib: { entry: clientEntry, formats: ['es'], fileName: 'client' },
        rolldownOptions: { external },
      },
    })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
    const outputs = Array.isArray(output) ? output : [output];
    return outputs
      .flatMap((result) => result.output)
      .map((item) => (item.type === 'chunk' ? stripSourceMapComment(item.code) : ''))
      .join('');
  };
  const client = await minifyClient(['workbox-window']);
  const clientWithWorkbox = await minifyClient([]);
  return {
    worker: {
      file: 'dist/sw-auth-proxy.js',
      method: 'as built (minified IIFE)',
      minBytes: workerCode.length,
      minGzipBytes: gzip(workerCode),
    },
    client: {
      file: 'dist/client.js',
      method: 'Vite lib build, minified, workbox-window external',
      minBytes: client.length,
      minGzipBytes: gzip(client),
    },
    clientWithWorkbox: {
      file: 'dist/client.js',
      method: 'Vite lib build, minified, workbox-window bundled',
      minBytes: clientWithWorkbox.length,
      minGzipBytes: gzip(clientWithWorkbox),
    },
  };
}
