/**
 * The bad-input catalogue: every place the library refuses input, found in the source with the TypeScript parser,
 * paired with an example message recorded from the test suite, rendered as docs/bad-input.md.
 *
 * A rule is a call `invalid(scope, field, value, rule, hint?)` or `new ValidationError(scope, field, problem)` in
 * constructs/ (thrown while constructing or wiring), a message returned by a `node.addValidation` (reported at
 * synth), or a `fail(key, value, rule)` of the Pulumi stack configuration (src/pulumi/config.ts). Functions that take
 * a `field` parameter and throw for it (`requireName`, `requireImage`, ...) are shared rules; their call sites are
 * listed under each construct with the field they check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export type SiteKind = 'input' | 'synth' | 'config';

export interface Site {
  readonly kind: SiteKind;
  /** Repository-relative source file. */
  readonly file: string;
  /** `Class` (constructor), `Class.method`, or `function()`. */
  readonly owner: string;
  /** The field as written, with interpolations shown as ‹expression›; '' for synth-time rules. */
  readonly field: string;
  readonly rule: string;
  readonly hint: string;
  /** Source of a RegExp every message of this rule matches. */
  readonly pattern: string;
  /** How much literal text the pattern holds; the most specific matching rule owns a message. */
  readonly specificity: number;
  /** Name of the shared rule function this site is in, if any. */
  readonly helper?: string;
  /**
   * When the rule is a problem computed by a function (`const problem = checkName(...)`): the texts that function
   * returns, each a rule of its own. Not part of the key: they are listed with the site.
   */
  readonly problems?: string[];
}

/** A construct checking one of its fields with a shared rule function. */
export interface HelperUse {
  readonly file: string;
  readonly owner: string;
  readonly field: string;
  readonly helper: string;
}

export interface Catalogue {
  readonly sites: Site[];
  readonly uses: HelperUse[];
}

/** A message recorded while the test suite ran. */
export interface RecordedError {
  readonly kind: SiteKind;
  readonly message: string;
  /** Repository-relative library files on the stack, innermost first (errors.ts excluded). */
  readonly files: string[];
  /** The function names of those frames as V8 prints them (`requireName`, `new KnativeFunction`, `Redis.bind`). */
  readonly functions: string[];
}

/** How V8 names the frame of a rule's owner: `new Class` for a constructor, `fn` for `fn()`. */
function frameName(owner: string): string {
  if (owner.endsWith('()')) return owner.slice(0, -2);
  return owner.includes('.') ? owner : `new ${owner}`;
}

export const SOURCE_DIRS = ['constructs', 'src/pulumi'];
const SKIP_DIRS = new Set(['imports']);
/** Where ValidationError and invalid() are defined (not rules themselves). */
const ERRORS_FILE = 'constructs/core/errors.ts';
const CONFIG_FILE = 'src/pulumi/config.ts';

/** Key of a row in the catalogue (and in the examples file). */
export function siteKey(s: Site): string {
  return [s.kind, s.file, s.owner, s.field, s.rule, s.hint].join(' | ');
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...sourceFiles(root, path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out.sort();
}

interface Piece {
  readonly display: string;
  readonly pattern: string;
  readonly literal: number;
}

const ANY = '[\\s\\S]*?';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Display text and pattern of a message part: literals as they are, everything computed as ‹expression›. */
function piece(node: ts.Expression, sf: ts.SourceFile): Piece {
  if (ts.isParenthesizedExpression(node)) return piece(node.expression, sf);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    return { display: node.text, pattern: escapeRegExp(node.text), literal: node.text.length };
  }
  if (ts.isTemplateExpression(node)) {
    let display = node.head.text;
    let pattern = escapeRegExp(node.head.text);
    let literal = node.head.text.length;
    for (const span of node.templateSpans) {
      display += `‹${span.expression.getText(sf)}›${span.literal.text}`;
      pattern += ANY + escapeRegExp(span.literal.text);
      literal += span.literal.text.length;
    }
    return { display, pattern, literal };
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = piece(node.left, sf);
    const right = piece(node.right, sf);
    return { display: left.display + right.display, pattern: left.pattern + right.pattern, literal: left.literal + right.literal };
  }
  if (ts.isConditionalExpression(node)) {
    const a = piece(node.whenTrue, sf);
    const b = piece(node.whenFalse, sf);
    return { display: `‹${node.getText(sf).replace(/\s+/g, ' ')}›`, pattern: `(?:${a.pattern}|${b.pattern})`, literal: Math.min(a.literal, b.literal) };
  }
  return { display: `‹${node.getText(sf).replace(/\s+/g, ' ')}›`, pattern: ANY, literal: 0 };
}

