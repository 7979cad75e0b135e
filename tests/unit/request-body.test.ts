import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestBody } from '../../sw/request-body.js';

const URL_ = 'https://api.example.com/api/upload';

/** A request whose body arrives as the given chunks, like an upload streamed by the page. */
function streamedRequest(chunks: Uint8Array[], { failAfter }: { failAfter?: number } = {}): Request {
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && index === failAfter) {
        controller.error(new TypeError('connection reset'));
      } else if (index < chunks.length) {
        controller.enqueue(chunks[index++]!);
      } else {
        controller.close();
      }
    },
  });
  // `duplex` is required for a stream body but not yet in TypeScript's RequestInit.
  return new Request(URL_, { method: 'POST', body, duplex: 'half' } as RequestInit);
}

/** The copy a request's body keeps for a replay, with a deadline far beyond these tests. */
function copyOf(request: Request, maxBytes: number) {
  return new RequestBody(request, { maxBytes, timeoutMs: 60_000 }).copy();
}

function bytes(buffer: unknown): number[] {
  expect(buffer).toBeInstanceOf(ArrayBuffer);
  return [...new Uint8Array(buffer as ArrayBuffer)];
}

describe('RequestBody: the copy', () => {
  it('is null for a request without a body', async () => {
    expect(await copyOf(new Request(URL_), 1024)).toBeNull();
    expect(await copyOf(new Request(URL_, { method: 'DELETE' }), 1024)).toBeNull();
  });

  it('keeps an empty body as zero bytes, not as no body', async () => {
    const body = await copyOf(new Request(URL_, { method: 'POST', body: '' }), 1024);
    expect(bytes(body)).toEqual([]);
  });

  it('reads every byte value exactly', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytes(await copyOf(new Request(URL_, { method: 'POST', body: all }), 1024))).toEqual([...all]);
  });

  it('joins a body that arrives in several chunks', async () => {
    const request = streamedRequest([Uint8Array.of(1, 2, 3), Uint8Array.of(), Uint8Array.of(4), Uint8Array.of(5, 6)]);
    expect(bytes(await copyOf(request, 1024))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('copies out only the chunk`s own bytes when the chunk is a view into a larger buffer', async () => {
    const backing = Uint8Array.from({ length: 100 }, (_, i) => i);
    const request = streamedRequest([backing.subarray(10, 14)]);
    expect(bytes(await copyOf(request, 1024))).toEqual([10, 11, 12, 13]);
  });

  it('leaves the original body untouched for the first send', async () => {
    const request = new Request(URL_, { method: 'POST', body: 'hello ✓' });
    await copyOf(request, 1024);
    expect(request.bodyUsed).toBe(false);
    expect(await request.text()).toBe('hello ✓');
  });

  it('keeps a body of exactly maxBytes and refuses one byte more', async () => {
    const limit = new Uint8Array(64).fill(7);
    expect(bytes(await copyOf(new Request(URL_, { method: 'POST', body: limit }), 64))).toHaveLength(64);
    expect(await copyOf(new Request(URL_, { method: 'POST', body: new Uint8Array(65) }), 64)).toBe('body-too-large');
  });

  it('stops reading a streamed body at the limit, and the original can still be sent whole', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => new Uint8Array(16).fill(i));
    const request = streamedRequest(chunks);
    expect(await copyOf(request, 40)).toBe('body-too-large');
    const sent = new Uint8Array(await request.arrayBuffer());
    expect(sent).toHaveLength(160);
    expect(sent[159]).toBe(9);
  });

  it('reports a body that was already read as unreadable', async () => {
    const request = new Request(URL_, { method: 'POST', body: 'once' });
    await request.text();
    expect(await copyOf(request, 1024)).toBe('body-unreadable');
  });

  it('reports a stream that fails midway as unreadable', async () => {
    const request = streamedRequest([Uint8Array.of(1), Uint8Array.of(2)], { failAfter: 1 });
    expect(await copyOf(request, 1024)).toBe('body-unreadable');
  });
});

/**
 * Firefox has no `Request.prototype.body`. Node's Request does, so take it away for these tests:
 * the same reads must come out byte for byte without it.
 */
