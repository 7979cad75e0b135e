/**
 * The fleet simulation alone (no browser, no build): `node --import tsx bench/fleet/run-fleet.ts`.
 * Prints the Markdown table and writes the chart to bench/fleet-chart.svg. `FLEET_SESSIONS` and
 * `FLEET_SEED` change the fleet; the committed chart is the default (100,000 sessions, seed 13).
 */
import { FULL_FLEET, runFleetScenarios } from './fleet-scenario.js';
import { formatFleetTable } from './format-fleet-table.js';
import { writeFleetChart } from './write-fleet-chart.js';

const sessions = Number(process.env['FLEET_SESSIONS'] ?? FULL_FLEET.sessions);
const seed = Number(process.env['FLEET_SEED'] ?? FULL_FLEET.seed);
const result = runFleetScenarios({ sessions, seed });
const chart = await writeFleetChart(result);
process.stdout.write(formatFleetTable(result));
process.stderr.write(`[fleet] ${result.durationSeconds.toFixed(1)} s; wrote ${chart}\n`);
