/**
 * The README's TypeScript blocks, type-checked against the package's public entry points as a consumer imports them
 * (`platform-blueprints`, `platform-blueprints/pulumi`, mapped by tsconfig.json's `paths` onto the sources).
 *
 * A block that continues an earlier one names what it uses in an HTML comment right before its fence, invisible on
 * GitHub: `<!-- snippet-preamble: import { Chart } from 'cdk8s'; declare const chart: Chart; -->`. The preamble is
 * compiled in front of the block; diagnostics in it are reported too.
 */
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

export interface Snippet {
  /** 1-based line of the block's first code line in the markdown. */
  readonly line: number;
  readonly preamble: string;
  readonly code: string;
}

export interface SnippetProblem {
  readonly line: number;
  readonly message: string;
}

const FENCE = /^```(\S*)\s*$/;
const PREAMBLE = /^<!--\s*snippet-preamble:([\s\S]*?)-->\s*$/;

/** Every ```ts / ```typescript block of a markdown text, with the preamble comment right before it. */
export function extractTsSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`unclosed code fence at line ${i + 1}`);
    if (open[1] === 'ts' || open[1] === 'typescript') {
      // Only the comment that ends right before the fence (blank lines between are allowed) belongs to this block.
      const before = lines.slice(0, i).join('\n');
      const preamble = PREAMBLE.exec(before.slice(before.lastIndexOf('<!--')))?.[1].trim() ?? '';
      out.push({ line: i + 2, preamble, code: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return out;
}

function compilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, 'tsconfig.json');
  const json = ts.readConfigFile(file, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(json.config, ts.sys, ROOT, undefined, file);
  // A snippet shows usage; a name it declares but does not use is not an error for the reader.
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true, incremental: false };
}

/**
 * Type-checks all snippets in one Program (each its own module) and returns the problems, each at its markdown
 * line (a problem in a preamble is reported at the block's first line).
 */
export function checkSnippets(snippets: readonly Snippet[]): SnippetProblem[] {
  const options = compilerOptions();
  const virtual = new Map<string, { text: string; snippet: Snippet; preambleLines: number }>();
  snippets.forEach((s, n) => {
    const head = s.preamble ? `${s.preamble}\n` : '';
    // `export {}` makes every block a module, so two blocks may declare the same names.
    const text = `${head}${s.code}\nexport {};\n`;
    virtual.set(path.join(ROOT, 'test', `__readme_snippet_${n}.ts`), { text, snippet: s, preambleLines: head.split('\n').length - 1 });
  });
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => {
    const v = virtual.get(path.resolve(name));
    return v ? ts.createSourceFile(name, v.text, lang, true) : getSourceFile(name, lang, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(path.resolve(name)) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => virtual.get(path.resolve(name))?.text ?? readFile(name);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const problems: SnippetProblem[] = [];
  for (const [name, v] of virtual) {
    const sf = program.getSourceFile(name) as ts.SourceFile;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      const line = at < v.preambleLines ? v.snippet.line : v.snippet.line + at - v.preambleLines;
      const where = at < v.preambleLines ? ' (in its snippet-preamble)' : '';
      problems.push({ line, message: `${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${where}` });
    }
  }
  return problems;
}
