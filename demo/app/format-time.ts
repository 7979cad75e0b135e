const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * `hh:mm:ss.mmm` in local time. Fixed format rather than `toLocaleTimeString`, so every tab (and
 * every screenshot) shows the same text for the same instant.
 */
export function formatClockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** `850 ms`, `2.4 s`, `3 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
