import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSwVariants, validateSwVariants } from '../../demo/server/sw-variants.js';
import { startDemoServer, type DemoServer } from '../../demo/server/start-demo-server.js';

// The demo server over real sockets: static files, SW variants, and the `main.ts` run contract.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let dist: string;
const servers: DemoServer[] = [];

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'demo-dist-'));
  mkdirSync(join(dist, 'demo', 'assets'), { recursive: true });
  writeFileSync(join(dist, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
  writeFileSync(join(dist, 'demo', 'auth-sw.js'), '/* demo worker */');
  writeFileSync(join(dist, 'demo', 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(dist, 'sw-auth-proxy.js'), '/* classic bundle */');
});

afterAll(() => {
  rmSync(dist, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Parameters<typeof startDemoServer>[0] = {}): Promise<DemoServer> {
  const server = await startDemoServer({ port: 0, distDir: dist, ...options });
  servers.push(server);
  return server;
}

describe('startDemoServer', () => {
  it('listens on a free port when given 0 and reports a localhost URL', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://localhost:${server.port}/`);
    const res = await fetch(new URL('/nocors/ping', server.url));
    expect(await res.text()).toBe('pong');
    expect(res.headers.get('Date')).toEqual(expect.any(String));
  });

  it('closes, refusing new connections afterwards', async () => {
    const server = await startDemoServer({ port: 0, distDir: dist });
    await fetch(new URL('/nocors/ping', server.url));
    await server.close();
    await expect(fetch(new URL('/nocors/ping', server.url))).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const server = await start();
    await expect(startDemoServer({ port: server.port, distDir: dist })).rejects.toThrow(/EADDRINUSE/);
  });

  it('shares access tokens between servers given the same JWT secret', async () => {
    const a = await start({ jwtSecret: 'same' });
    const b = await start({ jwtSecret: 'same' });
    const c = await start();
    const login = await fetch(new URL('/auth/login', a.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'x' }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const headers = { Authorization: `Bearer ${access_token}` };
    expect((await fetch(new URL('/api/me', b.url), { headers })).status).toBe(200);
    expect((await fetch(new URL('/api/me', c.url), { headers })).status).toBe(401);
  });
});

describe('static files', () => {
  it('serves the demo page at / and worker scripts as no-cache text/javascript', async () => {
    const server = await start();
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>demo</title>');
    for (const [path, content] of [
      // Worker scripts end in the build line that POST /demo/sw-build bumps.
      ['/auth-sw.js', '/* demo worker */\n// worker build 1\n'],
      ['/sw-auth-proxy.js', '/* classic bundle */'],
    ] as const) {
      const res = await fetch(new URL(path, server.url));
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('text/javascript');
      expect(res.headers.get('Cache-Control')).toBe('no-cache');
      expect(await res.text()).toBe(content);
    }
    expect((await fetch(new URL('/assets/app.js', server.url))).status).toBe(200);
    expect((await fetch(new URL('/missing.js', server.url))).status).toBe(404);
  });

  it('answers 503 "run npm run build first" without a build, while the API still works', async () => {
    const server = await start({ distDir: join(dist, 'nope') });
    const page = await fetch(server.url);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('run npm run build first');
    expect((await fetch(new URL('/sw-auth-proxy.js', server.url))).status).toBe(503);
    const login = await fetch(new URL('/auth/login', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'x' }),
    });
    expect(login.status).toBe(200);
  });
});

describe('SW variants', () => {
  const variants = {
    'cross-origin': {
      protectedOrigins: ['{{self}}', { origin: '{{self}}', pathPrefixes: ['/api'] }, 'http://other.test'],
      refreshEndpoint: '/auth/token',
      nested: { deep: [['{{self}}']], notExact: '{{self}}/x', number: 3, flag: true, nothing: null },
    },
    memory: { refreshTokenStorage: 'memory' },
  };

  it('serves a classic worker script with {{self}} replaced by the server origin at any depth', async () => {
    const server = await start({ swVariants: variants });
    const origin = `http://localhost:${server.port}`;
    const res = await fetch(new URL('/variants/cross-origin/auth-sw.js', server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/javascript');
    expect(res.headers.get('Cache-Control')).toBe('no-cache');
    const expectedConfig = {
      protectedOrigins: [origin, { origin, pathPrefixes: ['/api'] }, 'http://other.test'],
      refreshEndpoint: '/auth/token',
      nested: { deep: [[origin]], notExact: '{{self}}/x', number: 3, flag: true, nothing: null },
    };
    expect(await res.text()).toBe(
      `importScripts('/sw-auth-proxy.js');\nSwAuthProxy.installAuthProxy(${JSON.stringify(expectedConfig)});\n// worker build 1\n`,
    );
  });

  it('serves the demo page under the variant directory and 404s unknown names', async () => {
    const server = await start({ swVariants: variants });
    const page = await fetch(new URL('/variants/memory/', server.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>demo</title>');
    const asset = await fetch(new URL('/variants/memory/assets/app.js', server.url));
    expect(await asset.text()).toBe('console.log(1);');
    const bare = await fetch(new URL('/variants/memory', server.url), { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('Location')).toBe('/variants/memory/');
    expect((await fetch(new URL('/variants/unknown/auth-sw.js', server.url))).status).toBe(404);
    expect((await fetch(new URL('/variants/unknown/', server.url))).status).toBe(404);
  });

  it('rejects invalid names and configs at startup', () => {
    expect(() => validateSwVariants({ Bad_Name: {} })).toThrow(/\[a-z0-9-\]\+/);
    expect(() => validateSwVariants({ ok: [] })).toThrow(/not an object/);
    expect(() => validateSwVariants([])).toThrow();
    expect(() => parseSwVariants('{nope')).toThrow(/not JSON/);
    expect(parseSwVariants('{"a-1":{"x":1}}')).toEqual({ 'a-1': { x: 1 } });
  });
});

describe('node --import tsx demo/server/main.ts', () => {
  const children: ChildProcess[] = [];

  // A failed assertion must not leave a server running after the test run.
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  function run(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; exit: Promise<number | null> } {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = new Promise<string>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^sw-auth-proxy demo server listening on (http:\/\/localhost:\d+\/)\n/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exit.then((code) => reject(new Error(`exited with ${String(code)} before listening: ${stderr}`)));
    });
    return { child, url, exit };
  }

  it('prints exactly one listening line, honours the environment, and exits 0 on SIGTERM', async () => {
    const { child, url, exit } = run({
      PORT: '0',
      ACCESS_TOKEN_TTL: '7',
      DEMO_DIST: dist,
      DEMO_SW_VARIANTS: JSON.stringify({ v: { protectedOrigins: ['{{self}}'] } }),
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const base = await url;
    const login = await fetch(new URL('/auth/login', base), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'x' }),
    });
    expect(await login.json()).toMatchObject({ expires_in: 7 });
    const script = await (await fetch(new URL('/variants/v/auth-sw.js', base))).text();
    expect(script).toContain(`{"protectedOrigins":["${new URL(base).origin}"]}`);
    expect(await (await fetch(base)).text()).toContain('<title>demo</title>');

    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stdout).toBe(`sw-auth-proxy demo server listening on ${base}\n`);
  }, 20_000);

  it('fails fast with exit code 1 on a bad environment', async () => {
    const { url, exit } = run({ PORT: '0', DEMO_SW_VARIANTS: '{"Bad":{}}' });
    await expect(url).rejects.toThrow(/\[a-z0-9-\]\+/);
    expect(await exit).toBe(1);
  }, 20_000);
});
