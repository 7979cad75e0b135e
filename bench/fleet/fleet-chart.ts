import type { FleetResult, FleetScenarioId, FleetScenarioResult } from './fleet-scenario.js';
import { FLEET_TARGETS } from './fleet-targets.js';

const WIDTH = 960;
const PANEL_HEIGHT = 250;
const LEFT = 64;
const RIGHT = 24;
const TOP = 56;
const PANEL_GAP = 44;
const PLOT_HEIGHT = PANEL_HEIGHT - 40;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
/** Log scale: a herd of 10× and one of 200× are both readable, and so is 1×. */
const Y_TICKS = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const X_STEPS = [60, 120, 300, 600];
const COLOURS = ['#1f5fbf', '#e08a00', '#c8283a', '#7a7a7a', '#2a9d5b'];
const AXIS_LABELS: Record<FleetScenarioId, string> = {
  outage: 'time from the start of the outage',
  'login-wave': 'time from the first login',
  'rate-limited': 'time from the start of the overload',
};

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fixed = (value: number): string => (Math.round(value * 10) / 10).toString();

/**
 * The fleet simulation as an SVG line chart, hand-written (no dependency): one panel per scenario,
 * refresh calls reaching the server per second ÷ the policy's steady rate, over time from the
 * event, one line per policy, on a log scale. Each point is the busiest second of the seconds that
 * share its pixel column, so a one-second spike still shows. The outage or overload is shaded;
 * the steady rate, the 2× target and the server's capacity are drawn as reference lines.
 */
