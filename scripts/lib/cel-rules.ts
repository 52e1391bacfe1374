/**
 * CEL validation rules of CRD schemas (`x-kubernetes-validations`), evaluated as the API server evaluates them
 * (k8s.io/apiextensions-apiserver `pkg/apiserver/schema/cel`, k8s.io/apiserver `pkg/cel/common`), with the
 * `@bufbuild/cel` interpreter:
 *
 * - a rule applies at its schema node, `self` bound to the value there; absent and null values are not checked;
 * - values are typed by the schema: `integer` → int, `number` → double, `x-kubernetes-int-or-string` → int or
 *   string, `format: byte|date|date-time|duration` → bytes, timestamp, duration; objects with properties expose their
 *   declared fields only (names escaped as Kubernetes escapes them: `namespace` → `__namespace__`, `-` → `__dash__`,
 *   ...), the root and embedded resources expose `apiVersion`, `kind`, `metadata.name` and `metadata.generateName`;
 * - equality follows Kubernetes: `x-kubernetes-list-type: set|map` lists compare without order, and fields the schema
 *   does not declare (preserved unknown fields) still take part in `==`;
 * - transition rules (that reference `oldSelf`) run only on an update, where an old value correlates: same property,
 *   same map key, same map-list key (never through atomic or set lists);
 * - the error carries `message`, or `messageExpression` when it evaluates to a non-empty single line, the `reason`
 *   (Invalid, Forbidden, Required, Duplicate) and the `fieldPath`, as the API server words it;
 * - a rule that does not compile is reported at its node on every object of the kind: parse errors, unknown
 *   identifiers, fields the schema does not declare, functions the environment lacks, invalid constant regexes,
 *   `oldSelf` below an uncorrelatable list, `optionalOldSelf` (optional types are not available here).
 * Not modelled: the cost budget, and ratcheting (on an update every rule is checked, even on unchanged fields).
 *
 * The environment is standard CEL plus the strings extension (`lowerAscii`, `split`, `indexOf`, ...), which is what
 * the pinned CRDs use; the Kubernetes-only libraries (lists `isSorted`/`sum`/..., regex `find`, `url`, `quantity`,
 * `ip`/`cidr`, named `format.*`, `semver`, authz) are not used by any pinned CRD and are not declared, so a rule that
 * needs one fails to compile, loudly.
 */
import {
  CelFunc, CelScalar, CelValue, celEnv, celFunc, celList, celMap, isCelError, parse, plan, run,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { escapeProperty } from '../../constructs/core/k8s-rules';

export { escapeProperty };

/** One `x-kubernetes-validations` entry as a CRD schema carries it. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

type Program = (bindings: { self: CelValue; oldSelf?: CelValue }) => unknown;

interface CompiledRule {
  readonly source: ValidationRule;
  readonly program?: Program;
  readonly messageProgram?: Program;
  readonly usesOldSelf: boolean;
  /** JSON-pointer segments of `fieldPath`, relative to the node. */
  readonly fieldPath: string[];
  readonly error?: string;
}

/** The compiled rules of one schema node and of the nodes below it that have rules. */
interface RuleNode {
  readonly schema: any;
  /** The schema `self` is typed by (with type and object meta at a resource root). */
  readonly selfSchema: any;
  readonly rules: CompiledRule[];
  readonly properties: Map<string, RuleNode>;
  readonly additionalProperties?: RuleNode;
  readonly items?: RuleNode;
  readonly allOf: RuleNode[];
}

const STRING_SCHEMA = { type: 'string' };
const withMetaCache = new WeakMap<object, any>();

/**
 * The schema of a resource root or embedded resource as CEL sees it: `apiVersion`, `kind`, `metadata.name` and
 * `metadata.generateName` are always there (Kubernetes `WithTypeAndObjectMeta`).
 */
function withTypeAndObjectMeta(schema: any): any {
  const p = schema.properties ?? {};
  if (p.kind?.type === 'string' && p.apiVersion?.type === 'string' && p.metadata?.properties?.name?.type === 'string'
    && p.metadata?.properties?.generateName?.type === 'string') return schema;
  let out = withMetaCache.get(schema);
  if (!out) {
    out = {
      ...schema,
      type: 'object',
      properties: {
        ...p,
        kind: STRING_SCHEMA,
        apiVersion: STRING_SCHEMA,
        metadata: { type: 'object', properties: { name: STRING_SCHEMA, generateName: STRING_SCHEMA } },
      },
    };
    withMetaCache.set(schema, out);
  }
  return out;
}

