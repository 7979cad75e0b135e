import { absoluteUrl, type PageRoute } from './protect-fetch.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/** The reconnection time until the server sends `retry:` (the standard leaves it to the browser; Chromium's). */
const DEFAULT_RETRY_MS = 3000;

/** The constructor's shape, named apart: the class below takes the global's name. */
type EventSourceConstructor = typeof EventSource;

/**
 * The event-stream parser of the HTML standard ("Interpreting an event stream"): lines end in CR,
 * LF or CRLF, possibly split across chunks; `data` lines join with LF; a blank line dispatches.
 */
class EventStreamParser {
  readonly #decoder = new TextDecoder();
  #pending = '';
  #data = '';
  #type = '';
  #id: string;
  readonly #dispatch: (type: string, data: string, lastEventId: string) => void;
  readonly #retry: (ms: number) => void;

  constructor(lastEventId: string, dispatch: (type: string, data: string, lastEventId: string) => void, retry: (ms: number) => void) {
    this.#id = lastEventId;
    this.#dispatch = dispatch;
    this.#retry = retry;
  }

  get lastEventId(): string {
    return this.#id;
  }

  push(chunk: Uint8Array): void {
    let text = this.#pending + this.#decoder.decode(chunk, { stream: true });
    // The byte order mark is stripped once, at the start of the stream.
    if (this.#pending === '' && text.startsWith('\uFEFF')) text = text.slice(1);
    // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
    const complete = text.endsWith('\r') ? text.length - 1 : text.length;
    const lines = text.slice(0, complete).split(/\r\n|\r|\n/);
    this.#pending = lines.pop()! + text.slice(complete);
    for (const line of lines) this.#line(line);
  }

  #line(line: string): void {
    if (line === '') {
      const data = this.#data;
      const type = this.#type || 'message';
      this.#data = '';
      this.#type = '';
      if (data !== '') this.#dispatch(type, data.endsWith('\n') ? data.slice(0, -1) : data, this.#id);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') this.#data += `${value}\n`;
    else if (name === 'event') this.#type = value;
    else if (name === 'id' && !value.includes('\0')) this.#id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) this.#retry(Number(value));
  }
}

/**
 * Put the engine in front of `EventSource` for the URLs it protects. A page cannot give an
 * EventSource a header, so in page mode a protected stream is read with `fetch` through the
 * engine instead (the token attached, a 401 refreshed and replayed like any request), and
 * reported the way an EventSource reports it: `open`, a `MessageEvent` per event with its type
 * and `lastEventId`, `error` and a reconnect (after the server's `retry:`) with `Last-Event-ID`
 * when the stream ends or the network fails, and `CLOSED` without a reconnect when the answer
 * is not a `200 text/event-stream` (a 401 the engine could not cure, too). Any other URL gets
 * the native EventSource.
 *
 * @returns what undoes it: the native constructor comes back if it is still ours.
 */
export function protectEventSource(target: { EventSource: EventSourceConstructor }, route: PageRoute, base: () => string): () => void {
  const Native = target.EventSource;
  let active = true;

  class ProtectedEventSource extends EventTarget {
    static readonly CONNECTING = CONNECTING;
    static readonly OPEN = OPEN;
    static readonly CLOSED = CLOSED;
    readonly CONNECTING = CONNECTING;
    readonly OPEN = OPEN;
    readonly CLOSED = CLOSED;
    readonly url: string;
    readonly withCredentials: boolean;
    onopen: ((this: EventSource, event: Event) => unknown) | null = null;
    onmessage: ((this: EventSource, event: MessageEvent) => unknown) | null = null;
    onerror: ((this: EventSource, event: Event) => unknown) | null = null;
    #state = CONNECTING;
    #retryMs = DEFAULT_RETRY_MS;
    #lastEventId = '';
    readonly #closed = new AbortController();

    constructor(url: string, withCredentials: boolean) {
      super();
      this.url = url;
      this.withCredentials = withCredentials;
      // As a native EventSource does: the first connection starts after the constructor returns.
      queueMicrotask(() => void this.#run());
    }

    get readyState(): number {
      return this.#state;
    }

    close(): void {
      this.#state = CLOSED;
      this.#closed.abort();
    }

    override dispatchEvent(event: Event): boolean {
      const handler =
        event.type === 'open' ? this.onopen : event.type === 'message' ? this.onmessage : event.type === 'error' ? this.onerror : null;
      const delivered = super.dispatchEvent(event);
      if (handler) (handler as (event: Event) => unknown).call(this, event);
      return delivered;
    }

    async #run(): Promise<void> {
      const signal = this.#closed.signal;
      while (!signal.aborted) {
        const outcome = await this.#connect(signal);
        if (signal.aborted) return;
        if (outcome === 'failed') {
          this.#state = CLOSED;
          this.dispatchEvent(new Event('error'));
          return;
        }
        this.#state = CONNECTING;
        this.dispatchEvent(new Event('error'));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#retryMs);
          const stop = (): void => {
            clearTimeout(timer);
            resolve();
          };
          signal.addEventListener('abort', stop, { once: true });
        });
      }
    }