export function fleetChart(result: FleetResult): string {
  const peak = Math.max(
    ...result.scenarios.flatMap((scenario) => scenario.figures.map((figures) => figures.peakRatio)),
    ...result.scenarios.map((scenario) => scenario.capacityPerSecond / scenario.figures[0]!.steadyPerSecond),
  );
  const yTop = Y_TICKS.find((tick) => tick >= peak * 1.05) ?? Y_TICKS[Y_TICKS.length - 1]!;
  const yBottom = Y_TICKS[0]!;
  const height = TOP + result.scenarios.length * (PANEL_HEIGHT + PANEL_GAP);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title>Fleet simulation: refresh calls per second ÷ steady, ${result.sessions.toLocaleString('en-US')} sessions</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="600">Refresh calls reaching the auth server per second ÷ steady rate ` +
      `(${result.sessions.toLocaleString('en-US')} sessions, log scale)</text>`,
  ];
  result.policies.forEach((policy, index) => {
    const x = LEFT + index * 200;
    parts.push(
      `<line x1="${x}" y1="40" x2="${x + 24}" y2="40" stroke="${COLOURS[index % COLOURS.length]}" stroke-width="3"/>`,
      `<text x="${x + 30}" y="44">${escape(policy.label)}</text>`,
    );
  });
  result.scenarios.forEach((scenario, index) => {
    parts.push(panel(scenario, result, TOP + index * (PANEL_HEIGHT + PANEL_GAP) + 24, yBottom, yTop));
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function panel(scenario: FleetScenarioResult, result: FleetResult, top: number, yBottom: number, yTop: number): string {
  const seconds = Math.max(...Object.values(scenario.series).map((series) => series.length));
  const originS = scenario.eventFromS - scenario.seriesFromS;
  const x = (second: number): number => LEFT + (second / seconds) * PLOT_WIDTH;
  const y = (ratio: number): number => {
    const clamped = Math.min(yTop, Math.max(yBottom, ratio));
    return top + PLOT_HEIGHT - (Math.log(clamped / yBottom) / Math.log(yTop / yBottom)) * PLOT_HEIGHT;
  };
  const steady = scenario.figures[0]!.steadyPerSecond;
  const parts: string[] = [
    `<g>`,
    `<text x="${LEFT}" y="${top - 8}" font-size="13" font-weight="600">${escape(scenario.label)}</text>`,
    `<rect x="${LEFT}" y="${top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="#bbbbbb"/>`,
  ];
  if (scenario.eventWindowS) {
    const [from, to] = scenario.eventWindowS.map((second) => x(second - scenario.seriesFromS));
    const label = scenario.reducedCapacityPerSecond === null ? 'outage' : `capacity ${scenario.reducedCapacityPerSecond}/s, 429`;
    parts.push(
      `<rect x="${fixed(from!)}" y="${top}" width="${fixed(to! - from!)}" height="${PLOT_HEIGHT}" fill="#ececec"/>`,
      `<text x="${fixed(from! + 4)}" y="${top + 14}" fill="#666666">${label}</text>`,
    );
  }
  for (const tick of Y_TICKS.filter((value) => value >= yBottom && value <= yTop)) {
    parts.push(
      `<line x1="${LEFT}" y1="${fixed(y(tick))}" x2="${LEFT + PLOT_WIDTH}" y2="${fixed(y(tick))}" stroke="#f0f0f0"/>`,
      `<text x="${LEFT - 6}" y="${fixed(y(tick) + 4)}" text-anchor="end" fill="#555555">${tick === yBottom ? '≤ ' : ''}${tick}×</text>`,
    );
  }
  const step = X_STEPS.find((candidate) => seconds / candidate <= 12) ?? X_STEPS[X_STEPS.length - 1]!;
  for (let tick = Math.ceil(-originS / step) * step; tick + originS <= seconds; tick += step) {
    const at = fixed(x(tick + originS));
    parts.push(
      `<line x1="${at}" y1="${top + PLOT_HEIGHT}" x2="${at}" y2="${top + PLOT_HEIGHT + 4}" stroke="#888888"/>`,
      `<text x="${at}" y="${top + PLOT_HEIGHT + 16}" text-anchor="middle" fill="#555555">${tick} s</text>`,
    );
  }
  /** A horizontal line at `ratio`, labelled at the left or right end, above or below it. */
  const reference = (ratio: number, label: string, dash: string, colour: string, end: 'left' | 'right', below = false): void => {
    const labelX = end === 'left' ? LEFT + 4 : LEFT + PLOT_WIDTH - 4;
    parts.push(
      `<line x1="${LEFT}" y1="${fixed(y(ratio))}" x2="${LEFT + PLOT_WIDTH}" y2="${fixed(y(ratio))}" stroke="${colour}" stroke-dasharray="${dash}"/>`,
      `<text x="${labelX}" y="${fixed(y(ratio) + (below ? 13 : -4))}" text-anchor="${end === 'left' ? 'start' : 'end'}" ` +
        `fill="${colour}">${escape(label)}</text>`,
    );
  };
  reference(1, 'steady', '2 3', '#444444', 'right', true);
  const target = FLEET_TARGETS[scenario.id].maxPeakRatio;
  if (target !== undefined) reference(target, `target ≤ ${target}×`, '6 4', '#2a9d5b', 'left', true);
  reference(scenario.capacityPerSecond / steady, `capacity ${scenario.capacityPerSecond}/s`, '1 3', '#8a4fbf', 'right');
  // Drawn last-first, so the policy under test (listed first) is on top.
  [...result.policies].reverse().forEach((policy) => {
    const index = result.policies.indexOf(policy);
    const series = scenario.series[policy.id];
    const figures = scenario.figures.find((entry) => entry.policy === policy.label);
    if (!series || !figures) return;
    const bin = Math.max(1, Math.ceil(seconds / PLOT_WIDTH));
    const points: string[] = [];
    for (let from = 0; from < series.length; from += bin) {
      const busiest = Math.max(...series.slice(from, from + bin));
      points.push(`${fixed(x(from + bin / 2))},${fixed(y(busiest / figures.steadyPerSecond))}`);
    }
    parts.push(
      `<polyline fill="none" stroke="${COLOURS[index % COLOURS.length]}" stroke-width="${index === 0 ? 1.8 : 1.2}" ` +
        `stroke-linejoin="round" points="${points.join(' ')}"/>`,
    );
  });
  parts.push(
    `<text x="${LEFT + PLOT_WIDTH}" y="${top + PLOT_HEIGHT + 32}" text-anchor="end" fill="#555555">${AXIS_LABELS[scenario.id]}</text>`,
    '</g>',
  );
  return parts.join('\n');
}
