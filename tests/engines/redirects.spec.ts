import { expect, login, openApp, test, waitForEvent } from './fixtures.js';

test('a protected URL that redirects to an unprotected path is refused: the token never reaches it', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);

  const outcome = await tab.evaluate(async () => {
    const follow = await fetch('/api/to-public').then(
      (response) => `answered ${response.status}`,
      (error: unknown) => (error instanceof Error ? error.name : 'rejected'),
    );
    // A page that asks for manual redirects gets the redirect itself, as it asked.
    const manual = await fetch('/api/to-public', { redirect: 'manual' }).then((response) => response.type);
    return { follow, manual };
  });
  await waitForEvent(tab, 'error');

  expect(outcome).toEqual({ follow: 'TypeError', manual: 'opaqueredirect' });
  const log = await app.requests();
  expect(log.filter((entry) => entry.path === '/api/to-public').map((entry) => entry.authorization)).toEqual(['bearer', 'bearer']);
  expect(log.filter((entry) => entry.path === '/public/landing')).toEqual([]);
  const errors = await tab.evaluate(() =>
    window.authEvents.filter((event) => event.type === 'error').map((event) => (event.detail as { name: string }).name),
  );
  expect(errors).toContain('RedirectRefusedError');
});

test('a protected URL that redirects to another origin is refused too: the other origin sees no request', async ({ session, app, idp }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);

  const outcome = await tab.evaluate(
    (origin) =>
      fetch(`/api/to-origin?origin=${encodeURIComponent(origin)}`).then(
        (response) => `answered ${response.status}`,
        (error: unknown) => (error instanceof Error ? error.name : 'rejected'),
      ),
    idp.origin,
  );

  // Fetch has browsers drop Authorization on a cross-origin hop themselves; the worker does not
  // rely on that (an engine that stopped would leak): it does not follow at all.
  expect(outcome).toBe('TypeError');
  expect((await app.requests()).filter((entry) => entry.path === '/api/to-origin').map((entry) => entry.authorization)).toEqual(['bearer']);
  expect((await idp.requests()).filter((entry) => entry.path === '/public/landing')).toEqual([]);
});