function isObjectWithFields(schema: any): boolean {
  return schema.type === 'object' && (schema.properties !== undefined || schema['x-kubernetes-embedded-resource'] === true);
}

function mapValues(schema: any): any {
  const ap = schema.additionalProperties;
  return ap && typeof ap === 'object' ? ap : undefined;
}

/** Whether a schema node is visible to CEL at all (Kubernetes `SchemaDeclType` is not nil). */
function exposed(schema: any): boolean {
  if (!schema || typeof schema !== 'object') return false;
  if (schema['x-kubernetes-int-or-string'] === true) return true;
  switch (schema.type) {
    case 'array': return exposed(schema.items);
    case 'object': return mapValues(schema) ? exposed(mapValues(schema)) : true;
    case 'string': case 'boolean': case 'number': case 'integer': return true;
    default: return false;
  }
}

const fieldsCache = new WeakMap<object, Map<string, { name: string; schema: any }>>();

/** Declared fields of an object schema as CEL sees them: escaped name → property name and schema (cached per schema). */
function celFields(schema: any): Map<string, { name: string; schema: any }> {
  let out = fieldsCache.get(schema);
  if (!out) {
    out = new Map();
    for (const [name, child] of Object.entries<any>(schema.properties ?? {})) {
      const escaped = escapeProperty(name);
      if (escaped !== undefined && exposed(child)) out.set(escaped, { name, schema: child });
    }
    fieldsCache.set(schema, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Values: JSON as the schema types it

/** The JSON value and schema behind a CEL list or map made here, for Kubernetes equality. */
const origins = new WeakMap<object, { raw: any; schema: any }>();

function tracked<T extends object>(value: T, raw: any, schema: any): T {
  origins.set(value, { raw, schema });
  return value;
}

/** A CEL value for JSON the schema does not describe (only equality can reach it). */
function untypedToCel(value: any): any {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return celList(value.map(untypedToCel));
  if (typeof value === 'object') return celMap(new Map(Object.entries(value).map(([k, v]) => [k, untypedToCel(v)])));
  return value;
}

/** CEL's own string → timestamp and duration conversions. */
const TO_TIMESTAMP = plan(celEnv(), parse('timestamp(s)')) as unknown as (b: { s: string }) => unknown;
const TO_DURATION = plan(celEnv(), parse('duration(s)')) as unknown as (b: { s: string }) => unknown;

function convertString(value: string, format: unknown): any {
  switch (format) {
    case 'byte': return new Uint8Array(Buffer.from(value, 'base64'));
    case 'date-time': case 'date': case 'duration': {
      const convert = format === 'duration' ? TO_DURATION : TO_TIMESTAMP;
      const converted = convert({ s: format === 'date' ? `${value}T00:00:00Z` : value });
      // Invalid data is the OpenAPI format check's to report; CEL then sees the string.
      return isCelError(converted) ? value : converted;
    }
    default: return value;
  }
}

/** Converts JSON to the CEL value Kubernetes binds for this schema (`UnstructuredToVal`). */
export function toCel(value: any, schema: any): any {
  if (value === null || value === undefined) return null;
  if (!schema || typeof schema !== 'object') return untypedToCel(value);
  if (schema['x-kubernetes-int-or-string'] === true) return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return untypedToCel(value);
      const s = schema['x-kubernetes-embedded-resource'] === true ? withTypeAndObjectMeta(schema) : schema;
      return tracked(celMap(new SchemaMap(value, s)), value, s);
    }
    case 'array':
      if (!Array.isArray(value)) return untypedToCel(value);
      return tracked(celList(value.map((item) => toCel(item, schema.items))), value, schema);
    case 'string': return typeof value === 'string' ? convertString(value, schema.format) : untypedToCel(value);
    case 'integer': return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : untypedToCel(value);
    case 'number': return typeof value === 'number' ? value : untypedToCel(value);
    default: return untypedToCel(value);
  }
}

/**
 * A JSON object as a CEL map, converted lazily: an object with properties exposes its declared, non-null fields under
 * their escaped names; a map (additionalProperties) all its keys; any other object none. `size()` counts every key,
 * as Kubernetes does.
 */
class SchemaMap implements ReadonlyMap<string, any> {
  private readonly memo = new Map<string, any>();
  private readonly fields?: Map<string, { name: string; schema: any }>;
  private readonly values_?: any;

  constructor(private readonly raw: Record<string, any>, schema: any) {
    if (isObjectWithFields(schema)) this.fields = celFields(schema);
    else this.values_ = mapValues(schema);
  }

  private lookup(key: string): { name: string; schema: any } | undefined {
    if (this.fields) {
      const field = this.fields.get(key);
      return field && this.raw[field.name] !== null && this.raw[field.name] !== undefined ? field : undefined;
    }
    if (this.values_ && Object.prototype.hasOwnProperty.call(this.raw, key)) return { name: key, schema: this.values_ };
    return undefined;
  }

  public get size(): number {
    return Object.keys(this.raw).length;
  }

  public get(key: string): any {
    if (typeof key !== 'string') return undefined;
    if (this.memo.has(key)) return this.memo.get(key);
    const field = this.lookup(key);
    if (!field) return undefined;
    const converted = toCel(this.raw[field.name], field.schema);
    this.memo.set(key, converted);
    return converted;
  }

  public has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  public keys(): MapIterator<string> {
    let keys: string[] = [];
    if (this.fields) keys = [...this.fields.keys()].filter((escaped) => this.lookup(escaped));
    else if (this.values_) keys = Object.keys(this.raw);
    return keys[Symbol.iterator]() as MapIterator<string>;
  }

  public *entries(): MapIterator<[string, any]> {
    for (const key of this.keys()) yield [key, this.get(key)];
  }

  public *values(): MapIterator<any> {
    for (const key of this.keys()) yield this.get(key);
  }

  public forEach(callback: (value: any, key: string, map: ReadonlyMap<string, any>) => void, thisArg?: any): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  public [Symbol.iterator](): MapIterator<[string, any]> {
    return this.entries();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Equality as Kubernetes defines it for schema-typed values

function deepEqualJson(a: any, b: any): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => deepEqualJson(x, b[i]));
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqualJson(a[k], b[k]));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 instant as [seconds, nanoseconds], for comparing timestamps written differently. */
function instant(value: string): [number, number] | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const offset = /^[Zz]$/.test(m[8]) ? 0 : (m[8].startsWith('-') ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6)));
  const seconds = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 - offset * 60;
  return [seconds, Number((m[7] ?? '').padEnd(9, '0'))];
}

