import type { SessionRecord, StoredFlags } from '../../../sw/session-record.js';
import { sameRecord, type SessionStorage } from '../../../sw/session-storage.js';

/** How one storage operation misbehaves: throw a named `DOMException`, or never answer. */
export type StorageFault = { kind: 'throw'; name: string } | { kind: 'hang' };

/**
 * One "disk" shared by every context that opens it (worker versions, a restarted worker), in
 * memory, with faults to switch on and off: a full disk (`QuotaExceededError` on writes), storage
 * disabled (every operation throws), a blocked upgrade (every operation hangs), a deleted database.
 * Records are copied in and out, as IndexedDB's structured clone does.
 */
export class MemoryStorage implements SessionStorage {
  #record: SessionRecord | undefined;
  #flags: StoredFlags | undefined;
  /** Applied to reads (`get`, `getFlags`). */
  readFault: StorageFault | null = null;
  /** Applied to writes (`replace`, `putFlags`). */
  writeFault: StorageFault | null = null;
  /** Operations answered (not faulted), for tests that count. */
  operations = 0;
  #gate: Promise<void> | null = null;

  /** Hold every operation until the returned function is called (a slow disk, a queued upgrade). */
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.#gate = null;
      release();
    };
  }

  get record(): SessionRecord | undefined {
    return this.#record === undefined ? undefined : structuredClone(this.#record);
  }

  /** Every context's data gone, as `indexedDB.deleteDatabase` does. */
  delete(): void {
    this.#record = undefined;
    this.#flags = undefined;
  }

  async get(): Promise<SessionRecord | undefined> {
    await this.#fault(this.readFault);
    return this.record;
  }

  async replace(expected: SessionRecord | undefined, next: SessionRecord): Promise<boolean> {
    await this.#fault(this.writeFault);
    if (!sameRecord(this.#record, expected)) return false;
    this.#record = structuredClone(next);
    return true;
  }

  async getFlags(): Promise<StoredFlags | undefined> {
    await this.#fault(this.readFault);
    return this.#flags === undefined ? undefined : { ...this.#flags };
  }

  async putFlags(flags: StoredFlags): Promise<void> {
    await this.#fault(this.writeFault);
    this.#flags = { ...flags };
  }

  async #fault(fault: StorageFault | null): Promise<void> {
    if (this.#gate) await this.#gate;
    if (fault === null) {
      this.operations++;
      return;
    }
    if (fault.kind === 'hang') return new Promise<void>(() => undefined);
    throw new DOMException('injected', fault.name);
  }
}
