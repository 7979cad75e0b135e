import { byId } from './by-id.js';

/**
 * The login form: a plain `POST /auth/login`, as the app did before the proxy. The worker captures
 * the tokens; `onAnswer` gets what the page is allowed to read (no refresh token, a placeholder
 * instead of the access token).
 */
export function mountLoginForm(signal: AbortSignal, onAnswer: (text: string) => void): void {
  const form = byId('login-form', HTMLFormElement);
  const username = byId('username', HTMLInputElement);
  const password = byId('password', HTMLInputElement);
  form.addEventListener(
    'submit',
    async (event) => {
      event.preventDefault();
      try {
        const response = await fetch('/auth/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: username.value, password: password.value }),
        });
        onAnswer(`login answered ${response.status}: ${await response.text()}`);
      } catch (error) {
        onAnswer(`login failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    { signal },
  );
}
