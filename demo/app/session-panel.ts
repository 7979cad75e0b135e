import type { AuthProxy, AuthStatus } from '../../client/index.js';
import { element } from './element.js';
import { formatClockTime, formatDuration } from './format-time.js';

/** What the session panel shows; `update()` asks the worker again, `tick()` only redraws the countdown. */
export interface SessionPanel {
  update(): Promise<void>;
  tick(): void;
}

export interface SessionPanelOptions {
  /** The state pill in the page header. */
  pill: HTMLElement;
  /** An access token's full lifetime, for the countdown bar; `null` while unknown. */
  lifetimeMs: () => number | null;
}

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function row(label: string, field: string, value: string): HTMLElement[] {
  return [element('dt', {}, label), element('dd', { 'data-field': field }, value)];
}

/**
 * This tab's view of the session: state, a countdown to the access token's expiry, generation and
 * the worker's counters. Everything comes from `authProxy.status()`, the worker's answer; the page
 * never sees the token, so it could not read the expiry from it anyway.
 */
export function mountSessionPanel(root: HTMLElement, auth: AuthProxy, options: SessionPanelOptions): SessionPanel {
  const countdown = element('span', { class: 'big', 'data-field': 'expires-in' }, '—');
  const caption = element('span', { class: 'caption' }, 'starting…');
  const fill = element('div', { class: 'fill' });
  const details = element('dl', { class: 'facts' });
  root.replaceChildren(
    element('div', { class: 'countdown' }, countdown, caption),
    element('div', { class: 'bar', role: 'presentation' }, fill),
    details,
  );

  const show = (status: AuthStatus): void => {
    const now = Date.now();
    const left = status.expiresAt === null ? null : Math.max(0, status.expiresAt - now);
    countdown.textContent = left === null ? '—' : `${Math.ceil(left / 1000)} s`;
    caption.textContent = left === null ? 'no access token' : left === 0 ? 'access token expired' : 'until the access token expires';
    const lifetime = options.lifetimeMs();
    fill.style.width = left === null || lifetime === null ? '0' : `${Math.min(100, (left / lifetime) * 100)}%`;
    fill.className = `fill ${status.refreshAt !== null && now >= status.refreshAt ? 'due' : ''}`;
    root.dataset['state'] = status.state;
    options.pill.textContent = status.state;
    options.pill.className = `pill ${status.state}`;

    const { counters } = status;
    details.replaceChildren(
      ...row('Generation', 'generation', String(status.generation)),
      ...row('Waiting requests', 'pending', String(status.pendingRequests)),
      ...row('Last refresh', 'last-refresh', status.lastRefreshAt === null ? '—' : formatClockTime(status.lastRefreshAt)),
      ...row('Refresh ahead from', 'refresh-at', status.refreshAt === null ? '—' : formatClockTime(status.refreshAt)),
      // The key the tokens are bound to (a hash of its public half); the token itself is never here.
      ...(status.dpopThumbprint === null ? [] : row('DPoP key', 'dpop-key', status.dpopThumbprint)),
      ...(status.refreshBlockedUntil === null
        ? []
        : row('Refreshing paused', 'paused', `for ${formatDuration(Math.max(0, status.refreshBlockedUntil - now))}`)),
      ...row(
        'Worker counted',
        'counters',
        [
          count(counters.requests, 'request'),
          `${counters.replayed} replayed`,
          count(counters.refreshes, 'refresh call'),
          `${counters.refreshFailures} failed`,
        ].join(', '),
      ),
      ...(status.lastError === null ? [] : row('Last error', 'last-error', `${status.lastError.name}: ${status.lastError.message}`)),
    );
  };

  let latest: AuthStatus | null = null;
  return {
    // The countdown moves on the page's clock from the worker's last answer: asking the worker
    // every second would keep it busy, and a busy worker holds off its own update.
    tick: () => latest !== null && show(latest),
    update: async () => {
      try {
        latest = await auth.status();
        show(latest);
      } catch (error) {
        options.pill.textContent = error instanceof Error ? error.name : 'error';
        options.pill.className = 'pill error';
        caption.textContent = error instanceof Error ? error.message : String(error);
      }
    },
  };
}
