import { absoluteUrl, type PageRoute } from './protect-fetch.js';

/** The native constructor (named apart: the subclass below takes the global's name). */
type XhrConstructor = typeof XMLHttpRequest;

const UNSENT = 0;
const OPENED = 1;
const HEADERS_RECEIVED = 2;
const LOADING = 3;
const DONE = 4;

/** One protected XHR, carried out by the engine over `fetch`. */
interface Call {
  method: string;
  url: string;
  headers: Headers;
  state: number;
  sent: boolean;
  /** Done, failed or aborted: nothing more is reported for it (an abort's fetch rejects later). */
  ended: boolean;
  controller: AbortController;
  response: Response | null;
  chunks: Uint8Array[];
  loaded: number;
  /** The body decoded so far, for `responseText` while loading. */
  text: string;
  decoder: TextDecoder;
  bytes: Uint8Array<ArrayBuffer> | null;
}

const invalidState = (what: string): DOMException =>
  new DOMException(`Failed to ${what}: the object's state must be OPENED.`, 'InvalidStateError');

/**
 * Put the engine in front of `XMLHttpRequest` for the URLs it protects. `target.XMLHttpRequest`
 * becomes a subclass of the native one: a request to any other URL (or a synchronous one, or one
 * with credentials in `open`) is the native XHR itself, untouched. A protected one is carried out
 * by the engine over `fetch`, so it gets the same token, refresh, replay and body rules as a
 * `fetch` call, and the object reports it the way an XHR does: `readyState` steps and
 * `readystatechange`, `loadstart`/`progress`/`load`/`error`/`abort`/`timeout`/`loadend`, status,
 * headers and the response in each `responseType`.
 *
 * A page script cannot set the request's Authorization on an XHR it does not own, nor read it:
 * the token is attached inside the engine, as for `fetch`.
 *
 * @returns what undoes it: the native constructor comes back if it is still ours; objects made
 *   before go on working, as native XHRs from then on.
 */
