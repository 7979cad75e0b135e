import { describe, expect, it, vi } from 'vitest';
import { EventIdParser } from '../../sw/event-id-parser.js';
import { EventStreamResume } from '../../sw/event-stream-resume.js';
import { readSettlesWithin } from './helpers/read-settles.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('EventIdParser', () => {
  it('takes the id at each dispatch (blank line), not before', () => {
    const parser = new EventIdParser();
    expect(parser.push(bytes('id: 1\ndata: a\n'))).toBe('');
    expect(parser.push(bytes('\n'))).toBe('1');
    expect(parser.push(bytes('event: ping\ndata: {}\n\n'))).toBe('1');
  });

  it('handles CR, LF and CRLF line ends split anywhere across chunks', () => {
    const parser = new EventIdParser();
    const stream = 'id: 7\r\ndata: x\r\n\r\nid:8\rdata: y\r\rid: 9\ndata: z\n\n';
    let last = '';
    for (const char of stream) last = parser.push(bytes(char));
    expect(last).toBe('9');
  });

  it('resets on an empty id, ignores ids with NUL, comments and other fields', () => {
    const parser = new EventIdParser('4');
    expect(parser.push(bytes(': comment id: 99\n\nidx: 5\n\n'))).toBe('4');
    expect(parser.push(bytes('id: 1\u00002\n\n'))).toBe('4');
    expect(parser.push(bytes('id\n\n'))).toBe('');
  });

  it('counts a last line ended by a lone CR at the end of the stream', () => {
    const parser = new EventIdParser();
    parser.push(bytes('id: 3\rdata: x\r\r'));
    expect(parser.finish()).toBe('3');
  });
});

const NO_WATCHDOG = { idleTimeoutMs: null, onStalled: () => undefined };

describe('EventStreamResume', () => {
  const request = (headers: Record<string, string> = {}) =>
    new Request('https://app.test/api/events', { headers: { Accept: 'text/event-stream', ...headers } });
  const stream = (text: string) => new Response(text, { headers: { 'Content-Type': 'text/event-stream' } });

  it('restores Last-Event-ID on the next request once the stream ended on the server side', async () => {
    const resume = new EventStreamResume(NO_WATCHDOG);
    const first = resume.track(stream('id: 1\ndata: a\n\nid: 2\ndata: b\n\n'), request(), 'client-1');
    expect(await first.text()).toBe('id: 1\ndata: a\n\nid: 2\ndata: b\n\n');
    expect(resume.restore(request(), 'client-1').headers.get('last-event-id')).toBe('2');
    expect(resume.restore(request(), 'client-2').headers.get('last-event-id')).toBeNull();
    expect(resume.restore(request({ 'Last-Event-ID': '9' }), 'client-1').headers.get('last-event-id')).toBe('9');
  });

  it('forgets a stream the page closed, so a new EventSource starts afresh', async () => {
    const resume = new EventStreamResume(NO_WATCHDOG);
    const response = resume.track(stream('id: 1\ndata: a\n\n'), request(), 'client-1');
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(resume.restore(request(), 'client-1').headers.get('last-event-id')).toBeNull();
  });

  it('leaves other responses and requests alone', () => {
    const resume = new EventStreamResume(NO_WATCHDOG);
    const json = new Response('{}', { headers: { 'Content-Type': 'application/json' } });
    expect(resume.track(json, request(), 'c')).toBe(json);
    const plain = new Request('https://app.test/api/me');
    expect(resume.restore(plain, 'c')).toBe(plain);
  });

  it('with an idle timeout, ends a silent stream and resumes its reconnect from the last id', async () => {
    vi.useFakeTimers();
    try {
      const onStalled = vi.fn();
      const resume = new EventStreamResume({ idleTimeoutMs: 1500, onStalled });
      let server!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (server = c) });
      const response = resume.track(new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }), request(), 'client-1');
      const reader = response.body!.getReader();
      server.enqueue(bytes('id: 1\ndata: a\n\nid: 2\ndata: b\n\ndata: half an event, never ended'));
      await reader.read();
      // While the stream is open its reconnect state is not used.
      expect(resume.restore(request(), 'client-1').headers.get('last-event-id')).toBeNull();
      const read = reader.read();
      await vi.advanceTimersByTimeAsync(1500);
      expect(await read).toEqual({ done: true, value: undefined });
      expect(onStalled).toHaveBeenCalledExactlyOnceWith('https://app.test/api/events', 'client-1', 1500);
      expect(resume.restore(request(), 'client-1').headers.get('last-event-id')).toBe('2');
    } finally {
      vi.useRealTimers();
    }
  });

  it('without an idle timeout, a silent stream stays open and no timer runs', async () => {
    vi.useFakeTimers();
    try {
      const resume = new EventStreamResume(NO_WATCHDOG);
      const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(bytes(': hello\n\n')) });
      const response = resume.track(new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }), request(), 'client-1');
      const reader = response.body!.getReader();
      await reader.read();
      expect(await readSettlesWithin(reader, 60_000)).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
