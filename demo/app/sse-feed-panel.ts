import { byId } from './by-id.js';
import { element } from './element.js';
import { formatClockTime } from './format-time.js';

/** `data:` of the stream's `tick` events (demo/server/event-stream.ts). */
interface Tick {
  id: number;
  sub: string;
}

const SHOWN_TICKS = 6;

/**
 * A live `EventSource('/api/events')`. The server ends the stream when the access token it was
 * opened with expires; the browser reconnects with `Last-Event-ID`, the worker refreshes and
 * replays that request, and the ticks go on without a gap. The reconnect count shows it happening.
 */
export function mountSseFeedPanel(signal: AbortSignal): void {
  const connect = byId('sse-connect', HTMLButtonElement);
  const disconnect = byId('sse-disconnect', HTMLButtonElement);
  const state = byId('sse-state', HTMLElement);
  const facts = byId('sse-facts', HTMLElement);
  const list = byId('sse-ticks', HTMLOListElement);
  let source: EventSource | undefined;

  const setState = (text: 'connecting' | 'open' | 'reconnecting' | 'closed'): void => {
    state.textContent = text;
    state.className = `pill ${text}`;
    connect.disabled = text !== 'closed';
    disconnect.disabled = text === 'closed';
  };

  const open = (): void => {
    source?.close();
    const events = new EventSource('/api/events');
    source = events;
    let opens = 0;
    let ticks = 0;
    let pings = 0;
    let lastId = '—';
    const showFacts = (): void => {
      facts.dataset['ticks'] = String(ticks);
      facts.textContent = `${ticks} ticks · last id ${lastId} · ${pings} pings · ${Math.max(0, opens - 1)} reconnects`;
    };
    setState('connecting');
    showFacts();
    events.addEventListener('open', () => {
      opens += 1;
      setState('open');
      showFacts();
    });
    events.addEventListener('tick', (event) => {
      const tick = JSON.parse(event.data as string) as Tick;
      ticks += 1;
      lastId = event.lastEventId;
      list.prepend(element('li', {}, element('b', {}, `#${tick.id}`), ` for ${tick.sub} at ${formatClockTime(Date.now())}`));
      while (list.children.length > SHOWN_TICKS) list.lastElementChild?.remove();
      showFacts();
    });
    events.addEventListener('ping', () => {
      pings += 1;
      showFacts();
    });
    // The browser retries a dropped stream by itself (CONNECTING); a non-200 answer, such as a 401
    // when nobody is logged in, closes it for good (CLOSED).
    events.addEventListener('error', () => {
      if (events.readyState === EventSource.CLOSED) {
        setState('closed');
        facts.textContent += ' · closed by an error answer (log in, then connect)';
      } else {
        setState('reconnecting');
      }
    });
  };

  const close = (): void => {
    source?.close();
    source = undefined;
    setState('closed');
  };

  connect.addEventListener('click', open, { signal });
  disconnect.addEventListener('click', close, { signal });
  signal.addEventListener('abort', close);
  setState('closed');
}