/** The named function, method or constructor a node sits in, and its class. */
function ownerOf(node: ts.Node): { owner: string; fn?: ts.SignatureDeclaration } {
  let fn: ts.SignatureDeclaration | undefined;
  let fnName: string | undefined;
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (!fnName) {
      if (ts.isConstructorDeclaration(n)) { fn = n; fnName = ''; }
      else if ((ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isFunctionDeclaration(n)) && n.name) { fn = n; fnName = n.name.getText(); }
      else if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent)) { fn = n; fnName = n.parent.name.getText(); }
    }
    if (ts.isClassDeclaration(n) && n.name) {
      return { owner: fnName ? `${n.name.text}.${fnName}` : n.name.text, fn };
    }
  }
  return { owner: fnName ? `${fnName}()` : '(module)', fn };
}

/** A top-level function taking a `field` parameter: the index of that parameter. */
function fieldParameter(fn: ts.SignatureDeclaration | undefined): number {
  if (!fn || !ts.isFunctionDeclaration(fn) || !fn.name) return -1;
  return fn.parameters.findIndex((p) => p.name.getText() === 'field');
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  return undefined;
}

/**
 * Message expressions a synth-time validation returns: elements of returned arrays, bodies of a returned `.map`, and
 * what `this.method()` calls in it return.
 */
/** The return expressions of a function body, not those of the functions nested in it. */
function forEachReturn(body: ts.Node | undefined, visit: (e: ts.Expression) => void): void {
  const walk = (n: ts.Node): void => {
    if (ts.isReturnStatement(n) && n.expression) visit(n.expression);
    else if (!ts.isFunctionLike(n)) n.forEachChild(walk);
  };
  body?.forEachChild(walk);
}

/** The values an expression can take: through parentheses and both branches of conditionals. */
function alternatives(e: ts.Expression): ts.Expression[] {
  if (ts.isParenthesizedExpression(e)) return alternatives(e.expression);
  if (ts.isConditionalExpression(e)) return [...alternatives(e.whenTrue), ...alternatives(e.whenFalse)];
  return [e];
}

/** A string literal, a template or a concatenation. */
function isText(e: ts.Expression): boolean {
  return ts.isStringLiteralLike(e) || ts.isTemplateExpression(e) || (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken);
}

function synthMessages(call: ts.CallExpression, cls: ts.ClassDeclaration | undefined): ts.Expression[] {
  const out: ts.Expression[] = [];
  const returned = (e: ts.Expression): void => {
    if (ts.isParenthesizedExpression(e)) return returned(e.expression);
    if (ts.isArrayLiteralExpression(e)) out.push(...e.elements.filter((x) => !ts.isIdentifier(x)));
    else if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map') {
      const fn = e.arguments[0];
      if (fn && ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) out.push(fn.body);
    }
  };
  const arg = call.arguments[0];
  if (!arg || !ts.isObjectLiteralExpression(arg)) return out;
  for (const prop of arg.properties) {
    const fn = ts.isPropertyAssignment(prop) ? prop.initializer : undefined;
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) continue;
    if (ts.isBlock(fn.body)) forEachReturn(fn.body, returned);
    else returned(fn.body);
    const visitCalls = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.expression.kind === ts.SyntaxKind.ThisKeyword && cls) {
        const name = n.expression.name.text;
        const method = cls.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === name);
        forEachReturn(method?.body, (e) => {
          if (isText(e)) out.push(e);
        });
      }
      n.forEachChild(visitCalls);
    };
    visitCalls(fn.body);
  }
  return out;
}

/**
 * The texts a problem function returns: string returns, and the string branches of conditional returns. A text that
 * embeds another problem function's result (`has an invalid ${name} field: ${problem}`) is kept with a marker for
 * expansion: `⟦<function>⟧⟦<identifier>⟧<text>`.
 */
function returnedTexts(fn: ts.FunctionDeclaration, sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const nested = (e: ts.Expression): string | undefined => {
    if (!ts.isTemplateExpression(e)) return undefined;
    for (const span of e.templateSpans) {
      const by = computedBy(span.expression, fn, sf);
      if (by && by.calls.length === 1) return `⟦${by.calls[0]}⟧⟦${span.expression.getText(sf)}⟧`;
    }
    return undefined;
  };
  forEachReturn(fn.body, (returned) => {
    for (const e of alternatives(returned).filter(isText)) out.push((nested(e) ?? '') + piece(e, sf).display);
  });
  return out;
}

