import type { FleetResult } from './fleet-scenario.js';
import { fleetTargetChecks, POLICY_UNDER_TEST } from './fleet-targets.js';

const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const ratio = (value: number): string => `${value.toFixed(2)}×`;

/**
 * The fleet simulation as Markdown: one row per scenario × policy, figures relative to the steady
 * rate, and each scenario's targets marked met or missed next to them (they are sw-auth-proxy's;
 * the other policies' marks are for comparison).
 */
export function formatFleetTable(result: FleetResult): string {
  const [first] = result.scenarios;
  const reference = first?.figures.find((figures) => figures.policy === POLICY_UNDER_TEST) ?? first?.figures[0];
  const steady = reference?.steadyPerSecond ?? Number.NaN;
  const reduced = result.scenarios.find((scenario) => scenario.reducedCapacityPerSecond !== null)?.reducedCapacityPerSecond;
  const lines = [
    `### Fleet simulation: ${result.sessions.toLocaleString('en-US')} sessions on a virtual clock (seed ${result.seed})`,
    '',
    `Steady rate (the minute before the outage of (a)) ${steady.toFixed(1)} refresh calls/s for ${POLICY_UNDER_TEST}; ` +
      `server capacity ${first?.capacityPerSecond ?? '?'}/s (${ratio((first?.capacityPerSecond ?? Number.NaN) / steady)} steady)` +
      `${reduced === undefined ? '' : `, ${reduced}/s during the overload of (c)`}. Simulated in ${result.durationSeconds.toFixed(1)} s.`,
    '',
    row([
      'Scenario',
      'Policy',
      'Peak ÷ steady',
      'p99 ÷ steady',
      'First calls, peak ÷ steady',
      'Time to recover',
      'Lost',
      'Longest without a valid token',
      'Targets',
    ]),
    row(Array(9).fill('---')),
  ];
  for (const scenario of result.scenarios) {
    for (const figures of scenario.figures) {
      const checks = fleetTargetChecks(scenario.id, figures)
        .map((check) => `${check.target}: ${check.met ? 'met' : '**missed**'}`)
        .join('; ');
      lines.push(
        row([
          scenario.label,
          figures.policy === POLICY_UNDER_TEST ? `**${figures.policy}**` : figures.policy,
          ratio(figures.peakRatio),
          ratio(figures.p99Ratio),
          ratio(figures.demandPeakRatio),
          figures.recoverySeconds === null ? 'not within the run' : `${figures.recoverySeconds} s`,
          figures.lost.toLocaleString('en-US'),
          `${Math.round(figures.longestWithoutTokenS)} s (${figures.sessionsEverWithoutToken.toLocaleString('en-US')} sessions)`,
          checks,
        ]),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
