import { byId } from './by-id.js';
import { formatDuration } from './format-time.js';

/**
 * A reply streamed word by word from `GET /api/chat/stream` (chunked `text/plain`), read with a
 * stream reader as it arrives: the worker passes the body through without buffering it, so words
 * appear while the server is still writing.
 */
export function mountChatStreamPanel(signal: AbortSignal): void {
  const start = byId('chat-start', HTMLButtonElement);
  const stop = byId('chat-stop', HTMLButtonElement);
  const words = byId('chat-words', HTMLInputElement);
  const output = byId('chat-output', HTMLElement);
  const meta = byId('chat-meta', HTMLElement);
  let current: AbortController | undefined;

  const run = async (): Promise<void> => {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    const count = Math.min(1000, Math.max(1, Math.trunc(words.valueAsNumber) || 40));
    const started = performance.now();
    let chunks = 0;
    output.textContent = '';
    output.dataset['state'] = 'streaming';
    meta.textContent = 'waiting for the first word…';
    stop.disabled = false;
    try {
      const response = await fetch(`/api/chat/stream?words=${count}`, { signal: AbortSignal.any([controller.signal, signal]) });
      if (!response.ok || response.body === null) {
        output.dataset['state'] = 'failed';
        meta.textContent = `HTTP ${response.status}${response.status === 401 ? ': log in first' : ''}`;
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks += 1;
        output.textContent += value;
        meta.textContent = `HTTP ${response.status} · ${chunks} chunks · ${formatDuration(performance.now() - started)}`;
      }
      output.dataset['state'] = 'done';
      meta.textContent += ' · done';
    } catch (error) {
      output.dataset['state'] = 'stopped';
      meta.textContent = controller.signal.aborted
        ? `stopped after ${chunks} chunks`
        : `failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (current === controller) stop.disabled = true;
    }
  };

  start.addEventListener('click', () => void run(), { signal });
  stop.addEventListener('click', () => current?.abort(), { signal });
}
