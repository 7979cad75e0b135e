/**
 * `npm run docs:examples`: rewrite every marked code block of docs/integration.md from the example
 * file it quotes (scripts/guide-snippets.ts), after an example changed. The unit test fails until
 * this has been run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { findGuideSnippets, renderGuideSnippet } from './guide-snippets.js';

const root = new URL('../', import.meta.url);
const guideUrl = new URL('docs/integration.md', root);
const guide = await readFile(guideUrl, 'utf8');
const lines = guide.split('\n');
// From the last block up, so the earlier blocks' line numbers stay right.
for (const snippet of findGuideSnippets(guide).reverse()) {
  const rendered = renderGuideSnippet(snippet, await readFile(new URL(snippet.source, root), 'utf8'));
  if (rendered === undefined) throw new Error(`Failed to quote ${snippet.source}#${snippet.region}: the file has no such region`);
  lines.splice(
    snippet.start,
    snippet.end - snippet.start,
    ...rendered.split('\n').map((line) => (line === '' ? '' : snippet.indent + line)),
  );
}
await writeFile(guideUrl, lines.join('\n'));
console.log(`docs/integration.md: ${findGuideSnippets(guide).length} snippets written from examples/`);
