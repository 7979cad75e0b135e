import { chatReply } from '../../demo/server/chat-reply.js';
import { expect, login, openApp, test } from './fixtures.js';

declare global {
  interface Window {
    /** A streamed body the page is part way through reading. */
    chatStream: {
      status: number;
      contentType: string | null;
      reader: ReadableStreamDefaultReader<Uint8Array>;
      decoder: TextDecoder;
      text: string;
      chunks: number;
    };
  }
}

test('a streamed reply reaches the page while the server still holds back the rest', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);

  // The server writes three words, then waits for /demo/chat/held/resume, so the rest cannot exist
  // before the page has seen the start: a worker (or anything else) that buffered the body would
  // leave the page with nothing at all.
  const head = await tab.evaluate(async () => {
    const response = await fetch('/api/chat/stream?words=12&tag=held&pauseAfter=3');
    const state = (window.chatStream = {
      status: response.status,
      contentType: response.headers.get('content-type'),
      reader: response.body!.getReader(),
      decoder: new TextDecoder(),
      text: '',
      chunks: 0,
    });
    while (state.text.split(' ').length <= 3) {
      const { value, done } = await state.reader.read();
      if (done) break;
      state.text += state.decoder.decode(value, { stream: true });
      state.chunks += 1;
    }
    return { status: state.status, contentType: state.contentType, text: state.text };
  });

  expect(head).toEqual({ status: 200, contentType: 'text/plain; charset=UTF-8', text: 'Hello ada, every ' });
  // Server-side evidence: the page holds the first words while the last one is not written yet.
  expect(await app.chatProgress('held')).toEqual({ written: 3, total: 12, paused: true, done: false });

  await app.resumeChat('held');
  const whole = await tab.evaluate(async () => {
    const state = window.chatStream;
    for (;;) {
      const { value, done } = await state.reader.read();
      if (done) break;
      state.text += state.decoder.decode(value, { stream: true });
      state.chunks += 1;
    }
    return { text: state.text, chunks: state.chunks };
  });
  expect(whole.text).toBe(chatReply('ada', 12).join(' '));
  expect(whole.chunks).toBeGreaterThan(1);
  expect(await app.chatProgress('held')).toEqual({ written: 12, total: 12, paused: false, done: true });
});

test('a stream started right after expiry is refreshed, retried, and arrives whole', async ({ session, app }) => {
  const tab = await openApp(session, `${app.origin}/`);
  await login(tab);
  await app.expireAccessTokens();

  const result = await tab.evaluate(async () => {
    const response = await fetch('/api/chat/stream?words=30');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let chunks = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      chunks += 1;
    }
    return { status: response.status, text, chunks };
  });

  expect(result.status).toBe(200);
  expect(result.text).toBe(chatReply('ada', 30).join(' '));
  expect(result.chunks).toBeGreaterThan(1);
  const stats = await app.stats();
  expect(stats.refreshCalls).toBe(1);
  // The first attempt met the expired token before any byte was streamed; the retry streamed it all.
  expect(stats.unauthorized).toBe(1);
  const attempts = (await app.requests()).filter((entry) => entry.path === '/api/chat/stream');
  expect(attempts.map((entry) => entry.authorization)).toEqual(['bearer', 'bearer']);
});
