/** What the demo "assistant" says, cycled to any length. */
const VOCABULARY = ['every', 'word', 'of', 'this', 'reply', 'travels', 'through', 'the', 'service', 'worker', 'as', 'it', 'is', 'written.'];

/**
 * The words `GET /api/chat/stream` sends for `sub`, in order. Deterministic, so a test can compare
 * what the page assembled with what the server meant to send.
 *
 * @example
 * ```ts
 * chatReply('ada', 4).join(' '); // 'Hello ada, every word'
 * ```
 */
export function chatReply(sub: string, words: number): string[] {
  return Array.from({ length: words }, (_, index) => {
    if (index === 0) return 'Hello';
    if (index === 1) return `${sub},`;
    return VOCABULARY[(index - 2) % VOCABULARY.length]!;
  });
}
