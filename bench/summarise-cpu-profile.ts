import { readFile } from 'node:fs/promises';
import { SourceMap, type SourceMapPayload } from 'node:module';

/** The parts of a CDP `Profiler.Profile` this summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds since the previous sample. */
  timeDeltas?: number[];
}

/** One function's share of the profile. */
export interface SelfTimeEntry {
  /** `original/file.ts:line  source text` for mapped frames, else the V8 function name. */
  location: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface CpuProfileSummary {
  /** Sampled time the worker thread was not idle. */
  busyMs: number;
  /** Of that, self time in the mapped script's own functions (built-ins they call excluded). */
  scriptMs: number;
  /** Wall time covered by the profiles. */
  totalMs: number;
  top: SelfTimeEntry[];
}

/** Maps minified frames of one script back to the sources through its source map. */
export interface ScriptSourceMap {
  /** Frames whose URL ends with this are mapped. */
  urlSuffix: string;
  /** Path of the `.map` file. */
  mapPath: string;
}

/**
 * Self time per function, highest first: the time samples spent in the function itself, not in
 * what it called, summed over `profiles` (windows of one worker). Frames of the minified worker
 * bundle are mapped back to the TypeScript line they come from, so the lead sees
 * `sw/fetch-handler.ts:57`, not `e`.
 */
export async function summariseCpuProfile(
  profiles: readonly CpuProfile[],
  sourceMap: ScriptSourceMap,
  limit = 12,
): Promise<CpuProfileSummary> {
  const payload = JSON.parse(await readFile(sourceMap.mapPath, 'utf8')) as SourceMapPayload & { sourcesContent?: string[] };
  const map = new SourceMap(payload);
  const sourceLines = new Map<string, string[]>(
    payload.sources.map((source, index) => [source, (payload.sourcesContent?.[index] ?? '').split('\n')]),
  );

  const describe = (frame: CpuProfile['nodes'][number]['callFrame']): string => {
    if (frame.url === '') {
      // No script: a browser built-in (fetch, Headers, …) or, nameless, work V8 cannot attribute
      // to any function (Blink's own event dispatch and promise plumbing).
      if (frame.functionName === '') return '(native, unattributed)';
      return frame.functionName.startsWith('(') ? frame.functionName : `${frame.functionName} (native)`;
    }
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    if (!frame.url.endsWith(sourceMap.urlSuffix)) return `${name} (${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1})`;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return `${name} (unmapped)`;
    const text = sourceLines.get(entry.originalSource)?.[entry.originalLine]?.trim() ?? '';
    const file = entry.originalSource.replace(/^(\.\.\/)+/, '');
    return `${file}:${entry.originalLine + 1}  ${text.length > 70 ? `${text.slice(0, 67)}...` : text}`;
  };

  const selfUs = new Map<string, number>();
  let busyUs = 0;
  let scriptUs = 0;
  let totalUs = 0;
  for (const profile of profiles) {
    const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    totalUs += profile.endTime - profile.startTime;
    // A sample's delta is the time since the previous sample, so it is charged to the previous one.
    for (let index = 0; index + 1 < samples.length; index++) {
      const node = byNode.get(samples[index]!);
      const delta = deltas[index + 1] ?? 0;
      if (node === undefined || node.callFrame.functionName === '(idle)') continue;
      busyUs += delta;
      if (node.callFrame.url.endsWith(sourceMap.urlSuffix)) scriptUs += delta;
      if (limit === 0) continue;
      const key = describe(node.callFrame);
      selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    }
  }
  const top = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([location, us]) => ({ location, selfMs: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
  return { busyMs: busyUs / 1000, scriptMs: scriptUs / 1000, totalMs: totalUs / 1000, top };
}