function setKey(value: any): string {
  return JSON.stringify(value);
}

/** `a == b` for two JSON values of one schema, as Kubernetes' unstructured CEL values compare. */
function schemaEquals(a: any, b: any, schema: any): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (!schema || typeof schema !== 'object' || schema['x-kubernetes-int-or-string'] === true) return deepEqualJson(a, b);
  if (schema.type === 'string' && typeof a === 'string' && typeof b === 'string' && a !== b) {
    if (schema.format === 'date-time' || schema.format === 'date') {
      const [x, y] = schema.format === 'date' ? [instant(`${a}T00:00:00Z`), instant(`${b}T00:00:00Z`)] : [instant(a), instant(b)];
      return !!x && !!y && x[0] === y[0] && x[1] === y[1];
    }
    if (schema.format === 'byte') return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
    return false;
  }
  if (schema.type === 'array' && Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set') {
      const sa = new Set(a.map(setKey));
      const sb = new Set(b.map(setKey));
      return sa.size === sb.size && [...sb].every((k) => sa.has(k));
    }
    if (listType === 'map' && Array.isArray(schema['x-kubernetes-list-map-keys'])) {
      const keys: string[] = schema['x-kubernetes-list-map-keys'];
      const keyOf = (item: any) => JSON.stringify(keys.map((k) => item?.[k]));
      const byKey = new Map(a.map((item) => [keyOf(item), item]));
      const seen = new Set<string>();
      for (const item of b) {
        const k = keyOf(item);
        if (!byKey.has(k) || !schemaEquals(byKey.get(k), item, schema.items)) return false;
        seen.add(k);
      }
      return seen.size === byKey.size;
    }
    return a.every((item, i) => schemaEquals(item, b[i], schema.items));
  }
  if (schema.type === 'object' && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    if (Object.keys(a).length !== Object.keys(b).length) return false;
    const fields = isObjectWithFields(schema) ? schema.properties ?? {} : undefined;
    const values = fields ? undefined : mapValues(schema);
    for (const key of Object.keys(a)) {
      const child = fields ? (Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined) : values;
      if (child) {
        // A declared field that is null counts as absent.
        const inA = !fields || a[key] !== null;
        const inB = Object.prototype.hasOwnProperty.call(b, key) && (!fields || b[key] !== null);
        if (inA !== inB) return false;
        if (inA && !schemaEquals(a[key], b[key], child)) return false;
      } else if (Object.prototype.hasOwnProperty.call(b, key) && !deepEqualJson(a[key], b[key])) {
        return false;
      }
    }
    return true;
  }
  return deepEqualJson(a, b);
}

