import type { ReplaySkipReason } from './protocol.js';

/**
 * The bytes to send, `null` for no body, or why the body could not be kept for a replay (it is
 * then sent once, as it came).
 */
export type ReplayableBody = ArrayBuffer | null | ReplaySkipReason;

/**
 * Read a request body into memory before the first send, so a replay after a 401 sends the same
 * bytes (JSON, text, binary, multipart with its boundary: the Content-Type header travels with the
 * headers). Reads a clone, so the original body stays untouched for a one-shot send when the body
 * is over `maxBytes` or cannot be read. `null` means the request has no body.
 */
export async function readReplayableBody(request: Request, maxBytes: number): Promise<ReplayableBody> {
  // Firefox has no `Request.prototype.body`: `request.body` is undefined there for every request,
  // with or without a body (https://github.com/mdn/content/issues/30104).
  if (request.body === undefined) return readWithoutBodyStream(request, maxBytes);
  if (request.body === null) return null;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = request.clone().body!.getReader();
  } catch {
    return 'body-unreadable'; // already disturbed or locked
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        // Stop reading: the tee behind clone() would otherwise hold the whole body twice.
        void reader.cancel().catch(() => undefined);
        return 'body-too-large';
      }
      chunks.push(value);
    }
  } catch {
    return 'body-unreadable';
  }
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
 * The same read for an engine without request body streams. Such an engine cannot send a stream
 * body either (Firefox sends the text "[object ReadableStream]"), so every body there is bytes the
 * engine already holds: a Blob of a clone gives its size before any of it is copied into script
 * memory. A request without a body cannot be told from an empty one there, so an empty body of a
 * method that may carry one is kept as zero bytes (a replay then sends `Content-Length: 0`, as a
 * POST or PUT without a body does anyway).
 */
async function readWithoutBodyStream(request: Request, maxBytes: number): Promise<ReplayableBody> {
  if (request.method === 'GET' || request.method === 'HEAD') return null;
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
}
