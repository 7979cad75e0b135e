import type { AuthProxy, AuthProxyEventDetails, AuthProxyEventType } from '../../client/index.js';
import { element } from './element.js';
import { formatClockTime, formatDuration } from './format-time.js';
import { RefreshTimeline, type RefreshTimelineEntry } from './refresh-timeline.js';
import { tabLabel } from './tab-label.js';

const TRIGGERS: Record<NonNullable<RefreshTimelineEntry['trigger']>['kind'], string> = {
  unauthorized: '401 from the API',
  expired: 'token expired',
  proactive: 'ahead of expiry',
  visible: 'tab became visible',
};

/** `GET /api/items/3`, without origin (the worker already dropped the query). */
function describeRequest(trigger: NonNullable<RefreshTimelineEntry['trigger']>): string {
  if (trigger.url === null) return '';
  let path = trigger.url;
  try {
    path = new URL(trigger.url).pathname;
  } catch {
    // Not absolute: show it as it came.
  }
  return `${trigger.method ?? ''} ${path}`.trim();
}

function describeOutcome(entry: RefreshTimelineEntry): { text: string; kind: string } {
  const { outcome } = entry;
  const failures = entry.failures.map((failure) => `#${failure.attempt} ${failure.status ?? failure.reason}`).join(', ');
  switch (outcome.kind) {
    case 'running':
      return { text: failures === '' ? 'refreshing…' : `retrying after ${failures}`, kind: 'running' };
    case 'refreshed':
      return { text: `new token, generation ${outcome.generation}${failures === '' ? '' : ` (after ${failures})`}`, kind: 'ok' };
    case 'failed': {
      const until = outcome.retryAt === null ? '' : `, paused until ${formatClockTime(outcome.retryAt)}`;
      return { text: `gave up: ${outcome.status ?? outcome.reason} (${failures})${until}`, kind: 'failed' };
    }
    case 'session-ended':
      return { text: `session ended: ${outcome.reason}`, kind: 'failed' };
    case 'not-needed':
      return { text: 'no server call: a newer token was already stored', kind: 'neutral' };
    case 'ended':
      return { text: 'ended without a new token', kind: 'neutral' };
    default: {
      const unknown: never = outcome;
      return unknown;
    }
  }
}

/**
 * The refresh timeline: one row per refresh cycle the worker announced, newest first. Rows carry
 * `data-refresh-id`; the row of a refresh this tab triggered is marked `mine` (styling only, so
 * the text is the same in every tab).
 */
export function mountRefreshTimelinePanel(table: HTMLTableElement, auth: AuthProxy, signal: AbortSignal): void {
  const timeline = new RefreshTimeline();
  const body = table.tBodies[0] ?? table.createTBody();
  let ownClientId: string | null = null;

  // Rendered on every event: at most 50 rows, and a background tab must be current when looked at.
  const render = (): void => {
    const entries = timeline.entries();
    body.replaceChildren(
      ...entries.map((entry) => {
        const outcome = describeOutcome(entry);
        const tab = entry.trigger?.clientId ?? null;
        // Not known yet while running; never known for a cycle that ended without announcing them.
        const unknown = entry.outcome.kind === 'running' ? '…' : '—';
        const row = element(
          'tr',
          {
            'data-refresh-id': entry.refreshId,
            'data-outcome': entry.outcome.kind,
            class: tab !== null && tab === ownClientId ? 'mine' : '',
          },
          element('td', { class: 'num' }, entry.startedAt === null ? '—' : formatClockTime(entry.startedAt)),
          element(
            'td',
            {},
            entry.trigger === null ? '—' : TRIGGERS[entry.trigger.kind],
            entry.trigger && describeRequest(entry.trigger) !== '' ? element('code', {}, describeRequest(entry.trigger)) : null,
          ),
          element('td', { title: tab === ownClientId ? 'this tab' : '' }, tabLabel(tab)),
          element('td', { class: 'num' }, entry.waiters ?? unknown),
          element('td', { class: 'num' }, entry.attempts || unknown),
          element('td', { class: 'num' }, entry.durationMs === null ? unknown : formatDuration(entry.durationMs)),
          element('td', { class: `outcome ${outcome.kind}` }, outcome.text),
        );
        return row;
      }),
    );
    if (entries.length === 0) {
      body.append(
        element('tr', { class: 'empty' }, element('td', { colspan: '7' }, 'No refresh yet. Expire the token, then fire a storm.')),
      );
    }
  };
  const on = <K extends AuthProxyEventType>(type: K, apply: (detail: AuthProxyEventDetails[K]) => void): void => {
    auth.addEventListener(
      type,
      (event) => {
        apply(event.detail);
        render();
      },
      { signal },
    );
  };
  on('refresh-started', (detail) => timeline.started(detail));
  on('token-refreshed', (detail) => timeline.refreshed(detail));
  on('refresh-failed', (detail) => timeline.failed(detail));
  on('session-expired', (detail) => timeline.sessionExpired(detail));
  on('state-changed', (detail) => timeline.stateChanged(detail));
  auth.ready.then(
    (info) => {
      ownClientId = info.clientId;
      render();
    },
    () => undefined,
  );
  render();
}
