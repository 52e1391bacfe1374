/**
 * What applying NEW over OLD does, object by object: added, deleted, changed in place, or replaced — because a field
 * the API server (or a webhook) will not change in place changed (the immutable-fields table,
 * constructs/core/immutable-fields.ts, the one the Pulumi bridge's replaceOnChanges comes from), or because the
 * object was renamed (same kind and content under a new name or namespace: the old one is deleted). Deleting or
 * replacing an object the table knows to hold data (or a Namespace holding one) loses data.
 *
 * Identity is group, kind, namespace and name: a new apiVersion of the same kind is a change of the object.
 */
import {
  AppliedRule, FieldPath, ObjectLookup, formatPath, immutableRules, isWithin, lookupOf, parsePath, statefulNamespaceReason,
  statefulReasonOf,
} from '../../constructs/core/immutable-fields';
import { groupOf } from '../../constructs/core/uniqueness';
import { LoadedObject, describeObject } from './load';

/** What happens to an object. */
export enum ChangeAction {
  ADD = 'add',
  DELETE = 'delete',
  REPLACE = 'replace',
  UPDATE = 'update',
}

/** One field that differs. */
export interface FieldChange {
  readonly path: FieldPath;
  /** Absent when the field is added. */
  readonly before?: unknown;
  /** Absent when the field is removed. */
  readonly after?: unknown;
  readonly hasBefore: boolean;
  readonly hasAfter: boolean;
  /** A Secret's value: printed only as changed. */
  readonly hidden: boolean;
}

export interface ObjectChange {
  readonly action: ChangeAction;
  /** `group Kind namespace/name` of the object (the new one for a rename). */
  readonly object: string;
  readonly before?: LoadedObject;
  readonly after?: LoadedObject;
  /** For a rename: the old object. */
  readonly renamedFrom?: string;
  readonly fields: FieldChange[];
  /** Why the object is replaced (each immutable field changed, or the rename). */
  readonly reasons: string[];
  /** Why deleting or replacing it loses data, when it does. */
  readonly losesData?: string;
}

export interface DiffResult {
  readonly changes: ObjectChange[];
  /** Objects identical in both. */
  readonly unchanged: number;
}

const SECRET_FIELDS = ['data', 'stringData', 'binaryData'];

function isSecret(m: any): boolean {
  return groupOf(String(m?.apiVersion ?? '')) === '' && m?.kind === 'Secret';
}

