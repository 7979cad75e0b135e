import { expect, login, openApp, test } from './fixtures.js';

/** Access tokens live 5 s on this spec's servers, so the stream outlives two of them. */
const TTL_S = 5;
const OPEN_FOR_MS = 12_000;

test.use({ serverEnv: { ACCESS_TOKEN_TTL: String(TTL_S) }, serviceWorkers: 'block' });

test('page mode: an EventSource open across token expiries gets every event id once, with the token never in a URL', async ({
  session,
  app,
}) => {
  test.setTimeout(OPEN_FOR_MS + 60_000);
  const tab = await openApp(session, `${app.origin}/`);
  expect(await tab.evaluate(() => window.authProxy.ready.then((info) => info.mode))).toBe('page');
  await login(tab);

  // The app's own EventSource code: the engine reads the protected stream with fetch, and the
  // server ends it when its token expires; the reconnect is refreshed and replayed, with
  // Last-Event-ID. The 12 s are the scenario itself, not a wait for something to happen.
  const seen = await tab.evaluate(async (openForMs) => {
    const ids: number[] = [];
    let opens = 0;
    let errors = 0;
    let handlerTicks = 0;
    const source = new EventSource('/api/events?interval=250');
    const native = new EventSource('/nocors/ping');
    native.close();
    source.addEventListener('tick', (event) => ids.push(Number(event.lastEventId)));
    source.onopen = () => void (opens += 1);
    source.onerror = () => void (errors += 1);
    source.addEventListener('tick', () => void (handlerTicks += 1));
    await new Promise((resolve) => setTimeout(resolve, openForMs));
    const readyState = source.readyState;
    source.close();
    return {
      ids,
      opens,
      errors,
      handlerTicks,
      readyState,
      closed: source.readyState,
      isEventSource: source instanceof EventSource && native instanceof EventSource,
      url: source.url,
    };
  }, OPEN_FOR_MS);

  expect(seen.ids.length).toBeGreaterThan(20);
  expect(seen.ids).toEqual(Array.from({ length: seen.ids.length }, (_, index) => index + 1));
  expect(seen.handlerTicks).toBe(seen.ids.length);
  expect(seen.opens).toBeGreaterThanOrEqual(2);
  expect(seen.errors).toBeGreaterThanOrEqual(seen.opens - 1);
  expect(seen.readyState).not.toBe(2);
  expect(seen.closed).toBe(2);
  expect(seen.isEventSource).toBe(true);
  expect(seen.url).toBe(`${app.origin}/api/events?interval=250`);

  const stats = await app.stats();
  expect(stats.refreshCalls).toBeGreaterThanOrEqual(1);
  expect(stats.reuseDetected).toBe(0);
  const streams = (await app.requests()).filter((entry) => entry.path === '/api/events');
  expect(streams.length).toBeGreaterThanOrEqual(seen.opens);
  expect(streams.every((entry) => entry.authorization === 'bearer')).toBe(true);
  expect(streams.every((entry) => !/jwt|redacted/.test(entry.query))).toBe(true);
});
