/**
 * A query parameter as an integer clamped to `[min, max]`; `fallback` when absent or not a number.
 * The demo's knobs (`?words=`, `?interval=`) must never stream forever or spin on a typo.
 */
export function readIntegerQuery(value: string | undefined, fallback: number, min: number, max: number): number {
  const parsed = value === undefined ? Number.NaN : Number.parseInt(value, 10);
  return Number.isSafeInteger(parsed) ? Math.min(Math.max(parsed, min), max) : fallback;
}
