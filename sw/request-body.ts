import type { ReplaySkipReason } from './protocol.js';

/** What a send after the first can carry: the body's bytes, no body, or why there are none. */
export type BodyCopy = ArrayBuffer | null | ReplaySkipReason;

export interface BodyLimits {
  /** The copy stops past this many bytes: `body-too-large`. */
  maxBytes: number;
  /** The copy stops when the body has not ended this long after the request began: `body-streaming`. */
  timeoutMs: number;
}

/**
 * A protected request's body, for every send of the request. The first send carries the page's
 * own body, at once; a copy is read beside it, so a replay after a 401 (or a DPoP nonce retry, or
 * an `apiRetry`) sends the same bytes: JSON, text, binary, multipart with its boundary (the
 * Content-Type travels with the headers).
 *
 * Why not read the body first and send the bytes: inside a worker a stream body and a Blob body
 * look alike (same `body`, `duplex`, headers), and only reading tells them apart. A stream the
 * page keeps open is never read to its end, so its request would never go out. Sent as it is, a
 * body does what it would without the proxy: a Blob, a string or a form goes; a stream goes where
 * the browser streams uploads (Chromium, over HTTP/2) and fails at once where it does not.
 */
export class RequestBody {
  readonly #copy: Promise<BodyCopy>;
  /** `null` for a request without a body: nothing is read, so nothing needs stopping. */
  readonly #release: AbortController | null;
  #sent = false;

  constructor(request: Request, limits: BodyLimits) {
    // Most protected requests are GETs: a GET or HEAD cannot have a body (the Request constructor
    // throws), and that test holds in Firefox too, where `request.body` is always undefined. No
    // controller, no read, one shared settled promise: this is on every request's path.
    if (request.method === 'GET' || request.method === 'HEAD' || request.body === null) {
      this.#release = null;
      this.#copy = NO_BODY;
      return;
    }
    this.#release = new AbortController();
    this.#copy = copyBody(request, limits, this.#release.signal);
  }

  /** The copy, once it is whole or has been given up (at most `timeoutMs` after the request began). */
  copy(): Promise<BodyCopy> {
    return this.#copy;
  }

  /**
   * The bytes the next send carries instead of the request's own body: `null` for the first send
   * (its own body goes), then the copy. A later send is made only after `copy()` gave bytes.
   */
  async forSend(): Promise<ArrayBuffer | null> {
    if (!this.#sent) {
      this.#sent = true;
      return null;
    }
    const copy = await this.#copy;
    if (typeof copy === 'string') throw new TypeError(`Failed to send a request again: its body was not kept (${copy})`);
    return copy;
  }

  /** No more sends: stop copying (the first send's own body is not affected). */
  release(): void {
    this.#release?.abort();
  }
}

const NO_BODY: Promise<BodyCopy> = Promise.resolve(null);

/**
 * Read a clone of the body, so the original stays whole for the first send. `null` means the
 * request has no body.
 */
async function copyBody(request: Request, { maxBytes, timeoutMs }: BodyLimits, released: AbortSignal): Promise<BodyCopy> {
  // Firefox has no `Request.prototype.body`: `request.body` is undefined there for every request,
  // with or without a body (https://github.com/mdn/content/issues/30104).
  if (request.body === undefined) return copyWithoutBodyStream(request, maxBytes, timeoutMs);
  if (request.body === null) return null;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = request.clone().body!.getReader();
  } catch {
    return 'body-unreadable'; // already disturbed or locked
  }
  // Cancelling this branch of the clone's tee leaves the original's branch flowing.
  let stopped: ReplaySkipReason | null = null;
  const stop = (reason: ReplaySkipReason) => {
    if (stopped !== null) return;
    stopped = reason;
    void reader.cancel().catch(() => undefined);
  };
  const timer = setTimeout(() => stop('body-streaming'), timeoutMs);
  const onRelease = () => stop('body-streaming');
  released.addEventListener('abort', onRelease, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (stopped !== null) return stopped;
      if (done) break;
      size += value.byteLength;
      // Stop reading: the tee behind clone() would otherwise hold the whole body twice.
      if (size > maxBytes) {
        stop('body-too-large');
        return 'body-too-large';
      }
      chunks.push(value);
    }
  } catch {
    return stopped ?? 'body-unreadable';
  } finally {
    clearTimeout(timer);
    released.removeEventListener('abort', onRelease);
  }
  return join(chunks, size);
}

function join(chunks: Uint8Array[], size: number): ArrayBuffer {
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return only.byteOffset === 0 && only.byteLength === only.buffer.byteLength
      ? (only.buffer as ArrayBuffer)
      : (only.slice().buffer as ArrayBuffer);
  }
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined.buffer;
}

/**
 * The same copy for an engine without request body streams. Such an engine cannot send a stream
 * body either (Firefox sends the text "[object ReadableStream]"), so every body there is bytes the
 * engine already holds: a Blob of a clone gives its size before any of it is copied into script
 * memory. A request without a body cannot be told from an empty one there, so an empty body of a
 * method that may carry one is kept as zero bytes (a replay then sends `Content-Length: 0`, as a
 * POST or PUT without a body does anyway).
 */
async function copyWithoutBodyStream(request: Request, maxBytes: number, timeoutMs: number): Promise<BodyCopy> {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<ReplaySkipReason>((resolve) => (timer = setTimeout(() => resolve('body-streaming'), timeoutMs)));
  const read = async (): Promise<BodyCopy> => {
    let blob: Blob;
    try {
      blob = await request.clone().blob();
    } catch {
      return 'body-unreadable'; // already used
    }
    if (blob.size > maxBytes) return 'body-too-large';
    try {
      return await blob.arrayBuffer();
    } catch {
      return 'body-unreadable';
    }
  };
  try {
    return await Promise.race([read(), late]);
  } finally {
    clearTimeout(timer);
  }
}
