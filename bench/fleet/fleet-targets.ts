import type { TargetCheck } from '../bench-targets.js';
import type { FleetFigures } from './fleet-figures.js';
import type { FleetResult, FleetScenarioId } from './fleet-scenario.js';

/** Issue 13's targets per scenario: refresh calls at most 2× steady in (a) and (b), no session lost in (a) and (c). */
export const FLEET_TARGETS: Record<FleetScenarioId, { maxPeakRatio?: number; maxLost?: number }> = {
  outage: { maxPeakRatio: 2, maxLost: 0 },
  'login-wave': { maxPeakRatio: 2 },
  'rate-limited': { maxLost: 0 },
};

/** The policy whose figures the targets are for; the others are there to compare. */
export const POLICY_UNDER_TEST = 'sw-auth-proxy';

/** Each target of `scenario`, and whether these figures meet it. */
export function fleetTargetChecks(scenario: FleetScenarioId, figures: FleetFigures): { target: string; met: boolean }[] {
  const { maxPeakRatio, maxLost } = FLEET_TARGETS[scenario];
  const checks: { target: string; met: boolean }[] = [];
  if (maxPeakRatio !== undefined) checks.push({ target: `peak ≤ ${maxPeakRatio}× steady`, met: figures.peakRatio <= maxPeakRatio });
  if (maxLost !== undefined) checks.push({ target: `${maxLost} lost`, met: figures.lost <= maxLost });
  return checks;
}

/** The targets of sw-auth-proxy, as the bench's summary table lists them. */
export function checkFleetTargets(result: FleetResult): TargetCheck[] {
  return result.scenarios.flatMap((scenario) => {
    const figures = scenario.figures.find((entry) => entry.policy === POLICY_UNDER_TEST);
    if (!figures) return [];
    const checks = fleetTargetChecks(scenario.id, figures);
    return [
      {
        scenario: `Fleet ${scenario.label}, ${POLICY_UNDER_TEST}`,
        figure:
          `peak ${figures.peakRatio.toFixed(2)}× steady (p99 ${figures.p99Ratio.toFixed(2)}×), ` +
          `lost ${figures.lost} of ${result.sessions.toLocaleString('en-US')}`,
        target: checks.map((check) => check.target).join(', '),
        met: checks.every((check) => check.met),
      },
    ];
  });
}