function isPlainObject(v: unknown): v is { [k: string]: unknown } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A list whose items are objects with distinct string names. */
function isNamedList(list: unknown[]): list is Array<{ name: string }> {
  const names = list.map((x) => (isPlainObject(x) && typeof x.name === 'string' ? x.name : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

/** The fields that differ between two values (leaves, or whole subtrees added or removed). */
export function fieldChanges(before: any, after: any, secret = false): FieldChange[] {
  const out: FieldChange[] = [];
  const hide = (path: FieldPath) => secret && typeof path[0] === 'string' && SECRET_FIELDS.includes(path[0]);
  const visit = (a: unknown, b: unknown, path: FieldPath, hasA: boolean, hasB: boolean): void => {
    if (hasA && hasB && isPlainObject(a) && isPlainObject(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) visit(a[k], b[k], [...path, k], k in a, k in b);
      return;
    }
    if (hasA && hasB && Array.isArray(a) && Array.isArray(b)) {
      // Lists of named items (containers, env, ports, volumes) pair by name: one variable inserted is one change.
      if (isNamedList(a) && isNamedList(b)) {
        const after = new Map(b.map((x, i) => [x.name, i]));
        a.forEach((x, i) => (after.has(x.name) ? visit(x, b[after.get(x.name)!], [...path, after.get(x.name)!], true, true) : visit(x, undefined, [...path, i], true, false)));
        const before = new Set(a.map((x) => x.name));
        b.forEach((x, i) => { if (!before.has(x.name)) visit(undefined, x, [...path, i], false, true); });
        return;
      }
      for (let i = 0; i < Math.max(a.length, b.length); i++) visit(a[i], b[i], [...path, i], i < a.length, i < b.length);
      return;
    }
    if (hasA && hasB && JSON.stringify(a) === JSON.stringify(b)) return;
    if (!hasA && !hasB) return;
    out.push({ path, before: hasA ? a : undefined, after: hasB ? b : undefined, hasBefore: hasA, hasAfter: hasB, hidden: hide(path) });
  };
  visit(before, after, [], true, true);
  return out;
}

/** Why a change of these fields replaces the object, per the rules that apply to it (empty: in place). */
function replacementReasons(rules: AppliedRule[], before: any, after: any, fields: FieldChange[]): string[] {
  const reasons: string[] = [];
  for (const rule of rules) {
    if (rule.refuses && !rule.refuses(before, after)) continue;
    const paths = rule.paths.map(parsePath);
    const except = rule.except.map(parsePath);
    const touched = fields.filter((f) => paths.some((p) => isWithin(f.path, p) || isWithin(p, f.path)) && !except.some((e) => isWithin(f.path, e)));
    if (touched.length) reasons.push(`${[...new Set(touched.map((f) => formatPath(f.path)))].slice(0, 3).join(', ')}: ${rule.because}`);
  }
  return reasons;
}

/** Escapes a string for a regular expression. */
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `after` is `before` under another name (and namespace): every value the same, or the same once the old
 * name is written as the new one (as a whole word: `cache-headless` → `store-headless`, labels, selectors).
 */
function sameButRenamed(before: any, after: any): boolean {
  const from = before.metadata ?? {};
  const to = after.metadata ?? {};
  const word = (w: string) => new RegExp(`(?<![A-Za-z0-9])${escape(w)}(?![A-Za-z0-9])`, 'g');
  const swaps: Array<[RegExp, string]> = [[word(from.name), to.name]];
  // `redis-config` → `store-config` renames `redis` → `store` too (the labels and selectors say `redis`).
  const core = renamedPart(String(from.name), String(to.name));
  if (core) swaps.push([word(core[0]), core[1]]);
  if (from.namespace && to.namespace && from.namespace !== to.namespace) swaps.push([word(from.namespace), to.namespace]);
  const swap = (s: string) => swaps.reduce((acc, [re, r]) => acc.replace(re, r), s);
  const same = (x: unknown, y: unknown): boolean => {
    if (typeof x === 'string') return x === y || swap(x) === y;
    if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((v, i) => same(v, y[i]));
    if (isPlainObject(x)) {
      if (!isPlainObject(y) || Object.keys(x).length !== Object.keys(y).length) return false;
      return Object.keys(x).every((k) => (k in y ? same(x[k], y[k]) : swap(k) in y && same(x[k], y[swap(k)])));
    }
    return x === y;
  };
  const { name: _n, namespace: _ns, ...meta } = from;
  const { name: _n2, namespace: _ns2, ...meta2 } = to;
  const { apiVersion: _v, metadata: _m, ...body } = before;
  const { apiVersion: _v2, metadata: _m2, ...body2 } = after;
  return same(meta, meta2) && same(body, body2);
}

/** The `-`/`.`-separated words that differ between two names, when they share the others (`a-x-b`, `a-y-b` → x, y). */
function renamedPart(from: string, to: string): [string, string] | undefined {
  const a = from.split(/([-.])/);
  const b = to.split(/([-.])/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail).join('');
  const y = b.slice(head, b.length - tail).join('');
  return x && y && x !== from ? [x, y] : undefined;
}

/** Whether an object says more than its name: a rename is recognised only from content (a spec, data, rules, ...). */
function hasContent(m: any): boolean {
  return Object.keys(m).some((k) => !['apiVersion', 'kind', 'metadata'].includes(k));
}

/** Pairs deleted and added objects that are the same object renamed (one candidate each way). */
function findRenames(deleted: LoadedObject[], added: LoadedObject[]): Array<[LoadedObject, LoadedObject]> {
  const pairs: Array<[LoadedObject, LoadedObject]> = [];
  const matches = (d: LoadedObject, a: LoadedObject) => groupOf(d.manifest.apiVersion) === groupOf(a.manifest.apiVersion) && d.manifest.kind === a.manifest.kind
    && hasContent(d.manifest) && sameButRenamed(d.manifest, a.manifest);
  for (const d of deleted) {
    const candidates = added.filter((a) => matches(d, a));
    if (candidates.length !== 1) continue;
    if (deleted.filter((other) => matches(other, candidates[0])).length !== 1) continue;
    pairs.push([d, candidates[0]]);
  }
  return pairs;
}

/** What applying `after` over `before` does (both by identity, as loadFolder reads them). */
export function diffObjects(before: Map<string, LoadedObject>, after: Map<string, LoadedObject>): DiffResult {
  const oldObjects = lookupOf([...before.values()].map((o) => o.manifest));
  const newObjects = lookupOf([...after.values()].map((o) => o.manifest));
  // A rule reading another object (a Trigger's Broker) sees it as it will be, or as it is when NEW drops it.
  const around: ObjectLookup = { find: (...a) => newObjects.find(...a) ?? oldObjects.find(...a), all: () => oldObjects.all() };
  const lost = (m: any) => (m.kind === 'Namespace' && groupOf(m.apiVersion) === ''
    ? statefulNamespaceReason(m.metadata.name, oldObjects) : statefulReasonOf(m, oldObjects));

  const changes: ObjectChange[] = [];
  let unchanged = 0;
  const deleted = [...before.entries()].filter(([id]) => !after.has(id)).map(([, o]) => o);
  const added = [...after.entries()].filter(([id]) => !before.has(id)).map(([, o]) => o);
  const renames = findRenames(deleted, added);
  for (const [d, a] of renames) {
    changes.push({
      action: ChangeAction.REPLACE, object: describeObject(a.manifest), before: d, after: a, renamedFrom: describeObject(d.manifest),
      fields: fieldChanges(d.manifest, a.manifest, isSecret(d.manifest)),
      reasons: [`renamed from ${describeObject(d.manifest)}: the old object is deleted and a new one created`], losesData: lost(d.manifest),
    });
  }
  const paired = new Set(renames.flat());
  for (const d of deleted.filter((o) => !paired.has(o))) {
    changes.push({ action: ChangeAction.DELETE, object: describeObject(d.manifest), before: d, fields: [], reasons: [], losesData: lost(d.manifest) });
  }
  for (const [id, b] of before) {
    const a = after.get(id);
    if (!a) continue;
    const fields = fieldChanges(b.manifest, a.manifest, isSecret(b.manifest));
    if (!fields.length) {
      unchanged++;
      continue;
    }
    const reasons = replacementReasons(immutableRules(b.manifest, around), b.manifest, a.manifest, fields);
    changes.push({
      action: reasons.length ? ChangeAction.REPLACE : ChangeAction.UPDATE, object: describeObject(a.manifest), before: b, after: a, fields, reasons,
      losesData: reasons.length ? lost(b.manifest) : undefined,
    });
  }
  for (const a of added.filter((o) => !paired.has(o))) {
    changes.push({ action: ChangeAction.ADD, object: describeObject(a.manifest), after: a, fields: [], reasons: [] });
  }
  const order = [ChangeAction.DELETE, ChangeAction.REPLACE, ChangeAction.UPDATE, ChangeAction.ADD];
  changes.sort((x, y) => Number(!x.losesData) - Number(!y.losesData) || order.indexOf(x.action) - order.indexOf(y.action) || x.object.localeCompare(y.object));
  return { changes, unchanged };
}

/** The changes that lose data: a stateful object (or a Namespace holding one) deleted or replaced. */
export function destructive(result: DiffResult): ObjectChange[] {
  return result.changes.filter((c) => c.losesData && (c.action === ChangeAction.DELETE || c.action === ChangeAction.REPLACE));
}