export function protectXhr(target: { XMLHttpRequest: XhrConstructor }, route: PageRoute, base: () => string): () => void {
  const Native = target.XMLHttpRequest;
  let active = true;

  class XMLHttpRequest extends Native {
    #call: Call | null = null;

    override open(method: string, url: string | URL, async = true, username?: string | null, password?: string | null): void {
      // Opening again ends a request under way without an event, as the standard's open() does.
      this.#terminate();
      const href = absoluteUrl(url, base());
      const upper = method.toUpperCase();
      // Sync XHR cannot wait for a refresh; user/password in `open` are the app's own credentials.
      const ours =
        active && async && href !== null && username == null && password == null && route.handles(href) && route.claims(upper, href);
      if (!ours) {
        this.#call = null;
        if (arguments.length <= 2) super.open(method, url);
        else super.open(method, url, async, username, password);
        return;
      }
      this.#call = {
        // The methods fetch normalises; anything else keeps its case, as XHR sends it.
        method: /^(?:DELETE|GET|HEAD|OPTIONS|POST|PUT|PATCH)$/.test(upper) ? upper : method,
        url: href,
        headers: new Headers(),
        state: OPENED,
        sent: false,
        ended: false,
        controller: new AbortController(),
        response: null,
        chunks: [],
        loaded: 0,
        text: '',
        decoder: new TextDecoder(),
        bytes: null,
      };
      this.#changeState(OPENED);
    }

    override setRequestHeader(name: string, value: string): void {
      const call = this.#call;
      if (call === null) return super.setRequestHeader(name, value);
      if (call.state !== OPENED || call.sent) throw invalidState("execute 'setRequestHeader' on 'XMLHttpRequest'");
      // XHR joins repeated headers with ", " as Headers.append does; forbidden names are dropped by fetch.
      call.headers.append(name, value);
    }

    override send(body?: Document | XMLHttpRequestBodyInit | null): void {
      const call = this.#call;
      if (call === null) return super.send(body);
      if (call.state !== OPENED || call.sent) throw invalidState("execute 'send' on 'XMLHttpRequest'");
      call.sent = true;
      const withBody = body !== undefined && body !== null && call.method !== 'GET' && call.method !== 'HEAD';
      const sentBody = withBody ? serialise(body) : null;
      if (sentBody !== null && typeof sentBody === 'string' && !call.headers.has('content-type') && isDocument(body)) {
        call.headers.set('content-type', 'application/xml;charset=UTF-8');
      }
      this.#progress(this, 'loadstart', call);
      if (withBody) this.#progress(this.upload, 'loadstart', call);
      const timeout = this.timeout;
      const signal = timeout > 0 ? AbortSignal.any([call.controller.signal, AbortSignal.timeout(timeout)]) : call.controller.signal;
      let request: Request;
      try {
        request = new Request(call.url, {
          method: call.method,
          headers: call.headers,
          body: sentBody,
          credentials: this.withCredentials ? 'include' : 'same-origin',
          signal,
        });
      } catch {
        queueMicrotask(() => this.#fail(call, 'error'));
        return;
      }
      const answer = route.respond(request) ?? fetch(request);
      void this.#receive(call, answer, withBody).catch(() => {
        if (this.#call !== call || call.ended) return;
        this.#fail(call, call.controller.signal.aborted ? 'abort' : signal.aborted ? 'timeout' : 'error');
      });
    }

    override abort(): void {
      if (this.#call === null) return super.abort();
      this.#abortCall();
    }

    override getResponseHeader(name: string): string | null {
      const call = this.#call;
      if (call === null) return super.getResponseHeader(name);
      return call.state >= HEADERS_RECEIVED && call.response ? call.response.headers.get(name) : null;
    }

    override getAllResponseHeaders(): string {
      const call = this.#call;
      if (call === null) return super.getAllResponseHeaders();
      if (call.state < HEADERS_RECEIVED || !call.response) return '';
      let all = '';
      // Headers iterate lower-cased and sorted, with repeated values joined: XHR's own format.
      call.response.headers.forEach((value, name) => (all += `${name}: ${value}\r\n`));
      return all;
    }

    override get readyState(): number {
      return this.#call === null ? super.readyState : this.#call.state;
    }

    override get status(): number {
      const call = this.#call;
      if (call === null) return super.status;
      return call.state >= HEADERS_RECEIVED && call.response ? call.response.status : 0;
    }

    override get statusText(): string {
      const call = this.#call;
      if (call === null) return super.statusText;
      return call.state >= HEADERS_RECEIVED && call.response ? call.response.statusText : '';
    }

    override get responseURL(): string {
      const call = this.#call;
      if (call === null) return super.responseURL;
      return call.response ? call.response.url || call.url : '';
    }

    override get responseText(): string {
      const call = this.#call;
      if (call === null) return super.responseText;
      if (this.responseType !== '' && this.responseType !== 'text') {
        throw new DOMException(`Failed to read 'responseText': the responseType is '${this.responseType}'.`, 'InvalidStateError');
      }
      return call.state >= LOADING ? call.text : '';
    }

    override get response(): unknown {
      const call = this.#call;
      if (call === null) return super.response as unknown;
      const type = this.responseType;
      if (type === '' || type === 'text') return this.responseText;
      if (call.state !== DONE || call.bytes === null) return null;
      const contentType = call.response?.headers.get('content-type') ?? '';
      switch (type) {
        case 'arraybuffer':
          return call.bytes.buffer;
        case 'blob':
          return new Blob([call.bytes], { type: contentType });
        case 'json':
          try {
            return JSON.parse(call.text) as unknown;
          } catch {
            return null;
          }
        case 'document':
          return parseDocument(call.text, contentType);
        default:
          return null;
      }
    }

    override get responseXML(): Document | null {
      const call = this.#call;
      if (call === null) return super.responseXML;
      if (call.state !== DONE) return null;
      return parseDocument(call.text, call.response?.headers.get('content-type') ?? '');
    }

    async #receive(call: Call, answer: Promise<Response>, withBody: boolean): Promise<void> {
      const response = await answer;
      if (this.#call !== call || call.ended) {
        void response.body?.cancel().catch(() => undefined);
        return;
      }
      // A network error (a refused redirect included): what a native XHR reports as `error`.
      if (response.type === 'error') throw new TypeError('network error');
      if (withBody) {
        this.#progress(this.upload, 'progress', call);
        this.#progress(this.upload, 'load', call);
        this.#progress(this.upload, 'loadend', call);
      }
      call.response = response;
      this.#changeState(HEADERS_RECEIVED);
      const reader = response.body?.getReader();
      for (;;) {
        const chunk = reader ? await reader.read() : { done: true as const };
        if (this.#call !== call || call.ended) {
          void reader?.cancel().catch(() => undefined);
          return;
        }
        if (chunk.done) break;
        call.chunks.push(chunk.value);
        call.loaded += chunk.value.byteLength;
        call.text += call.decoder.decode(chunk.value, { stream: true });
        // XHR fires readystatechange for every chunk, not only when the state changes.
        this.#changeState(LOADING);
        this.#progress(this, 'progress', call);
      }
      call.text += call.decoder.decode();
      call.bytes = concat(call.chunks, call.loaded);
      call.chunks = [];
      if (call.state < LOADING) this.#changeState(LOADING);
      call.ended = true;
      this.#changeState(DONE);
      this.#progress(this, 'load', call);
      this.#progress(this, 'loadend', call);
    }

    /** The request error steps: DONE, then `abort`, `timeout` or `error`, then `loadend` (upload first). */
    #fail(call: Call, kind: 'abort' | 'timeout' | 'error'): void {
      call.ended = true;
      call.response = null;
      call.text = '';
      call.bytes = null;
      this.#changeState(DONE);
      this.#progress(this, kind, call, true);
      this.#progress(this, 'loadend', call, true);
    }

    /** abort(): a request under way fails with `abort`; one done goes back to UNSENT; one not sent yet is left as it is. */
    #abortCall(): void {
      const call = this.#call;
      if (call === null || !call.sent) return;
      call.controller.abort();
      if (!call.ended) this.#fail(call, 'abort');
      // An aborted XHR ends UNSENT, without an event.
      call.state = UNSENT;
    }

    #terminate(): void {
      const call = this.#call;
      if (call === null) return;
      call.ended = true;
      call.controller.abort();
    }

    #changeState(state: number): void {
      if (this.#call) this.#call.state = state;
      this.dispatchEvent(new Event('readystatechange'));
    }

    #progress(on: EventTarget, type: string, call: Call, failed = false): void {
      const total = Number(call.response?.headers.get('content-length') ?? 0) || 0;
      const loaded = failed ? 0 : call.loaded;
      on.dispatchEvent(new ProgressEvent(type, { lengthComputable: total > 0 && !failed, loaded, total: failed ? 0 : total }));
    }
  }

  target.XMLHttpRequest = XMLHttpRequest;
  return () => {
    active = false;
    if (target.XMLHttpRequest === XMLHttpRequest) target.XMLHttpRequest = Native;
  };
}

function isDocument(body: unknown): body is Document {
  return typeof Document !== 'undefined' && body instanceof Document;
}

/** XHR sends a Document serialised; every other body type fetch takes as it is. */
function serialise(body: Document | XMLHttpRequestBodyInit): BodyInit {
  return isDocument(body) ? new XMLSerializer().serializeToString(body) : body;
}

function parseDocument(text: string, contentType: string): Document | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html') return new DOMParser().parseFromString(text, 'text/html');
  if (type === 'text/xml' || type === 'application/xml' || type.endsWith('+xml')) {
    return new DOMParser().parseFromString(text, type === 'text/xml' ? 'text/xml' : 'application/xml');
  }
  return null;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