/**
 * How a rule identifier was computed in its function: `const problem = checkName(rule, value)` (the problem
 * function's name), or a conditional of such a call and literal texts (`typeof x === 'string' ? cronProblem(x) :
 * 'is required'`).
 */
function computedBy(rule: ts.Expression, fn: ts.Node | undefined, sf: ts.SourceFile): { calls: string[]; texts: string[] } | undefined {
  if (!ts.isIdentifier(rule) || !fn) return undefined;
  const calls: string[] = [];
  const texts: string[] = [];
  const walk = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.name.getText() === rule.text && n.initializer) {
      for (const e of alternatives(n.initializer)) {
        if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) calls.push(e.expression.text);
        else if (isText(e)) texts.push(piece(e, sf).display);
      }
    }
    n.forEachChild(walk);
  };
  fn.forEachChild(walk);
  return calls.length ? { calls, texts } : undefined;
}

/** Scans the library's sources for every rule. */
export function scanCatalogue(root: string): Catalogue {
  const problemFunctions = new Map<string, string[]>();
  const computed = new Map<Site, { calls: string[]; texts: string[] }>();
  const sites: Site[] = [];
  const calls: Array<{ file: string; owner: string; name: string; args: ts.NodeArray<ts.Expression>; sf: ts.SourceFile; within?: string; param: number }> = [];
  const helpers = new Map<string, number>();
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(root, d))) {
    const rel = relative(root, join(root, file));
    if (rel === ERRORS_FILE) continue;
    const text = readFileSync(join(root, file), 'utf8');
    const sf = ts.createSourceFile(rel, text, ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionDeclaration(node) && node.name) {
        const texts = returnedTexts(node, sf);
        if (texts.length) problemFunctions.set(node.name.text, texts);
      }
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
        const name = calleeName(node);
        const { owner, fn } = ownerOf(node);
        const isInvalid = ts.isCallExpression(node) && name === 'invalid' && node.arguments.length >= 4;
        const isNew = ts.isNewExpression(node) && name === 'ValidationError' && node.arguments.length === 3;
        const isConfig = rel === CONFIG_FILE && ts.isCallExpression(node) && name === 'fail' && node.arguments.length === 3;
        if (isInvalid || isNew || isConfig) {
          const args = node.arguments;
          const field = piece(args[isConfig ? 0 : 1], sf);
          const rule = piece(args[isNew ? 2 : isConfig ? 2 : 3], sf);
          const hint = isInvalid && args[4] ? piece(args[4], sf) : undefined;
          let pattern: string;
          if (isConfig) pattern = `^platform-blueprints:${field.pattern} \\(${ANY}\\) ${rule.pattern}$`;
          else if (isNew) pattern = `^${ANY}: ${field.pattern} ${rule.pattern}$`;
          else {
            const hintPattern = hint ? (hint.literal === 0 || !ts.isStringLiteralLike(args[4]) ? `(?:; ${hint.pattern})?` : `; ${hint.pattern}`) : '';
            pattern = `^${ANY}: ${field.pattern} \\(${ANY}\\) ${rule.pattern}${hintPattern}$`;
          }
          const param = fieldParameter(fn);
          const helper = param >= 0 && fn && ts.isFunctionDeclaration(fn) && fn.name ? fn.name.text : undefined;
          if (helper) helpers.set(helper, param);
          const site: Site = {
            kind: isConfig ? 'config' : 'input', file: rel, owner, field: field.display, rule: rule.display, hint: hint?.display ?? '',
            pattern, specificity: field.literal + rule.literal + (hint?.literal ?? 0), helper,
          };
          sites.push(site);
          const by = computedBy(args[isNew ? 2 : isConfig ? 2 : 3], fn, sf);
          if (by) computed.set(site, by);
        } else if (name) {
          const param = fieldParameter(fn);
          calls.push({ file: rel, owner, name, args: node.arguments, sf, param, within: param >= 0 && fn && ts.isFunctionDeclaration(fn) ? fn.name?.text : undefined });
        }
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'addValidation') {
          const cls = findClass(node);
          for (const message of synthMessages(node, cls)) {
            const p = piece(message, sf);
            sites.push({
              kind: 'synth', file: rel, owner: cls?.name ? cls.name.text : owner, field: '', rule: p.display, hint: '',
              pattern: `^${p.pattern}$`, specificity: p.literal,
            });
          }
        }
      }
      node.forEachChild(visit);
    };
    visit(sf);
  }
  // Shared rules call each other (requireQuantity → requireName ...): a function passing its own `field` on is one too.
  for (let grew = true; grew;) {
    grew = false;
    for (const c of calls) {
      const param = helpers.get(c.name);
      if (param === undefined || !c.within || helpers.has(c.within) || c.args[param]?.getText(c.sf) !== 'field') continue;
      helpers.set(c.within, c.param);
      grew = true;
    }
  }
  const uses: HelperUse[] = [];
  for (const c of calls) {
    const param = helpers.get(c.name);
    if (param === undefined || !c.args[param]) continue;
    uses.push({ file: c.file, owner: c.owner, field: piece(c.args[param], c.sf).display, helper: c.name });
  }
  // A nested problem (`...: ‹problem›` where problem = fieldProblem(...)) expands into the inner function's texts.
  const expand = (text: string): string[] => {
    const m = /^⟦([^⟧]+)⟧⟦([^⟧]+)⟧([\s\S]*)$/.exec(text);
    if (!m) return [text];
    const inner = problemFunctions.get(m[1]) ?? [];
    return inner.length ? inner.flatMap(expand).map((t) => m[3].replace(`‹${m[2]}›`, t)) : [m[3]];
  };
  const withProblems = sites.map((s) => {
    const by = computed.get(s);
    if (!by) return s;
    const texts = [...by.calls.flatMap((f) => problemFunctions.get(f) ?? []), ...by.texts].flatMap(expand);
    return texts.length ? { ...s, problems: [...new Set(texts)] } : s;
  });
  return { sites: dedupe(withProblems, siteKey), uses: dedupe(uses, (u) => [u.file, u.owner, u.field, u.helper].join(' | ')) };
}