const STD = celEnv();

function stdCall(name: string, args: CelValue[]): any {
  return STD.funcs.find(name)!.call(0, undefined, args);
}

function celEquals(left: CelValue, right: CelValue): boolean | unknown {
  const l = typeof left === 'object' && left !== null ? origins.get(left) : undefined;
  const r = typeof right === 'object' && right !== null ? origins.get(right) : undefined;
  if (l && r) return schemaEquals(l.raw, r.raw, l.schema);
  return stdCall('_==_', [left, right]);
}

/** `==` and `!=` with Kubernetes' equality for schema-typed values; the standard one for everything else. */
const EQUALITY: CelFunc[] = [
  celFunc('_==_', [CelScalar.DYN, CelScalar.DYN], CelScalar.BOOL, (l, r) => celEquals(l, r) as boolean),
  celFunc('_!=_', [CelScalar.DYN, CelScalar.DYN], CelScalar.BOOL, (l, r) => {
    const eq = celEquals(l, r);
    return (typeof eq === 'boolean' ? !eq : eq) as boolean;
  }),
];

/** The CEL environment of CRD validation rules here. */
const ENV = celEnv({ funcs: [...strings, ...EQUALITY] });

// ---------------------------------------------------------------------------------------------------------------
// Compilation: parse, then check names against the schema and the environment (no full type checker is exposed
// by @bufbuild/cel, so this checks what a rule can get wrong by name)

/** What an expression is known to be at compile time: a schema node, or anything. */
type StaticType = { readonly schema: any } | undefined;

/** The static type of constants and of operators whose result is always a bool. */
const CONSTANT_TYPES: { [kind: string]: StaticType } = {
  stringValue: { schema: STRING_SCHEMA }, int64Value: { schema: { type: 'integer' } }, doubleValue: { schema: { type: 'number' } },
  boolValue: { schema: { type: 'boolean' } }, nullValue: { schema: { type: 'null' } },
};
const BOOLEAN_OPERATORS = new Set(['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_&&_', '_||_', '!_', '@in']);

const TYPE_NAMES = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

interface Scope {
  readonly vars: Map<string, StaticType>;
}

function fieldOf(type: StaticType, field: string, problems: string[]): StaticType {
  if (!type) return undefined;
  const schema = type.schema;
  if (schema['x-kubernetes-int-or-string'] === true) return undefined;
  if (schema.type === 'object') {
    if (isObjectWithFields(schema) || !mapValues(schema)) {
      const found = celFields(schema).get(field);
      if (!found) {
        problems.push(`undefined field '${field}'`);
        return undefined;
      }
      return typed(found.schema);
    }
    return typed(mapValues(schema));
  }
  problems.push(`type '${schema.type ?? 'unknown'}' does not support field selection`);
  return undefined;
}

function typed(schema: any): StaticType {
  return { schema: schema['x-kubernetes-embedded-resource'] === true ? withTypeAndObjectMeta(schema) : schema };
}

/** What iterating over a value gives: list items, map keys. */
function iterationOf(type: StaticType): StaticType {
  if (!type) return undefined;
  const s = type.schema;
  if (s.type === 'array' && s.items) return typed(s.items);
  if (s.type === 'object' && !isObjectWithFields(s) && mapValues(s)) return { schema: STRING_SCHEMA };
  return undefined;
}

/** What indexing a value gives: list items, map values. */
function indexOf(type: StaticType): StaticType {
  if (!type) return undefined;
  const s = type.schema;
  if (s.type === 'array' && s.items) return typed(s.items);
  if (s.type === 'object' && !isObjectWithFields(s) && mapValues(s)) return typed(mapValues(s));
  return undefined;
}

