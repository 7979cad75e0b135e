/**
 * mulberry32: a 32-bit seeded generator, uniform in [0, 1). `Math.random` cannot be seeded, and the
 * fleet simulation must give the same figures on every run and every machine.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, always
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
