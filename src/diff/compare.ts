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

/** The object as another name would make it: its name (and namespace) replaced everywhere, as whole words. */
function renamed(m: any, from: { name: string; namespace?: string }, to: { name: string; namespace?: string }): string {
  const swaps: Array<[RegExp, string]> = [[new RegExp(`(?<![A-Za-z0-9])${escape(from.name)}(?![A-Za-z0-9])`, 'g'), to.name]];
  if (from.namespace && to.namespace && from.namespace !== to.namespace) {
    swaps.push([new RegExp(`(?<![A-Za-z0-9])${escape(from.namespace)}(?![A-Za-z0-9])`, 'g'), to.namespace]);
  }
  const swap = (s: string) => swaps.reduce((acc, [re, r]) => acc.replace(re, r), s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [swap(k), walk(v[k])]));
    return v;
  };
  const { apiVersion: _v, metadata, ...body } = m;
  const { name: _n, namespace: _ns, ...meta } = metadata ?? {};
  return JSON.stringify(walk({ kind: m.kind, metadata: meta, ...body }));
}

/** Whether an object says more than its name: a rename is recognised only from content (a spec, data, rules, ...). */
function hasContent(m: any): boolean {
  return Object.keys(m).some((k) => !['apiVersion', 'kind', 'metadata'].includes(k));
}

/** Pairs deleted and added objects that are the same object renamed (one candidate each way). */
function findRenames(deleted: LoadedObject[], added: LoadedObject[]): Array<[LoadedObject, LoadedObject]> {
  const pairs: Array<[LoadedObject, LoadedObject]> = [];
  const matches = (d: LoadedObject, a: LoadedObject) => groupOf(d.manifest.apiVersion) === groupOf(a.manifest.apiVersion) && d.manifest.kind === a.manifest.kind
    && hasContent(d.manifest) && renamed(d.manifest, d.manifest.metadata, a.manifest.metadata) === renamed(a.manifest, a.manifest.metadata, a.manifest.metadata);
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