function constantString(expr: any): string | undefined {
  const k = expr?.exprKind;
  return k?.case === 'constExpr' && k.value.constantKind.case === 'stringValue' ? k.value.constantKind.value : undefined;
}

/** Walks a parsed expression: static field checks, known functions, constant regexes, references to oldSelf. */
function checkExpr(expr: any, scope: Scope, problems: string[], uses: Set<string>): StaticType {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr': {
      const name: string = kind.value.name;
      if (scope.vars.has(name)) {
        uses.add(name);
        return scope.vars.get(name);
      }
      if (!TYPE_NAMES.has(name)) problems.push(`undeclared reference to '${name}'`);
      return undefined;
    }
    case 'selectExpr': {
      const operand = checkExpr(kind.value.operand, scope, problems, uses);
      const field = fieldOf(operand, kind.value.field, problems);
      // has(x.f) is a presence test: a bool.
      return kind.value.testOnly ? { schema: { type: 'boolean' } } : field;
    }
    case 'callExpr': {
      const { target, args } = kind.value;
      const fn: string = kind.value.function;
      if (target) checkExpr(target, scope, problems, uses);
      const argTypes = args.map((a: any) => checkExpr(a, scope, problems, uses));
      if (fn === '_[_]') return indexOf(argTypes[0]);
      if (BOOLEAN_OPERATORS.has(fn)) return { schema: { type: 'boolean' } };
      if (/^[A-Za-z]/.test(fn)) {
        const group = ENV.funcs.find(fn);
        if (!group) {
          problems.push(`undeclared reference to function '${fn}' (the environment here is standard CEL and the strings extension; `
            + 'a Kubernetes library function is added to scripts/lib/cel-rules.ts when a pinned CRD uses it)');
        } else if (![...group].some((f) => (f.target !== undefined) === !!target && f.arguments.length === args.length)) {
          problems.push(`found no matching overload for '${fn}' applied to ${target ? 'a receiver and ' : ''}${args.length} argument(s)`);
        }
        if (fn === 'matches') {
          const pattern = constantString(target ? args[0] : args[1]);
          if (pattern !== undefined) {
            const compiled = run("''.matches(p)", { p: pattern }, { funcs: [...strings] });
            if (isCelError(compiled)) problems.push(`invalid regular expression ${JSON.stringify(pattern)}: ${compiled.message}`);
          }
        }
      }
      return undefined;
    }
    case 'constExpr':
      return CONSTANT_TYPES[kind.value.constantKind.case];
    case 'listExpr':
      kind.value.elements.forEach((e: any) => checkExpr(e, scope, problems, uses));
      return undefined;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') checkExpr(entry.keyKind.value, scope, problems, uses);
        checkExpr(entry.value, scope, problems, uses);
      }
      return undefined;
    case 'comprehensionExpr': {
      const c = kind.value;
      const range = checkExpr(c.iterRange, scope, problems, uses);
      checkExpr(c.accuInit, scope, problems, uses);
      const inner: Scope = { vars: new Map(scope.vars) };
      inner.vars.set(c.iterVar, iterationOf(range));
      if (c.iterVar2) inner.vars.set(c.iterVar2, undefined);
      inner.vars.set(c.accuVar, undefined);
      const innerUses = new Set<string>();
      checkExpr(c.loopCondition, inner, problems, innerUses);
      checkExpr(c.loopStep, inner, problems, innerUses);
      checkExpr(c.result, { vars: new Map([...scope.vars, [c.accuVar, undefined]]) }, problems, innerUses);
      // Names the comprehension binds shadow outer ones; the rest are references from the enclosing scope.
      for (const name of innerUses) if (name !== c.iterVar && name !== c.iterVar2 && name !== c.accuVar) uses.add(name);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Whether a static type is known not to be `expected` (a JSON schema type); unknown and dyn values may be anything. */
function surelyNot(type: StaticType, expected: string): boolean {
  return !!type && type.schema['x-kubernetes-int-or-string'] !== true && typeof type.schema.type === 'string' && type.schema.type !== expected;
}

function compileExpression(source: string, selfType: any, result: 'boolean' | 'string'): { program?: Program; error?: string; usesOldSelf: boolean } {
  let parsed;
  try {
    parsed = parse(source);
  } catch (e) {
    return { error: `compilation failed: ${(e as Error).message}`, usesOldSelf: false };
  }
  const problems: string[] = [];
  const uses = new Set<string>();
  const vars = new Map<string, StaticType>([['self', { schema: selfType }], ['oldSelf', { schema: selfType }]]);
  const type = checkExpr(parsed.expr, { vars }, problems, uses);
  if (!problems.length && surelyNot(type, result)) problems.push(result === 'boolean' ? 'cel expression must evaluate to a bool' : 'must evaluate to a string');
  if (problems.length) return { error: `compilation failed: ${[...new Set(problems)].join('; ')}`, usesOldSelf: uses.has('oldSelf') };
  const planned = plan(ENV, parsed) as unknown as Program;
  return { program: planned, usesOldSelf: uses.has('oldSelf') };
}

/** `fieldPath` (`.a.b`, `['a.b']`) as JSON-pointer segments, checked against the schema (`ValidFieldPath`). */
function parseFieldPath(path: string, schema: any): string[] {
  const segments: string[] = [];
  let s = schema;
  let rest = path;
  while (rest.length) {
    let name: string;
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    const quoted = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest);
    if (dotted) name = dotted[1];
    else if (quoted) name = quoted[1].replace(/\\(.)/g, '$1');
    else throw new Error(`expected [ or . at ${JSON.stringify(rest)}`);
    rest = rest.slice((dotted ?? quoted)![0].length);
    if (s?.properties) {
      if (!Object.prototype.hasOwnProperty.call(s.properties, name)) throw new Error('does not refer to a valid field');
      s = s.properties[name];
    } else if (s && mapValues(s)) {
      s = mapValues(s);
    } else {
      throw new Error('does not refer to a valid field');
    }
    segments.push(name);
  }
  return segments;
}

