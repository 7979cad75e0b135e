import type { AuthProxy } from '../../client/index.js';
import { byId } from './by-id.js';
import { demoHooks } from './demo-hooks.js';
import { formatDuration } from './format-time.js';

/**
 * The buttons that make things happen: another tab, a storm of concurrent API requests, the server
 * expiring every access token, a queued refresh fault, and a logout in every tab. `onChange` runs
 * after each, so the panels of every tab show what it changed.
 */
export function mountActionsPanel(auth: AuthProxy, signal: AbortSignal, onChange: () => void): void {
  const result = byId('action-result', HTMLElement);
  const stormSize = byId('storm-size', HTMLInputElement);
  const stormResult = byId('storm-result', HTMLElement);
  const faultStatus = byId('fault-status', HTMLSelectElement);
  const faultCount = byId('fault-count', HTMLInputElement);
  const options = { signal };

  const report = (text: string, failed = false): void => {
    result.textContent = text;
    result.className = failed ? 'result failed' : 'result';
  };
  const attempt = async (action: () => Promise<string>): Promise<void> => {
    try {
      report(await action());
    } catch (error) {
      report(error instanceof Error ? error.message : String(error), true);
    }
    onChange();
  };

  byId('new-tab', HTMLButtonElement).addEventListener('click', () => window.open(location.href, '_blank'), options);

  byId('storm', HTMLButtonElement).addEventListener(
    'click',
    async () => {
      const size = Math.min(500, Math.max(1, Math.trunc(stormSize.valueAsNumber) || 20));
      stormResult.textContent = `${size} requests in flight…`;
      stormResult.className = 'result';
      const started = performance.now();
      // Plain fetch, as any app would: the worker below the page adds the token and replays 401s.
      const statuses = await Promise.all(
        Array.from({ length: size }, (_, i) =>
          fetch(`/api/items/${i}`).then(
            (response) => response.status,
            () => 0,
          ),
        ),
      );
      const ok = statuses.filter((status) => status === 200).length;
      stormResult.dataset['ok'] = String(ok);
      stormResult.dataset['total'] = String(size);
      stormResult.textContent = `${ok}/${size} answered 200 in ${formatDuration(performance.now() - started)}`;
      stormResult.className = ok === size ? 'result ok' : 'result failed';
      onChange();
    },
    options,
  );

  byId('expire', HTMLButtonElement).addEventListener(
    'click',
    () =>
      attempt(async () => {
        await demoHooks.expireAccessTokens();
        return 'The server expired every access token: the next API request gets a 401.';
      }),
    options,
  );

  byId('inject-fault', HTMLButtonElement).addEventListener(
    'click',
    () =>
      attempt(async () => {
        const status = Number(faultStatus.value);
        const count = Math.max(1, Math.trunc(faultCount.valueAsNumber) || 1);
        const queue = await demoHooks.injectFault({ target: 'refresh', status, count });
        const waiting = queue.filter((fault) => fault.target === 'refresh').reduce((sum, fault) => sum + fault.remaining, 0);
        return `Queued: the next ${count} refresh call${count === 1 ? '' : 's'} answer ${status} (${waiting} faulted in the queue).`;
      }),
    options,
  );

  byId('logout', HTMLButtonElement).addEventListener(
    'click',
    () =>
      attempt(async () => {
        const { revoked } = await auth.logout();
        return revoked ? 'Logged out in every tab; the refresh token was revoked.' : 'Logged out in every tab.';
      }),
    options,
  );
}
