import { setTimeout as delay } from 'node:timers/promises';
import type { Handler } from 'hono';
import { streamText } from 'hono/streaming';
import type { ApiEnv } from './api-env.js';
import { chatReply } from './chat-reply.js';
import { CHAT_STREAM_TAG_PATTERN } from './chat-streams.js';
import type { DemoState } from './demo-state.js';
import { readIntegerQuery } from './read-integer-query.js';

/** Pause between two words, like a language model producing tokens. */
export const CHAT_WORD_INTERVAL_MS = 50;

/** Words in a reply unless `?words=` says otherwise. */
export const DEFAULT_CHAT_WORDS = 20;

const MAX_CHAT_WORDS = 1000;

/**
 * `GET /api/chat/stream`: a chunked `text/plain` reply, one word every
 * {@link CHAT_WORD_INTERVAL_MS}. `?words=` sets the length; `?tag=` makes its progress visible at
 * `GET /demo/chat/:tag`, and `?pauseAfter=n` (with a tag) holds it after n words until
 * `POST /demo/chat/:tag/resume`.
 */
export function chatStream(state: DemoState): Handler<ApiEnv> {
  return (c) => {
    const total = readIntegerQuery(c.req.query('words'), DEFAULT_CHAT_WORDS, 1, MAX_CHAT_WORDS);
    const tag = c.req.query('tag');
    const pauseAfter = readIntegerQuery(c.req.query('pauseAfter'), 0, 0, total);
    const words = chatReply(c.get('claims').sub, total);
    const tracked = tag !== undefined && CHAT_STREAM_TAG_PATTERN.test(tag) ? state.chatStreams.begin(tag, total) : undefined;
    return streamText(c, async (stream) => {
      const aborted = new AbortController();
      stream.onAbort(() => aborted.abort());
      try {
        for (const [index, word] of words.entries()) {
          if (index > 0) await delay(CHAT_WORD_INTERVAL_MS, undefined, { signal: aborted.signal });
          // Counted (and paused) before the bytes leave: whoever sees the word sees the progress too.
          tracked?.wrote();
          const paused = tracked && index + 1 === pauseAfter ? tracked.pause(aborted.signal) : undefined;
          await stream.write(index < words.length - 1 ? `${word} ` : word);
          await paused;
          if (aborted.signal.aborted) return;
        }
        tracked?.finish();
      } catch (error) {
        // The reader went away mid-reply: nothing to finish.
        if (!aborted.signal.aborted) throw error;
      }
    });
  };
}
