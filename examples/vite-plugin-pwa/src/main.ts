// #region register
import { registerAuthProxy } from 'sw-auth-proxy/client';

// In development vite-plugin-pwa serves the worker as an ES module (its devOptions).
const auth = registerAuthProxy(import.meta.env.DEV ? '/dev-sw.js?dev-sw' : '/sw.js', {
  type: import.meta.env.DEV ? 'module' : 'classic',
});
auth.addEventListener('session-expired', () => location.assign('/')); // to your sign-in page
await auth.ready; // from here on, API requests carry the token
// #endregion

const api = import.meta.env.VITE_API_ORIGIN;
show('Ready: sign in.');

// Sign in as before: the worker keeps the tokens; the page gets a placeholder access token.
document.querySelector<HTMLFormElement>('#login')!.addEventListener('submit', async (event) => {
  event.preventDefault();
  const response = await fetch(`${api}/auth/login`, { method: 'POST', body: new FormData(event.target as HTMLFormElement) });
  show(response.ok ? 'Signed in.' : `Sign-in failed: ${response.status}.`);
});

// A plain fetch: the worker attaches the token, refreshes it once for all tabs and replays a 401.
document.querySelector('#profile')!.addEventListener('click', async () => {
  show('Loading…');
  const response = await fetch(`${api}/api/me`);
  show(response.ok ? `Profile: ${((await response.json()) as { sub: string }).sub}.` : `Profile failed: ${response.status}.`);
});

function show(text: string): void {
  document.querySelector('#status')!.textContent = text;
}
