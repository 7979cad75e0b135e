import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endWhenSilent } from '../../sw/end-when-silent.js';

const IDLE_MS = 1000;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (chunk: Uint8Array | undefined): string => new TextDecoder().decode(chunk);

/** A source the test writes to, which records whether it was cancelled. */
function source() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const cancelled: unknown[] = [];
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: (reason) => void cancelled.push(reason),
  });
  return { body, write: (text: string) => controller.enqueue(bytes(text)), end: () => controller.close(), cancelled };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('endWhenSilent', () => {
  it('passes every chunk on, and bytes arriving inside the timeout keep the stream open', async () => {
    const upstream = source();
    const onSilent = vi.fn();
    const reader = endWhenSilent(upstream.body, IDLE_MS, onSilent).getReader();
    const received: string[] = [];
    for (const text of ['id: 1\ndata: a\n\n', ': keep-alive\n\n', 'event: ping\ndata: {}\n\n']) {
      const read = reader.read();
      await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
      upstream.write(text);
      received.push(decode((await read).value));
    }
    expect(received).toEqual(['id: 1\ndata: a\n\n', ': keep-alive\n\n', 'event: ping\ndata: {}\n\n']);
    expect(onSilent).not.toHaveBeenCalled();
    expect(upstream.cancelled).toEqual([]);
  });

  it('ends a silent stream once, as a server ends one, and lets its source go', async () => {
    const upstream = source();
    const onSilent = vi.fn();
    const reader = endWhenSilent(upstream.body, IDLE_MS, onSilent).getReader();
    upstream.write('id: 1\ndata: a\n\n');
    expect(decode((await reader.read()).value)).toBe('id: 1\ndata: a\n\n');

    const read = reader.read();
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(onSilent).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await read).toEqual({ done: true, value: undefined });
    expect(onSilent).toHaveBeenCalledTimes(1);
    expect(upstream.cancelled).toHaveLength(1);
    // Nothing is left to fire, and a late write of the dead source changes nothing.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * IDLE_MS);
    expect(onSilent).toHaveBeenCalledTimes(1);
  });

  it('does not judge the source while nobody reads: the clock starts when the reader asks', async () => {
    const upstream = source();
    const onSilent = vi.fn();
    const reader = endWhenSilent(upstream.body, IDLE_MS, onSilent).getReader();
    await vi.advanceTimersByTimeAsync(5 * IDLE_MS);
    expect(vi.getTimerCount()).toBe(0);
    upstream.write('data: late but fine\n\n');
    expect(decode((await reader.read()).value)).toBe('data: late but fine\n\n');
    expect(onSilent).not.toHaveBeenCalled();
  });

  it('forgets a stream the page closed: the source is cancelled and no timer is left', async () => {
    const upstream = source();
    const onSilent = vi.fn();
    const reader = endWhenSilent(upstream.body, IDLE_MS, onSilent).getReader();
    const pending = reader.read();
    await vi.advanceTimersByTimeAsync(IDLE_MS / 2);
    await reader.cancel('closed by the page');
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(upstream.cancelled).toEqual(['closed by the page']);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * IDLE_MS);
    expect(onSilent).not.toHaveBeenCalled();
  });

  it('a stream the server ended is closed as it was, with no timer left', async () => {
    const upstream = source();
    const onSilent = vi.fn();
    const reader = endWhenSilent(upstream.body, IDLE_MS, onSilent).getReader();
    upstream.write('id: 1\ndata: a\n\n');
    upstream.end();
    await reader.read();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * IDLE_MS);
    expect(onSilent).not.toHaveBeenCalled();
  });

  it('a source that fails passes its own error on, not the watchdog`s', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    const onSilent = vi.fn();
    const reader = endWhenSilent(body, IDLE_MS, onSilent).getReader();
    const read = reader.read();
    controller.error(new Error('connection reset'));
    await expect(read).rejects.toThrow('connection reset');
    await vi.advanceTimersByTimeAsync(10 * IDLE_MS);
    expect(onSilent).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
