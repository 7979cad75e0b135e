import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fleetChart } from './fleet-chart.js';
import type { FleetResult } from './fleet-scenario.js';

/** Committed, unlike results.json, so that bench/README.md can show it. */
export const FLEET_CHART_PATH = fileURLToPath(new URL('../fleet-chart.svg', import.meta.url));

/** Write the run's chart to bench/fleet-chart.svg; returns the path. */
export async function writeFleetChart(result: FleetResult): Promise<string> {
  await writeFile(FLEET_CHART_PATH, fleetChart(result));
  return FLEET_CHART_PATH;
}
