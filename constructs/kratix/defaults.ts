/**
 * Structural defaulting, as the Kubernetes API server applies a CRD's defaults to a custom resource
 * (k8s.io/apiextensions-apiserver pkg/apiserver/schema/defaulting): a missing field, or a null one, gets its
 * default (a deep copy); then every value, defaulted ones included, is defaulted in turn by its own schema (object
 * fields, map values, list items). A null without a default is pruned. A request the pipeline reads locally thus
 * holds what the same request would hold in the cluster.
 */
import { SchemaField, SchemaType } from '../crossplane/schema';

/** `value` with the defaults of `field` applied (a new value; `value` is not changed). */
export function applySchemaDefaults(field: SchemaField, value: unknown): unknown {
  return defaultInPlace(field, structuredClone(value));
}

function defaultInPlace(field: SchemaField, value: any): any {
  if (Array.isArray(value)) {
    if (field.type !== SchemaType.ARRAY || !field.items) return value;
    const items = field.items;
    const out: any[] = [];
    for (const item of value) {
      if (item === null || item === undefined) {
        if (items.default !== undefined) out.push(defaultInPlace(items, structuredClone(items.default)));
        // A null item without a default is left for validation to report (pruning drops fields, not list items).
        else out.push(item);
      } else {
        out.push(defaultInPlace(items, item));
      }
    }
    return out;
  }
  if (typeof value !== 'object' || value === null || field.type !== SchemaType.OBJECT) return value;
  if (field.values) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) {
        if (field.values.default !== undefined) value[k] = structuredClone(field.values.default);
        else delete value[k];
      }
      if (k in value) value[k] = defaultInPlace(field.values, value[k]);
    }
    return value;
  }
  const fields = field.fields ?? {};
  for (const [k, f] of Object.entries(fields)) {
    const v = value[k];
    if (v === undefined || v === null) {
      if (f.default !== undefined) value[k] = structuredClone(f.default);
      else if (v === null) delete value[k];
    }
  }
  for (const k of Object.keys(value)) {
    if (Object.prototype.hasOwnProperty.call(fields, k)) value[k] = defaultInPlace(fields[k], value[k]);
  }
  return value;
}
