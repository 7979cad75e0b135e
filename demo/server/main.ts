import { parseClockOffset } from './demo-clock.js';
import { parseSwVariants } from './sw-variants.js';
import { startDemoServer, type DemoServerOptions } from './start-demo-server.js';

// Entry point of `node --import tsx demo/server/main.ts`: environment in, one line out.

function readOptions(env: NodeJS.ProcessEnv): DemoServerOptions {
  const options: DemoServerOptions = {};
  if (env['PORT'] !== undefined && env['PORT'] !== '') options.port = readInteger('PORT', env['PORT']);
  if (env['ACCESS_TOKEN_TTL'] !== undefined && env['ACCESS_TOKEN_TTL'] !== '') {
    options.accessTokenTtl = readInteger('ACCESS_TOKEN_TTL', env['ACCESS_TOKEN_TTL']);
  }
  if (env['JWT_SECRET'] !== undefined && env['JWT_SECRET'] !== '') options.jwtSecret = env['JWT_SECRET'];
  if (env['DEMO_SW_VARIANTS'] !== undefined && env['DEMO_SW_VARIANTS'] !== '') {
    options.swVariants = parseSwVariants(env['DEMO_SW_VARIANTS']);
  }
  if (env['DEMO_DIST'] !== undefined && env['DEMO_DIST'] !== '') options.distDir = env['DEMO_DIST'];
  if (env['CLOCK_OFFSET_MS'] !== undefined && env['CLOCK_OFFSET_MS'] !== '') {
    options.clockOffsetMs = parseClockOffset(env['CLOCK_OFFSET_MS']);
  }
  return options;
}

function readInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`Failed to read ${name}: "${value}" is not a non-negative integer`);
  return Number(value);
}

try {
  const server = await startDemoServer(readOptions(process.env));
  // Tests parse the URL from this exact line.
  process.stdout.write(`sw-auth-proxy demo server listening on ${server.url}\n`);
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
