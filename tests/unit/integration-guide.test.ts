import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findGuideSnippets, findSnippetDrift, type GuideSnippet } from '../../scripts/guide-snippets.js';

// The integration guide quotes examples/ (scripts/guide-snippets.ts): each marked block must still
// be its example's file, the apps that tests/package/examples.spec.ts builds and runs.

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const snippets = findGuideSnippets(read('docs/integration.md'));

describe('docs/integration.md quotes examples/', () => {
  it.each(snippets.map((snippet) => [`${snippet.source}${snippet.region === undefined ? '' : `#${snippet.region}`}`, snippet] as const))(
    '%s is the example file',
    (_name, snippet) => {
      expect(findSnippetDrift(snippet, read(snippet.source))).toBeUndefined();
    },
  );

  it('quotes the worker, the page and the build config of every example', () => {
    const quoted = new Set(snippets.map((snippet) => snippet.source));
    for (const file of [
      'examples/vite/src/auth-sw.ts',
      'examples/vite/src/main.ts',
      'examples/vite/vite.sw.config.ts',
      'examples/vite/package.json',
      'examples/vite-plugin-pwa/src/sw.ts',
      'examples/vite-plugin-pwa/src/main.ts',
      'examples/vite-plugin-pwa/vite.config.ts',
      'examples/webpack/webpack.config.js',
    ]) {
      expect(quoted).toContain(file);
    }
  });
});

describe('findSnippetDrift', () => {
  const snippet = (body: string, region?: string, source = 'examples/app/src/main.ts'): GuideSnippet => ({
    source,
    region,
    line: 7,
    body,
    start: 7,
    end: 8,
    indent: '',
  });
  const file = "import { a } from 'a';\n// #region register\nconst b = a();\n// #endregion\nb.go();\n";

  it('accepts the whole file or a region after a caption naming the file', () => {
    expect(
      findSnippetDrift(
        snippet("// src/main.ts: the page\nimport { a } from 'a';\n// #region register\nconst b = a();\n// #endregion\nb.go();"),
        file,
      ),
    ).toBeUndefined();
    expect(findSnippetDrift(snippet('// src/main.ts\nconst b = a();', 'register'), file)).toBeUndefined();
  });

  it('names the snippet and what the file says when a line drifted', () => {
    expect(findSnippetDrift(snippet('// src/main.ts\nconst b = a(1);', 'register'), file)).toBe(
      "The guide's snippet on line 7 (examples/app/src/main.ts#register) differs from the file; it should read:\n// src/main.ts\nconst b = a();",
    );
  });

  it('refuses a missing or wrong caption, and a region the file does not have', () => {
    expect(findSnippetDrift(snippet('const b = a();', 'register'), file)).toMatch(/must begin with the caption "\/\/ src\/main.ts"/);
    expect(findSnippetDrift(snippet('// src/other.ts\nconst b = a();', 'register'), file)).toMatch(/caption/);
    expect(findSnippetDrift(snippet('// src/main.ts\nconst b = a();', 'setup'), file)).toMatch(/quotes a region the file does not have/);
  });

  it('compares a JSON key by value', () => {
    const pkg = JSON.stringify({ name: 'x', scripts: { dev: 'vite', build: 'vite build' } }, null, 2);
    const quote = (scripts: object): GuideSnippet => snippet(JSON.stringify({ scripts }), 'scripts', 'examples/app/package.json');
    expect(findSnippetDrift(quote({ dev: 'vite', build: 'vite build' }), pkg)).toBeUndefined();
    expect(findSnippetDrift(quote({ dev: 'vite' }), pkg)).toMatch(/is not the file's "scripts"/);
  });
});

describe('findGuideSnippets', () => {
  it('reads the block after each marker, indented ones inside lists too', () => {
    const guide = [
      '<!-- example: examples/app/a.ts -->',
      '',
      '```ts',
      '// a.ts',
      'x',
      '```',
      '1. Step',
      '   <!-- example: examples/app/b.ts#r -->',
      '   ```ts',
      '   // b.ts',
      '     y',
      '   ```',
    ].join('\n');
    expect(findGuideSnippets(guide)).toMatchObject([
      { source: 'examples/app/a.ts', region: undefined, line: 1, body: '// a.ts\nx', start: 3, end: 5, indent: '' },
      { source: 'examples/app/b.ts', region: 'r', line: 8, body: '// b.ts\n  y', start: 9, end: 11, indent: '   ' },
    ]);
  });

  it('fails on a marker without a block', () => {
    expect(() => findGuideSnippets('<!-- example: examples/app/a.ts -->\ntext')).toThrow(/not followed by a code block/);
  });
});
