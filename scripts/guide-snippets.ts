/**
 * The integration guides quote examples/ instead of keeping copies: a code block right after a
 * marker comment must be that example file, or a marked part of it, so the guide and the app that
 * `npm run test:package` runs cannot drift apart. `tests/unit/integration-guide.test.ts` checks
 * every marked block; `npm run docs:examples` writes them anew from the files.
 *
 * - `<!-- example: examples/vite/src/auth-sw.ts -->`: the whole file. The block's first line is a
 *   caption naming the file as the app sees it (`// src/auth-sw.ts`, anything after a `:` or a
 *   space is prose), the rest is the file.
 * - `<!-- example: examples/vite/src/main.ts#register -->`: the lines between `// #region register`
 *   and `// #endregion` in the file, after the same caption.
 * - `<!-- example: examples/vite/package.json#scripts -->` (JSON): the block is a JSON object whose
 *   `scripts` equals the file's.
 */

/** One marked code block of a guide. */
export interface GuideSnippet {
  /** The quoted file, relative to the repository (`examples/<app>/<path>`). */
  readonly source: string;
  /** The region (or, in a JSON file, the top-level key) quoted, if not the whole file. */
  readonly region: string | undefined;
  /** 1-based line of the marker in the guide. */
  readonly line: number;
  /** The block's text between the fences, without the last newline and the list indent. */
  readonly body: string;
  /** Where that text is: the guide's lines `[start, end)` (0-based), each with this indent. */
  readonly start: number;
  readonly end: number;
  readonly indent: string;
}

const MARKER = /^<!-- example: (examples\/[^#\s]+)(?:#([\w-]+))? -->$/;

/** Every marked block of `markdown`; a marker not followed by a fenced block is an error. */
export function findGuideSnippets(markdown: string): GuideSnippet[] {
  const lines = markdown.split('\n');
  const snippets: GuideSnippet[] = [];
  lines.forEach((text, index) => {
    const marker = MARKER.exec(text.trim());
    if (!marker) return;
    const open = lines.findIndex((line, at) => at > index && line.trim() !== '');
    const fence = /^(\s*)(`{3,})\w*$/.exec(lines[open] ?? '');
    if (!fence) throw new Error(`Failed to read the guide: the example marker on line ${index + 1} is not followed by a code block`);
    const [, indent = '', ticks = ''] = fence;
    const close = lines.findIndex((line, at) => at > open && line.trim() === ticks);
    if (close === -1) throw new Error(`Failed to read the guide: the code block after line ${index + 1} does not end`);
    const body = lines
      .slice(open + 1, close)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n');
    snippets.push({ source: marker[1]!, region: marker[2], line: index + 1, body, start: open + 1, end: close, indent });
  });
  return snippets;
}

/** The file's path inside its app: `examples/vite/src/main.ts` → `src/main.ts`. */
export function pathInExample(source: string): string {
  return source.split('/').slice(2).join('/');
}

/** The lines between `// #region <name>` and `// #endregion`, or undefined when there is no such region. */
export function readRegion(file: string, name: string): string | undefined {
  const lines = file.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  if (start === -1) return undefined;
  const end = lines.findIndex((line, at) => at > start && line.trim() === '// #endregion');
  return end === -1 ? undefined : lines.slice(start + 1, end).join('\n');
}

/**
 * What the block of `snippet` should be, from its example file's text: its own caption kept when
 * it names the file (else `// <path>`), then the file or its region; a JSON key as a JSON object.
 * Undefined when the file has no such region.
 */
export function renderGuideSnippet(snippet: GuideSnippet, file: string): string | undefined {
  if (snippet.source.endsWith('.json') && snippet.region !== undefined) {
    return JSON.stringify({ [snippet.region]: (JSON.parse(file) as Record<string, unknown>)[snippet.region] }, null, 2);
  }
  const content = snippet.region === undefined ? file.replace(/\n$/, '') : readRegion(file, snippet.region);
  if (content === undefined) return undefined;
  const caption = snippet.body.split('\n')[0] ?? '';
  return `${captionNames(caption) === pathInExample(snippet.source) ? caption : `// ${pathInExample(snippet.source)}`}\n${content}`;
}

/** Why `snippet` is not what its example file (`file`, its text) says, or undefined when it is. */
export function findSnippetDrift(snippet: GuideSnippet, file: string): string | undefined {
  const where = `The guide's snippet on line ${snippet.line} (${snippet.source}${snippet.region === undefined ? '' : `#${snippet.region}`})`;
  const expected = renderGuideSnippet(snippet, file);
  if (expected === undefined) return `${where} quotes a region the file does not have (// #region ${snippet.region} … // #endregion)`;
  if (snippet.source.endsWith('.json') && snippet.region !== undefined) {
    return JSON.stringify(JSON.parse(snippet.body)) === JSON.stringify(JSON.parse(expected))
      ? undefined
      : `${where} is not the file's "${snippet.region}":\n${expected}`;
  }
  const caption = snippet.body.split('\n')[0] ?? '';
  if (captionNames(caption) !== pathInExample(snippet.source)) {
    return `${where} must begin with the caption "// ${pathInExample(snippet.source)}", not "${caption}"`;
  }
  return snippet.body === expected ? undefined : `${where} differs from the file; it should read:\n${expected}`;
}

/** The file a caption line names: `// vite.sw.config.ts: the worker only` → `vite.sw.config.ts`. */
function captionNames(caption: string): string | undefined {
  return /^\/\/ (\S+?)(?:[: ].*)?$/.exec(caption)?.[1];
}
