import { describe, expect, it } from 'vitest';
import { holdWhileStreaming } from '../../sw/hold-while-streaming.js';

/** A streamed body whose chunks the test releases one at a time. */
function streamed(): { response: Response; push(text: string): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { status: 200, statusText: 'OK', headers: { 'Content-Type': 'text/plain' } }),
    push: (text) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
  };
}

/** The promises handed to keepAlive, and whether each has settled. */
function keepAlives(): { keepAlive: (done: Promise<unknown>) => void; held: Promise<unknown>[]; settled: () => boolean[] } {
  const held: Promise<unknown>[] = [];
  const states: boolean[] = [];
  return {
    held,
    keepAlive: (done) => {
      const index = held.push(done) - 1;
      states[index] = false;
      void done.then(() => (states[index] = true));
    },
    settled: () => [...states],
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('holdWhileStreaming', () => {
  it('keeps the worker alive until a streamed body ends, passing every chunk on as it comes', async () => {
    const source = streamed();
    const alive = keepAlives();
    const response = holdWhileStreaming(source.response, alive.keepAlive);
    expect(response).not.toBe(source.response);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    const reader = response.body!.getReader();

    source.push('Hello ');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('Hello ');
    await tick();
    expect(alive.settled()).toEqual([false]); // still streaming: the worker must not look idle

    source.push('world');
    source.end();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('world');
    expect((await reader.read()).done).toBe(true);
    await alive.held[0];
    expect(alive.settled()).toEqual([true]);
  });

  it('lets the worker go when the page cancels the body, and the cancel reaches the network stream', async () => {
    let cancelled: unknown = null;
    const body = new ReadableStream<Uint8Array>({ cancel: (reason) => void (cancelled = reason ?? 'cancelled') });
    const alive = keepAlives();
    const response = holdWhileStreaming(new Response(body), alive.keepAlive);
    await response.body!.cancel('page closed it');
    await alive.held[0];
    expect(cancelled).toBe('page closed it');
  });

  it('lets the worker go when the network stream fails', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    const alive = keepAlives();
    const response = holdWhileStreaming(new Response(body), alive.keepAlive);
    controller.error(new TypeError('connection reset'));
    await expect(response.text()).rejects.toThrow();
    await alive.held[0];
  });

  it('passes responses with a Content-Length or without a body on untouched', () => {
    const alive = keepAlives();
    const sized = new Response('{"ok":true}', { headers: { 'Content-Length': '11' } });
    const empty = new Response(null, { status: 204 });
    expect(holdWhileStreaming(sized, alive.keepAlive)).toBe(sized);
    expect(holdWhileStreaming(empty, alive.keepAlive)).toBe(empty);
    expect(alive.held).toEqual([]);
  });
});
