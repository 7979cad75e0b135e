import { vi } from 'vitest';

/**
 * Whether the next read of `reader` settles within `ms` of virtual time (fake timers must be on):
 * how a test shows that a stream stays open without sleeping.
 */
export async function readSettlesWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<boolean> {
  let settled = false;
  void reader.read().then(
    () => void (settled = true),
    () => void (settled = true),
  );
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}
