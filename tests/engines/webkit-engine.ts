import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Builder, Capabilities, type WebDriver } from 'selenium-webdriver';
import type { BrowserSession, Engine, PageFunction, SessionOptions, Tab } from './engine.js';

const MINI_BROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
/**
 * WebKit terminates a service worker that has had no client for a while (about 10 s measured on
 * WebKitGTK 2.50); no automation command stops one.
 */
const NO_CLIENT_WAIT_MS = 12_000;
const STOP_TRIES = 3;
/** The longest a single evaluate may take (the SSE scenario holds one for 30 s). */
const SCRIPT_TIMEOUT_MS = 120_000;
/**
 * A new session (a MiniBrowser launched and connected) takes 0.6–1.8 s here, also with both cores
 * busy. Once in a CI run one never connected and the driver waited without end; past this bound
 * the driver is replaced and the session tried once more, with the old driver's output in the log.
 */
const SESSION_START_MS = 15_000;
/** How much of the driver's output is kept for an error message. */
const DRIVER_LOG_CHARS = 4000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Start Xvfb on a display it picks itself (`-displayfd`): the MiniBrowser needs a display. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '1', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    xvfb.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Failed to start Xvfb: it exited with ${code} (apt-get install xvfb xauth)`)));
  });
  return { display, process: xvfb };
}

interface DriverServer {
  url: string;
  process: ChildProcess;
  /** The tail of what the driver (and the browsers it started) printed. */
  log: () => string;
}

async function startDriver(display: string): Promise<DriverServer> {
  const port = await freePort();
  const driver = spawn(process.env['WEBKIT_WEBDRIVER_PATH'] ?? '/usr/bin/WebKitWebDriver', [`--port=${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: display },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-DRIVER_LOG_CHARS);
  };
  driver.stdout!.on('data', keep);
  driver.stderr!.on('data', keep);
  const log = (): string => output.trim() || '(nothing)';
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (driver.exitCode !== null)
      throw new Error(`Failed to start WebKitWebDriver: it exited with ${driver.exitCode} (apt-get install webkit2gtk-driver)`);
    try {
      if ((await fetch(`${url}/status`)).ok) return { url, process: driver, log };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('Failed to start WebKitWebDriver: no answer on its port within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs one WebDriver command chain at a time: switching windows and running script must not interleave. */
function serialise(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Debian's WebKitGTK: the GTK MiniBrowser in automation mode under Xvfb, driven by
 * selenium-webdriver against WebKitWebDriver. Each session is a new MiniBrowser process with an
 * ephemeral profile.
 */
export async function launchWebKit(): Promise<Engine> {
  const xvfb = await startXvfb();
  let server = await startDriver(xvfb.display).catch((error: unknown) => {
    xvfb.process.kill();
    throw error;
  });
  const capabilities = (options: SessionOptions): Capabilities =>
    new Capabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': {
        binary: process.env['WEBKIT_BROWSER_PATH'] ?? MINI_BROWSER,
        // A WebKit runtime feature (`MiniBrowser --features=help` lists them).
        args: ['--automation', ...(options.serviceWorkers === 'block' ? ['--features=-ServiceWorkers'] : [])],
      },
    });
  let version = '';

  const engine: Engine = {
    name: 'webkit',
    get version() {
      return version;
    },
    async close() {
      server.process.kill();
      xvfb.process.kill();
    },
    async newSession(options: SessionOptions = {}): Promise<BrowserSession> {
      const start = async (): Promise<WebDriver> => {
        const building = new Builder().usingServer(server.url).withCapabilities(capabilities(options)).build();
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), SESSION_START_MS)));
        try {
          const outcome = await Promise.race([building, hung]);
          if (outcome !== 'hung') return outcome;
        } finally {
          clearTimeout(timer);
        }
        // The driver's request fails once the driver is gone; nobody waits for it then.
        building.catch(() => undefined);
        const log = server.log();
        server.process.kill('SIGKILL');
        throw new Error(`WebKitWebDriver did not start a MiniBrowser session within ${SESSION_START_MS} ms. Its output:\n${log}`);
      };
      let driver: WebDriver;
      try {
        driver = await start();
      } catch (error) {
        console.warn(`[webkit] ${(error as Error).message}\n[webkit] starting a new WebKitWebDriver and trying once more`);
        server = await startDriver(xvfb.display);
        driver = await start();
      }
      version ||= String((await driver.getCapabilities()).get('browserVersion'));
      await driver.manage().setTimeouts({ script: SCRIPT_TIMEOUT_MS, pageLoad: 30_000 });
      const run = serialise();
      const tabs = new Map<string, string>(); // window handle → the URL it shows
      let initialWindowFree = true;

      const inWindow = <T>(handle: string, work: () => Promise<T>): Promise<T> =>
        run(async () => {
          await driver.switchTo().window(handle);
          return work();
        });
      const navigate = async (handle: string, url: string): Promise<void> => {
        await inWindow(handle, () => driver.get(url));
        tabs.set(handle, url);
      };

      return {
        async openTab(url) {
          const handle = await run(async () => {
            if (initialWindowFree) {
              initialWindowFree = false;
              return driver.getWindowHandle();
            }
            // A window rather than a tab: a background tab's timers would be throttled.
            await driver.switchTo().newWindow('window');
            return driver.getWindowHandle();
          });
          await navigate(handle, url);
          const tab: Tab = {
            goto: (next) => navigate(handle, next),
            evaluate: async <R, A>(fn: PageFunction<A, R>, arg?: A): Promise<R> => {
              const outcome = (await inWindow(handle, () =>
                driver.executeAsyncScript(
                  `const done = arguments[arguments.length - 1];
                   Promise.resolve().then(() => (${fn.toString()})(arguments[0])).then(
                     (value) => done({ value }),
                     (error) => done({ error: error instanceof Error ? error.name + ': ' + error.message + ' ' + error.stack : String(error) }));`,
                  arg,
                ),
              )) as { value?: R; error?: string };
              if (outcome.error !== undefined) throw new Error(`Page function failed in WebKit: ${outcome.error}`);
              return outcome.value as R;
            },
            close: () =>
              run(async () => {
                await driver.switchTo().window(handle);
                await driver.close();
                tabs.delete(handle);
              }),
          };
          return tab;
        },
        async stopWorker(restarted) {
          // Take every client away, give WebKit its delay, then bring the tabs back.
          const shown = [...tabs];
          for (let attempt = 1; attempt <= STOP_TRIES; attempt++) {
            for (const [handle] of shown) await inWindow(handle, () => driver.get('about:blank'));
            await new Promise((resolve) => setTimeout(resolve, NO_CLIENT_WAIT_MS * attempt));
            for (const [handle, url] of shown) await navigate(handle, url);
            if (await restarted()) return;
          }
          throw new Error(`Failed to stop the worker: WebKit kept it running with no client for ${STOP_TRIES} tries`);
        },
        close: () => run(() => driver.quit()),
      };
    },
  };
  return engine;
}
