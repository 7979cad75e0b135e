/** A promise with its resolve and reject exposed, to order events in a test without sleeping. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Holds everyone who `arrive`s until `count` have arrived, then lets them all through. Used to make
 * N requests meet the server before any of them is answered.
 */
export function barrier(count: number): { arrive(): Promise<void>; readonly arrived: number } {
  const open = deferred();
  let arrived = 0;
  return {
    arrive() {
      arrived++;
      if (arrived === count) open.resolve();
      return open.promise;
    },
    get arrived() {
      return arrived;
    },
  };
}