function compileRule(rule: ValidationRule, schema: any, selfType: any, correlatable: boolean): CompiledRule {
  const base = { source: rule, fieldPath: [] as string[] };
  if (typeof rule?.rule !== 'string' || !rule.rule.trim()) return { ...base, usesOldSelf: false, error: 'rule is empty' };
  if (rule.optionalOldSelf === true) {
    return { ...base, usesOldSelf: true, error: 'optionalOldSelf needs CEL optional types, which @bufbuild/cel does not provide' };
  }
  const compiled = compileExpression(rule.rule, selfType, 'boolean');
  if (compiled.error) return { ...base, usesOldSelf: compiled.usesOldSelf, error: compiled.error };
  if (compiled.usesOldSelf && !correlatable) {
    return { ...base, usesOldSelf: true, error: 'oldSelf cannot be used on the uncorrelatable portion of the schema (below a list that is not a map-list)' };
  }
  let messageProgram: Program | undefined;
  if (rule.messageExpression !== undefined && rule.messageExpression !== '') {
    const message = compileExpression(rule.messageExpression, selfType, 'string');
    if (message.error) return { ...base, usesOldSelf: compiled.usesOldSelf, error: `messageExpression ${message.error}` };
    messageProgram = message.program;
  }
  let fieldPath: string[] = [];
  if (rule.fieldPath) {
    try {
      fieldPath = parseFieldPath(rule.fieldPath, schema);
    } catch (e) {
      return { ...base, usesOldSelf: compiled.usesOldSelf, error: `fieldPath ${JSON.stringify(rule.fieldPath)}: ${(e as Error).message}` };
    }
  }
  const reasons = [undefined, 'FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];
  if (!reasons.includes(rule.reason)) return { ...base, usesOldSelf: compiled.usesOldSelf, error: `reason ${JSON.stringify(rule.reason)} is not one of ${reasons.slice(1).join(', ')}` };
  return { source: rule, program: compiled.program, messageProgram, usesOldSelf: compiled.usesOldSelf, fieldPath };
}

function hasRules(schema: any): boolean {
  if (!schema || typeof schema !== 'object') return false;
  if (Array.isArray(schema['x-kubernetes-validations']) && schema['x-kubernetes-validations'].length) return true;
  return Object.values<any>(schema.properties ?? {}).some(hasRules) || hasRules(schema.items)
    || hasRules(mapValues(schema)) || (schema.allOf ?? []).some(hasRules);
}

/**
 * Compiles the rules of a schema tree once (Kubernetes `NewValidator`); undefined when it has none.
 * `root`: the schema is a resource root (its `self` exposes apiVersion, kind and metadata name).
 */
export function compileRules(schema: any, root: boolean = true): RuleNode | undefined {
  return hasRules(schema) ? compileNode(schema, schema, root, true) : undefined;
}

/**
 * `rulesFrom` holds the rules and the structure to follow (the node itself, or one of its allOf branches); `schema`
 * is the node's structural schema, which types the values.
 */
function compileNode(rulesFrom: any, schema: any, root: boolean, correlatable: boolean): RuleNode {
  const selfSchema = root ? withTypeAndObjectMeta(schema) : schema;
  const declared = Array.isArray(rulesFrom['x-kubernetes-validations']) ? rulesFrom['x-kubernetes-validations'] as ValidationRule[] : [];
  const rules = exposed(selfSchema)
    ? declared.map((r) => compileRule(r, schema, selfSchema, correlatable))
    : declared.map((r) => ({ source: r, usesOldSelf: false, fieldPath: [], error: 'failed to convert to declType for CEL validation rules' }));
  const child = (from: any, node: any, correlates: boolean) => compileNode(from, node, node['x-kubernetes-embedded-resource'] === true, correlates);
  const properties = new Map<string, RuleNode>();
  for (const [name, from] of Object.entries<any>(rulesFrom.properties ?? {})) {
    const node = schema.properties?.[name];
    if (node && hasRules(from)) properties.set(name, child(from, node, correlatable));
  }
  const valuesFrom = mapValues(rulesFrom);
  const values = mapValues(schema);
  const itemsFrom = rulesFrom.items && typeof rulesFrom.items === 'object' ? rulesFrom.items : undefined;
  const items = schema.items && typeof schema.items === 'object' ? schema.items : undefined;
  // Only the items of a map-list correlate with old items (by their keys); below other lists there is no old value.
  const mapList = schema['x-kubernetes-list-type'] === 'map';
  return {
    schema,
    selfSchema,
    rules,
    properties,
    additionalProperties: valuesFrom && values && hasRules(valuesFrom) ? child(valuesFrom, values, correlatable) : undefined,
    items: itemsFrom && items && hasRules(itemsFrom) ? child(itemsFrom, items, correlatable && mapList) : undefined,
    allOf: ((rulesFrom.allOf ?? []) as any[]).filter(hasRules).map((branch) => compileNode(branch, schema, root, correlatable)),
  };
}

/** One compiled rule, where it sits (JSON pointer, `*` for any item or key) and how it compiled. */
export interface RuleListing {
  readonly path: string;
  readonly rule: string;
  /** References `oldSelf`: runs on updates only. */
  readonly transition: boolean;
  readonly error?: string;
}

/** Every rule of a compiled tree, with its compile error if any. */
export function listRules(node: RuleNode | undefined, path: string = ''): RuleListing[] {
  if (!node) return [];
  return [
    ...node.rules.map((r) => ({ path: path || '/', rule: r.source.rule, transition: r.usesOldSelf, ...(r.error ? { error: r.error } : {}) })),
    ...[...node.properties].flatMap(([name, child]) => listRules(child, `${path}/${name}`)),
    ...listRules(node.additionalProperties, `${path}/*`),
    ...listRules(node.items, `${path}/*`),
    ...node.allOf.flatMap((branch) => listRules(branch, path)),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

function ruleErrorString(rule: ValidationRule): string {
  return (rule.message?.trim() || rule.rule.trim()).replace(/\s+/g, ' ');
}

function shown(value: any, schema: any): string | undefined {
  if (schema.type === 'object' || schema.type === 'array' || (value !== null && typeof value === 'object')) return undefined;
  return JSON.stringify(value);
}

/** The API server's wording of a field error (`field.Error.ErrorBody`). */
function fieldError(reason: string | undefined, value: string | undefined, detail: string): string {
  switch (reason) {
    case 'FieldValueForbidden': return `Forbidden: ${detail}`;
    case 'FieldValueRequired': return `Required value: ${detail}`;
    case 'FieldValueDuplicate': return `Duplicate value${value === undefined ? '' : `: ${value}`}`;
    default: return `Invalid value${value === undefined ? '' : `: ${value}`}: ${detail}`;
  }
}

function pointer(segments: string[]): string {
  return '/' + segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function evalMessage(rule: CompiledRule, bindings: { self: CelValue; oldSelf?: CelValue }): string | undefined {
  if (!rule.messageProgram) return undefined;
  const result = rule.messageProgram(bindings);
  if (typeof result !== 'string') return undefined;
  const trimmed = result.trim();
  return trimmed && !/\n/.test(trimmed) && trimmed.length <= 5 * 1024 ? trimmed : undefined;
}

function evaluateNodeRules(node: RuleNode, value: any, old: any, path: string[], out: string[]): void {
  if (!node.rules.length) return;
  let self: CelValue | undefined;
  let oldSelf: CelValue | undefined;
  for (const rule of node.rules) {
    const where = pointer(path);
    if (rule.error) {
      out.push(`${where}: Invalid value: rule compile error: ${rule.error} (rule: ${ruleErrorString(rule.source)})`);
      continue;
    }
    if (rule.usesOldSelf && (old === null || old === undefined)) continue;
    self ??= toCel(value, node.selfSchema) as CelValue;
    if (rule.usesOldSelf) oldSelf ??= toCel(old, node.selfSchema) as CelValue;
    const bindings: { self: CelValue; oldSelf?: CelValue } = rule.usesOldSelf ? { self, oldSelf } : { self };
    let result: unknown;
    try {
      result = rule.program!(bindings);
    } catch (e) {
      result = new Error((e as Error).message);
    }
    if (result === true) continue;
    if (typeof result !== 'boolean') {
      const problem = isCelError(result) || result instanceof Error ? result.message : `the rule evaluated to ${String(result)}, not a bool`;
      // Worded as the API server words a runtime overload error (int-or-string values escape the type checker there).
      out.push(problem.startsWith('found no matching overload')
        ? `${where}: Invalid value: '${problem}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule.source)}`
        : `${where}: Invalid value: ${problem} evaluating rule: ${ruleErrorString(rule.source)}`);
      continue;
    }
    const detail = evalMessage(rule, bindings) ?? (rule.source.message?.trim() || `failed rule: ${rule.source.rule.trim()}`);
    const at = rule.fieldPath.length ? [...path, ...rule.fieldPath] : path;
    out.push(`${pointer(at)}: ${fieldError(rule.source.reason, rule.fieldPath.length ? undefined : shown(value, node.schema), detail)}`);
  }
}

function correlateMapList(schema: any, olds: any[] | undefined): (item: any) => any {
  const keys = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] !== 'map' || !Array.isArray(keys) || !Array.isArray(olds)) return () => undefined;
  const keyOf = (item: any) => JSON.stringify(keys.map((k: string) => item?.[k]));
  const byKey = new Map(olds.filter((o) => o && typeof o === 'object').map((o) => [keyOf(o), o]));
  return (item) => (item && typeof item === 'object' ? byKey.get(keyOf(item)) : undefined);
}

function evaluateNode(node: RuleNode, value: any, old: any, path: string[], out: string[]): void {
  if (value === null || value === undefined) return;
  evaluateNodeRules(node, value, old, path, out);
  for (const branch of node.allOf) evaluateNode(branch, value, old, path, out);
  if (Array.isArray(value)) {
    if (!node.items) return;
    const oldItem = correlateMapList(node.schema, old);
    value.forEach((item, i) => evaluateNode(node.items!, item, oldItem(item), [...path, String(i)], out));
    return;
  }
  if (typeof value !== 'object') return;
  const olds = old && typeof old === 'object' && !Array.isArray(old) ? old : undefined;
  if (node.additionalProperties) {
    for (const [k, v] of Object.entries(value)) evaluateNode(node.additionalProperties, v, olds?.[k], [...path, k], out);
  }
  for (const [k, child] of node.properties) {
    if (Object.prototype.hasOwnProperty.call(value, k)) evaluateNode(child, value[k], olds?.[k], [...path, k], out);
  }
}

/**
 * Evaluates the compiled rules on a value (an object root: `path` is empty), and the transition rules when an old
 * value is given. Returns `<pointer>: <error>` lines, worded as the API server words them.
 */
export function celProblems(node: RuleNode | undefined, value: any, old?: any, path: string[] = []): string[] {
  const out: string[] = [];
  if (node) evaluateNode(node, value, old, path, out);
  return out;
}

export type CompiledRules = RuleNode;
