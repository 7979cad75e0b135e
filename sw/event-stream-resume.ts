import { endWhenSilent } from './end-when-silent.js';
import { EventIdParser } from './event-id-parser.js';

export interface EventStreamResumeOptions {
  /** End a stream that delivered nothing this long (`eventStreams.idleTimeoutMs`); `null`: never. */
  idleTimeoutMs: number | null;
  /** A stream was ended for its silence; its reconnect resumes from the id tracked so far. */
  onStalled: (url: string, clientId: string, idleMs: number) => void;
}

/**
 * Puts `Last-Event-ID` back on EventSource reconnects that pass through the worker.
 *
 * Chromium leaves that header out of the request a service worker sees (observed in Chromium 156:
 * without a worker the reconnect carries it; the FetchEvent's request, and so `fetch(event.request)`,
 * does not), so a proxied EventSource would start from the first event after every reconnect and
 * a server's resume-after-id could never work. The worker sees the stream go by, so it keeps the
 * last event ID the way the browser does (WHATWG HTML, "Interpreting an event stream": set from
 * the `id` field at each dispatch, an empty `id` resets it) and restores it on the next request
 * for the same page and URL, if the stream before it ended on the server's or the network's side.
 * A stream the page closed (its body cancelled) is forgotten, so a new EventSource starts afresh.
 *
 * With an idle timeout, a stream that goes silent is ended here (see end-when-silent.ts): it
 * counts as ended on the server's side, so the EventSource's reconnect gets its `Last-Event-ID`
 * back like any other.
 */
export class EventStreamResume {
  readonly #streams = new Map<string, StreamRecord>();
  readonly #options: EventStreamResumeOptions;

  constructor(options: EventStreamResumeOptions) {
    this.#options = options;
  }

  /** `request`, or a copy with `Last-Event-ID` when it reconnects an ended stream. */
  restore(request: Request, clientId: string): Request {
    if (!isEventStreamRequest(request) || request.headers.has('last-event-id')) return request;
    const record = this.#streams.get(streamKey(clientId, request.url));
    if (record === undefined || record.open || record.lastEventId === '') return request;
    const headers = new Headers(request.headers);
    headers.set('last-event-id', record.lastEventId);
    return new Request(request, { headers, referrer: request.referrer, referrerPolicy: request.referrerPolicy });
  }

  /** The response with its event ids watched on the way through; every chunk is passed on as it comes. */
  track(response: Response, request: Request, clientId: string): Response {
    const type = response.headers.get('content-type') ?? '';
    if (!isEventStreamRequest(request) || !response.ok || response.body === null || !/^text\/event-stream\b/i.test(type)) {
      return response;
    }
    const key = streamKey(clientId, request.url);
    const record: StreamRecord = { lastEventId: request.headers.get('last-event-id') ?? '', open: true, endedAt: 0 };
    this.#prune();
    this.#streams.set(key, record);
    const parser = new EventIdParser(record.lastEventId);
    const { idleTimeoutMs, onStalled } = this.#options;
    const source =
      idleTimeoutMs === null
        ? response.body
        : endWhenSilent(response.body, idleTimeoutMs, () => onStalled(request.url, clientId, idleTimeoutMs));
    const reader = source.getReader();
    const end = (): void => {
      record.open = false;
      record.endedAt = Date.now();
    };
    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await reader.read();
          } catch (error) {
            end();
            controller.error(error);
            return;
          }
          if (result.done) {
            record.lastEventId = parser.finish();
            end();
            controller.close();
            return;
          }
          record.lastEventId = parser.push(result.value);
          controller.enqueue(result.value);
        },
        cancel: (reason) => {
          // The page closed its EventSource (or went away): no reconnect will follow.
          this.#streams.delete(key);
          return reader.cancel(reason);
        },
      },
      // Pull only when the page reads: nothing is held in the worker.
      { highWaterMark: 0 },
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  /** Ended streams are only worth keeping for a reconnect; a few minutes is plenty. */
  #prune(): void {
    const cutoff = Date.now() - ENDED_STREAM_TTL_MS;
    for (const [key, record] of this.#streams) {
      if (!record.open && record.endedAt < cutoff) this.#streams.delete(key);
    }
    while (this.#streams.size >= MAX_STREAMS) {
      const oldest = this.#streams.keys().next().value;
      if (oldest === undefined) break;
      this.#streams.delete(oldest);
    }
  }
}

interface StreamRecord {
  lastEventId: string;
  open: boolean;
  endedAt: number;
}

const ENDED_STREAM_TTL_MS = 5 * 60 * 1000;
const MAX_STREAMS = 100;

function streamKey(clientId: string, url: string): string {
  return `${clientId} ${url}`;
}

/** A GET that asks for `text/event-stream`: the only requests `restore` and `track` change. */
export function isEventStreamRequest(request: Request): boolean {
  return request.method === 'GET' && /\btext\/event-stream\b/i.test(request.headers.get('accept') ?? '');
}