describe('RequestBody: the copy in an engine without Request.prototype.body (Firefox)', () => {
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, 'body')!;
  beforeAll(() => void delete (Request.prototype as { body?: unknown }).body);
  afterAll(() => void Object.defineProperty(Request.prototype, 'body', descriptor));

  it('really runs without the body getter', () => {
    expect('body' in Request.prototype).toBe(false);
    expect(new Request(URL_, { method: 'POST', body: 'x' }).body).toBeUndefined();
  });

  it('is null for a GET or HEAD', async () => {
    expect(await copyOf(new Request(URL_), 1024)).toBeNull();
    expect(await copyOf(new Request(URL_, { method: 'HEAD' }), 1024)).toBeNull();
  });

  it('keeps JSON and text byte for byte', async () => {
    const json = JSON.stringify({ message: 'héllo ✓', list: [1, 2, 3] });
    const body = await copyOf(new Request(URL_, { method: 'POST', body: json, headers: { 'Content-Type': 'application/json' } }), 1024);
    expect(bytes(body)).toEqual([...new TextEncoder().encode(json)]);
  });

  it('keeps every byte value of a binary body', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytes(await copyOf(new Request(URL_, { method: 'PUT', body: all }), 1024))).toEqual([...all]);
  });

  it('keeps a multipart body with the boundary its Content-Type names', async () => {
    const form = new FormData();
    form.append('title', 'report ✓');
    form.append('file', new Blob([Uint8Array.of(0, 255, 13, 10)]), 'a.bin');
    const request = new Request(URL_, { method: 'POST', body: form });
    const expected = new Uint8Array(await request.clone().arrayBuffer());
    const boundary = /boundary=(.+)$/.exec(request.headers.get('content-type')!)![1]!;
    const body = await copyOf(request, 4096);
    expect(bytes(body)).toEqual([...expected]);
    expect(new TextDecoder().decode(body as ArrayBuffer)).toContain(`--${boundary}--`);
  });

  it('keeps an empty body of a POST as zero bytes', async () => {
    expect(bytes(await copyOf(new Request(URL_, { method: 'POST', body: '' }), 1024))).toEqual([]);
  });

  it('keeps a body of exactly maxBytes and refuses one byte more', async () => {
    expect(bytes(await copyOf(new Request(URL_, { method: 'POST', body: new Uint8Array(64) }), 64))).toHaveLength(64);
    expect(await copyOf(new Request(URL_, { method: 'POST', body: new Uint8Array(65) }), 64)).toBe('body-too-large');
  });

  it('leaves the original body untouched for the first send', async () => {
    const request = new Request(URL_, { method: 'POST', body: 'hello ✓' });
    await copyOf(request, 1024);
    expect(request.bodyUsed).toBe(false);
    expect(await request.text()).toBe('hello ✓');
  });

  it('reports a body that was already read as unreadable', async () => {
    const request = new Request(URL_, { method: 'POST', body: 'once' });
    await request.text();
    expect(await copyOf(request, 1024)).toBe('body-unreadable');
  });
});

/** A stream body the page keeps writing to (or not): `write` and `end` drive it. */
function openStreamRequest() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => void (cancelled = true),
  });
  const request = new Request(URL_, { method: 'POST', body, duplex: 'half' } as RequestInit);
  return {
    request,
    write: (...values: number[]) => controller.enqueue(Uint8Array.from(values)),
    end: () => controller.close(),
    cancelled: () => cancelled,
  };
}

describe('RequestBody: bodies that do not end', () => {
  afterEach(() => void vi.useRealTimers());

  it('gives up the copy of a body still open at timeoutMs (body-streaming); the original keeps flowing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stream = openStreamRequest();
    const body = new RequestBody(stream.request, { maxBytes: 1024, timeoutMs: 2000 });
    let copy: unknown = 'pending';
    void body.copy().then((value) => (copy = value));
    stream.write(1, 2);

    await vi.advanceTimersByTimeAsync(1999);
    expect(copy).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(copy).toBe('body-streaming');

    // The first send reads the request's own body: what came so far, and what the page writes next.
    const reader = stream.request.body!.getReader();
    expect([...(await reader.read()).value!]).toEqual([1, 2]);
    stream.write(3);
    expect([...(await reader.read()).value!]).toEqual([3]);
    expect(stream.cancelled()).toBe(false);
  });

  it('keeps a stream that ends before timeoutMs byte for byte, however slowly it came', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stream = openStreamRequest();
    const body = new RequestBody(stream.request, { maxBytes: 1024, timeoutMs: 2000 });
    for (const value of [1, 2, 3]) {
      stream.write(value);
      await vi.advanceTimersByTimeAsync(600);
    }
    stream.end();
    expect(bytes(await body.copy())).toEqual([1, 2, 3]);
  });

  it('stops copying once released; the original is not affected', async () => {
    const stream = openStreamRequest();
    const body = new RequestBody(stream.request, { maxBytes: 1024, timeoutMs: 60_000 });
    stream.write(9);
    body.release();
    expect(await body.copy()).toBe('body-streaming');
    const reader = stream.request.body!.getReader();
    expect([...(await reader.read()).value!]).toEqual([9]);
    expect(stream.cancelled()).toBe(false);
  });
});

describe('RequestBody: what each send carries', () => {
  it('the first send its own body (null: nothing to set), every later one the copy', async () => {
    const body = new RequestBody(new Request(URL_, { method: 'POST', body: 'abc' }), { maxBytes: 1024, timeoutMs: 60_000 });
    expect(await body.forSend()).toBeNull();
    expect(new TextDecoder().decode((await body.forSend())!)).toBe('abc');
    expect(new TextDecoder().decode((await body.forSend())!)).toBe('abc');
  });

  it('a later send of a body that was not kept fails instead of sending something else', async () => {
    const body = new RequestBody(new Request(URL_, { method: 'POST', body: new Uint8Array(65) }), { maxBytes: 64, timeoutMs: 60_000 });
    await body.forSend();
    await expect(body.forSend()).rejects.toThrow('Failed to send a request again: its body was not kept (body-too-large)');
  });
});
