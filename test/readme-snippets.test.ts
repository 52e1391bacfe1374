/**
 * The README is what a new user reads first: its TypeScript blocks must compile against the package's public entry
 * points, and what it says about installing (the peer dependencies) and the versions must be what package.json says.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { checkSnippets, extractTsSnippets } from './support/readme-snippets';

const ROOT = path.resolve(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** The text of a `## title` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "## ${title}"`);
  const next = README.indexOf('\n## ', start + 1);
  return README.slice(start, next < 0 ? undefined : next);
}

describe('README TypeScript blocks', () => {
  test('every ```ts block compiles against platform-blueprints and platform-blueprints/pulumi', () => {
    const snippets = extractTsSnippets(README);
    expect(snippets.length).toBeGreaterThanOrEqual(10);
    const problems = checkSnippets(snippets).map((p) => `README.md:${p.line}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  test('a wrong prop name, a missing preamble and a wrong argument type fail the check, at their README line', () => {
    const md = [
      '# demo', '',
      '<!-- snippet-preamble: import { Chart } from \'cdk8s\'; declare const chart: Chart; -->',
      '```ts',
      'import { Redis } from \'platform-blueprints\';',
      'new Redis(chart, \'cache\', { storageSize: 5 });',
      '```', '',
      '```ts',
      'import { EventFilter } from \'platform-blueprints\';',
      'events.broker.subscribe(fn, { filters: [EventFilter.type(\'dev.example.score\')] });',
      '```', '',
      '```sh',
      'new Redis(nothing checked here)',
      '```', '',
    ].join('\n');
    const snippets = extractTsSnippets(md);
    expect(snippets.map((s) => s.line)).toEqual([5, 10]);
    expect(snippets[0].preamble).toContain('declare const chart: Chart;');
    const problems = checkSnippets(snippets);
    expect(problems).toEqual(expect.arrayContaining([
      { line: 6, message: expect.stringContaining("'storageSize' does not exist in type 'RedisProps'") },
      { line: 11, message: expect.stringContaining("Cannot find name 'events'.") },
      { line: 11, message: "Cannot find name 'fn'." },
    ]));
    // With the names declared, the remaining problem is the argument: type() takes a CloudEventType, not a string.
    const declared = checkSnippets([{ ...snippets[1], preamble: 'import { EventDrivenPlatform, KnativeFunction } from \'platform-blueprints\'; declare const events: EventDrivenPlatform; declare const fn: KnativeFunction;' }]);
    expect(declared).toEqual([{ line: 11, message: expect.stringContaining("'string' is not assignable to parameter of type 'CloudEventType'") }]);
  });
});

describe('README install line and versions', () => {
  test('"Use it as a library" installs exactly the peer dependencies: the required ones, then the Pulumi entry\'s', () => {
    const meta = PKG.peerDependenciesMeta ?? {};
    const peers = Object.keys(PKG.peerDependencies);
    const required = peers.filter((p) => !meta[p]?.optional).sort();
    const optional = peers.filter((p) => meta[p]?.optional).sort();
    const lines = section('Use it as a library').split('\n').filter((l) => l.startsWith('npm install '))
      .map((l) => l.replace(/\s+#.*$/, '').trim().split(/\s+/).slice(2));
    expect(lines).toHaveLength(2);
    expect(lines[0][0]).toBe('platform-blueprints');
    expect(lines[0].slice(1).sort()).toEqual(required);
    expect(lines[1].slice().sort()).toEqual(optional);
  });

  test('the Versions table lists every dependency and peer dependency with the range package.json declares', () => {
    const rows = new Map<string, string[]>();
    for (const line of section('Versions').split('\n')) {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const name = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
      if (name && cells.length === 4) rows.set(name, cells.slice(1));
    }
    const expected = new Map<string, string[]>();
    for (const [name, range] of Object.entries(PKG.dependencies)) expected.set(name, ['dependency', `\`${range}\``, '—']);
    for (const [name, range] of Object.entries(PKG.peerDependencies)) {
      const optional = PKG.peerDependenciesMeta?.[name]?.optional ? ' (optional)' : '';
      expected.set(name, [`peer${optional}`, `\`${range}\``, `\`${PKG.devDependencies[name]}\``]);
    }
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });
});
