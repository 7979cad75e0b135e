import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** A server started in its own Node process. */
export interface ServerProcess {
  /** `http://localhost:<port>`, no trailing slash. */
  readonly origin: string;
  /** SIGTERM, then SIGKILL if it has not gone after 5 s. */
  stop(): Promise<void>;
}

/**
 * Start `script` (relative to the repository, run through tsx) with `env`, and wait for the
 * "listening on <url>" line every server here prints. Used by the browser tests and the bench, so
 * both drive the real server process. Its stdin is a pipe: a server that watches it (the bench's)
 * ends when the caller dies.
 */
export async function spawnServerProcess(script: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Failed to start ${script}: no URL after 30 s\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+?)\/?\s/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Failed to start ${script}: it exited with ${code}\n${output}`));
    });
  });
  return {
    origin,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