    /** One connection: `'ended'` (reconnect) when the stream ends or the network fails, `'failed'` when the answer is not a stream. */
    async #connect(signal: AbortSignal): Promise<'ended' | 'failed'> {
      const headers = new Headers({ accept: 'text/event-stream' });
      if (this.#lastEventId !== '') headers.set('last-event-id', this.#lastEventId);
      const request = new Request(this.url, {
        headers,
        cache: 'no-store',
        credentials: this.withCredentials ? 'include' : 'same-origin',
        signal,
      });
      let response: Response;
      try {
        response = await (route.respond(request) ?? fetch(request));
      } catch {
        return 'ended';
      }
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200 || !/^text\/event-stream\s*(;|$)/i.test(type) || response.body === null) {
        void response.body?.cancel().catch(() => undefined);
        return 'failed';
      }
      this.#state = OPEN;
      this.dispatchEvent(new Event('open'));
      const origin = new URL(response.url || this.url).origin;
      const parser = new EventStreamParser(
        this.#lastEventId,
        (eventType, data, lastEventId) => {
          this.#lastEventId = lastEventId;
          if (!signal.aborted) this.dispatchEvent(new MessageEvent(eventType, { data, lastEventId, origin }));
        },
        (ms) => (this.#retryMs = ms),
      );
      const reader = response.body.getReader();
      try {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) break;
          parser.push(chunk.value);
        }
      } catch {
        // A network failure mid-stream: reconnect, as after an end.
      }
      // An `id` without a dispatch still counts for the reconnect.
      this.#lastEventId = parser.lastEventId;
      return 'ended';
    }
  }

  function EventSource(this: unknown, url: string | URL, init?: EventSourceInit): EventSource {
    if (new.target === undefined) throw new TypeError("Failed to construct 'EventSource': Please use the 'new' operator.");
    const href = absoluteUrl(url, base());
    if (!active || href === null || !route.handles(href) || !route.claims('GET', href)) return new Native(url, init);
    return new ProtectedEventSource(href, init?.withCredentials === true) as unknown as EventSource;
  }
  Object.defineProperties(EventSource, {
    CONNECTING: { value: CONNECTING },
    OPEN: { value: OPEN },
    CLOSED: { value: CLOSED },
    prototype: { value: Native.prototype },
    // `source instanceof EventSource` holds for both kinds.
    [Symbol.hasInstance]: { value: (value: unknown) => value instanceof Native || value instanceof ProtectedEventSource },
  });
  const replacement = EventSource as unknown as EventSourceConstructor;
  target.EventSource = replacement;
  return () => {
    active = false;
    if (target.EventSource === replacement) target.EventSource = Native;
  };
}
