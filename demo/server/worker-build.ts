import { readFile } from 'node:fs/promises';

/**
 * The number in the `// worker build <n>` line that ends every worker script the server
 * generates. `POST /demo/sw-build` bumps it, so `registration.update()` finds a byte-different
 * script and installs a new worker version: the "worker updated mid-session" case.
 *
 * Starts at 1 and is not reset by `POST /demo/reset`: a script with a number once served never
 * comes back, whatever the tests did in between.
 */
export class WorkerBuild {
  #current = 1;

  get current(): number {
    return this.#current;
  }

  /** Increments the build number and returns the new one. */
  bump(): number {
    this.#current += 1;
    return this.#current;
  }
}

/**
 * `script` with the build line appended (on a line of its own even if the script lacks a final
 * newline, e.g. after `//# sourceMappingURL=`).
 *
 * @example
 * ```ts
 * withWorkerBuild("importScripts('/sw-auth-proxy.js');\n", 2);
 * // "importScripts('/sw-auth-proxy.js');\n// worker build 2\n"
 * ```
 */
export function withWorkerBuild(script: string, build: number): string {
  const separator = script === '' || script.endsWith('\n') ? '' : '\n';
  return `${script}${separator}// worker build ${build}\n`;
}

/** The text of a built worker script, or undefined if there is none at `path`. */
export async function readWorkerScript(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