function findClass(node: ts.Node): ts.ClassDeclaration | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) if (ts.isClassDeclaration(n)) return n;
  return undefined;
}

function dedupe<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The rule a recorded message came from: among the rules of the file that raised it (the innermost library file on
 * its stack), the most specific one whose pattern matches.
 */
export function matchSite(sites: Site[], record: RecordedError): Site | undefined {
  // A ValidationError built outside the library (a test's own) has no library frame: it is no rule's example.
  if (record.kind !== 'synth' && record.files.length === 0) return undefined;
  const origin = record.kind === 'synth' ? undefined : record.files[0];
  const inFunction = record.kind === 'synth' ? undefined : record.functions[0];
  let best: Site | undefined;
  let bestScore = -1;
  for (const s of sites) {
    if (s.kind !== record.kind || (origin !== undefined && s.file !== origin)) continue;
    if (!new RegExp(s.pattern).test(record.message)) continue;
    // Rules with the same text in different functions (requireLabels and requireAnnotationKeys) are told apart by
    // the function on the stack.
    const score = (inFunction !== undefined && inFunction.endsWith(frameName(s.owner)) ? 1_000_000 : 0) + s.specificity;
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/** Picks one example per rule: the shortest recorded message (ties: alphabetical), so reruns give the same file. */
export function pickExamples(sites: Site[], records: RecordedError[]): Record<string, string> {
  const examples: Record<string, string> = {};
  for (const r of records) {
    const site = matchSite(sites, r);
    if (!site) continue;
    const key = siteKey(site);
    const current = examples[key];
    if (current === undefined || r.message.length < current.length || (r.message.length === current.length && r.message < current)) {
      examples[key] = r.message;
    }
  }
  return Object.fromEntries(Object.entries(examples).sort(([a], [b]) => a.localeCompare(b)));
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  if (text === '') return '';
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${ticks === '``' ? ' ' : ''}${cell(text)}${ticks === '``' ? ' ' : ''}${ticks}`;
}

function anchor(helper: string): string {
  return `rule-${helper.toLowerCase()}`;
}

/** The catalogue as Markdown. */
export function renderCatalogue(catalogue: Catalogue, examples: Record<string, string>): string {
  const { sites, uses } = catalogue;
  const lines: string[] = [
    '# Bad-input catalogue',
    '',
    '<!-- Generated by `npm run docs:bad-input` from the sources and the test suite; `npm test` checks it is current. -->',
    '',
    'Every rule with which platform-blueprints refuses input, with a message the test suite produced. Input errors',
    'are thrown as `ValidationError` when a construct is created or wired (`constructPath`, `field` and the message',
    '`<construct path>: <field> (<value>) <rule>; <how to fix>`), and by the app-level checks at synth (a name taken',
    'twice, an event type nothing produces, an invalid plan) on every path: `cdk8s synth`, `Testing.synth`, the Pulumi',
    'bridge; the constructs\' own synth-time rules are reported by `cdk8s synth` / `app.synth()` for the whole app at',
    'once; stack-configuration rules are thrown by the Pulumi program as',
    '`ConfigError` before anything is registered. The policy rules (PB001–PB008) that check the synthesized objects',
    'are listed in the README.',
    '',
    `In ‹…› is what the library fills in; where a rule's text is computed by a function (name rules, cron schedules,`,
    'patterns), the row lists every text it can take. A claim\'s values are checked against its API\'s own schema',
    '(the `Claim` row): those rules are the API\'s, written with `SchemaField`.',
    '',
    `${sites.length} rules, ${uses.length} fields checked with shared rules.`,
    '',
  ];
  const shared = sites.filter((s) => s.helper);
  const byFile = new Map<string, Site[]>();
  for (const s of sites.filter((x) => !x.helper && x.kind !== 'config')) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  const usesByFile = new Map<string, HelperUse[]>();
  for (const u of uses) usesByFile.set(u.file, [...(usesByFile.get(u.file) ?? []), u]);
  const files = [...new Set([...byFile.keys(), ...usesByFile.keys()])].filter((f) => f !== CONFIG_FILE).sort();

  const ruleText = (s: Site): string => {
    const base = s.hint ? `${s.rule}; ${s.hint}` : s.rule;
    return s.problems ? `${base} — ${s.rule} is one of: ${s.problems.map((p) => `«${p}»`).join('; ')}` : base;
  };
  const row = (s: Site, where: string): string => {
    const rule = s.kind === 'synth' ? `at synth: ${s.rule}` : ruleText(s);
    return `| ${cell(where)} | ${code(s.field)} | ${cell(rule)} | ${code(examples[siteKey(s)] ?? '')} |`;
  };
  lines.push('## Constructs', '');
  for (const file of files) {
    const owners = [...new Set([...(byFile.get(file) ?? []).map((s) => s.owner), ...(usesByFile.get(file) ?? []).map((u) => u.owner)])];
    const classes = [...new Set(owners.map((o) => o.split('.')[0]).filter((o) => !o.endsWith(')')))];
    lines.push(`### ${classes.length ? classes.join(', ') : file.split('/').pop()} (\`${file}\`)`, '');
    lines.push('| Where | Field | Rule | Example |', '|---|---|---|---|');
    for (const s of byFile.get(file) ?? []) lines.push(row(s, s.owner));
    for (const u of usesByFile.get(file) ?? []) {
      lines.push(`| ${cell(u.owner)} | ${code(u.field)} | shared rule [\`${u.helper}\`](#${anchor(u.helper)}) |  |`);
    }
    lines.push('');
  }
  lines.push('## Shared rules', '', 'Applied to the fields listed above with the rule\'s name.', '');
  for (const helper of [...new Set(shared.map((s) => s.helper as string))].sort()) {
    lines.push(`### ${helper}`, '', `<a id="${anchor(helper)}"></a>`, '', `\`${shared.find((s) => s.helper === helper)?.file}\``, '');
    lines.push('| Field | Rule | Example |', '|---|---|---|');
    for (const s of shared.filter((x) => x.helper === helper)) {
      lines.push(`| ${code(s.field)} | ${cell(ruleText(s))} | ${code(examples[siteKey(s)] ?? '')} |`);
    }
    lines.push('');
  }
  const config = sites.filter((s) => s.kind === 'config');
  lines.push('## Pulumi stack configuration', '', `\`${CONFIG_FILE}\`; keys are set with \`pulumi config set platform-blueprints:<key> <value>\`.`, '');
  lines.push('| Key | Rule | Example |', '|---|---|---|');
  for (const s of config) lines.push(`| ${code(s.field)} | ${cell(s.rule)} | ${code(examples[siteKey(s)] ?? '')} |`);
  lines.push('');
  return lines.join('\n');
}
