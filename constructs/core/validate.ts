/**
 * Input rules shared by the constructs. Each throws a ValidationError naming construct, field, value and fix.
 */
import { Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { ANNOTATIONS_MAX_BYTES, showBytes, utf8Bytes } from './go-rules';
import { NameRule, checkName, checkQualifiedName } from './k8s-rules';
import { IntegerRange, requireFinite, requireInt32 } from './numbers';

export type { IntegerRange } from './numbers';
export { requireSeconds, showDuration } from './durations';

export function requireName(scope: IConstruct, field: string, value: unknown, rule: NameRule = 'dns1123-label'): string {
  if (typeof value !== 'string' || value === '') return invalid(scope, field, value, 'is required and must be a non-empty string');
  const problem = checkName(rule, value);
  if (problem) {
    const suggestion = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63);
    return invalid(scope, field, value, problem, suggestion ? `e.g. ${JSON.stringify(suggestion)}` : undefined);
  }
  return value;
}

/** An integer within `range` and within Go's int32, as Kubernetes and Knative store counts and ports (numbers.ts). */
export function requireInteger(scope: IConstruct, field: string, value: unknown, range: IntegerRange = {}): number {
  return requireInt32(scope, field, value, range);
}

/** A finite number within `range` (numbers.ts). */
export function requireNumber(scope: IConstruct, field: string, value: unknown, range: IntegerRange = {}): number {
  return requireFinite(scope, field, value, range);
}

/**
 * A container image reference: `[registry/]repository[:tag][@digest]` with a lowercase repository.
 * Digest pinning is recommended; a missing tag means `latest` and is rejected because it is ambiguous.
 */
const IMAGE = /^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** The image reference grammar as a pattern string (RE2-compatible), for API schemas that check it server-side. */
export const IMAGE_REFERENCE_PATTERN = IMAGE.source;

export function requireImage(scope: IConstruct, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    return invalid(scope, field, value, 'is required', 'give a container image such as "ghcr.io/org/app:1.2.3"');
  }
  if (!IMAGE.test(value)) {
    return invalid(scope, field, value, 'is not a valid image reference', 'use [registry/]repository[:tag][@sha256:digest] with a lowercase repository');
  }
  const lastSegment = value.split('/').pop() as string;
  if (!lastSegment.includes(':') && !lastSegment.includes('@')) {
    return invalid(scope, field, value, 'has neither a tag nor a digest', 'pin it, e.g. ":1.2.3" or "@sha256:..."');
  }
  return value;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function requireEnvName(scope: IConstruct, field: string, value: string): string {
  if (!ENV_NAME.test(value)) {
    return invalid(scope, field, value, 'is not a valid environment variable name', 'use letters, digits and "_", not starting with a digit');
  }
  return value;
}

/** A map of string keys to string values (labels, annotations), or undefined. */
function requireStringMap(scope: IConstruct, field: string, map: unknown): void {
  if (map !== undefined && (typeof map !== 'object' || map === null || Array.isArray(map))) {
    invalid(scope, field, map, 'must be a map of names to string values', 'e.g. { team: "payments" }');
  }
}

export function requireLabels(scope: IConstruct, field: string, labels: { [key: string]: string } | undefined): void {
  requireStringMap(scope, field, labels);
  for (const [key, value] of Object.entries(labels ?? {})) {
    const problem = checkQualifiedName(key);
    if (problem) invalid(scope, `${field} key`, key, problem, 'use a key such as "team" or "example.com/team" (an optional DNS-subdomain prefix and "/", then a name of letters, digits, "-", "_", ".")');
    if (typeof value !== 'string') {
      invalid(scope, `${field}.${key}`, value, 'must be a string (Kubernetes label values are strings)', `quote it, e.g. "${String(value)}"`);
    }
    if (value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
      invalid(scope, `${field}.${key}`, value, 'must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric');
    }
  }
}

export function requireAnnotationKeys(scope: IConstruct, field: string, annotations: { [key: string]: string } | undefined): void {
  requireStringMap(scope, field, annotations);
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const problem = checkQualifiedName(key);
    if (problem) invalid(scope, `${field} key`, key, problem, 'use a key such as "team" or "example.com/team" (an optional DNS-subdomain prefix and "/", then a name of letters, digits, "-", "_", ".")');
    // A value produced at synth (a cdk8s Lazy, e.g. a hash of a config rendered later) is counted when it resolves.
    if ((value as unknown) instanceof Lazy) continue;
    if (typeof value !== 'string') {
      invalid(scope, `${field}.${key}`, value, 'must be a string (Kubernetes annotation values are strings)', `quote it, e.g. "${String(value)}"`);
    }
    bytes += utf8Bytes(key) + utf8Bytes(value);
  }
  // The API server counts keys and values in UTF-8 bytes (Go's len), all annotations of an object together.
  if (bytes > ANNOTATIONS_MAX_BYTES) {
    invalid(scope, field, `${bytes} bytes`, `exceed the ${showBytes(ANNOTATIONS_MAX_BYTES)} the API server allows for an object's annotations`,
      'keep large data in a ConfigMap and reference it');
  }
}

/** Throws when a value occurs twice; `describe` names the offending entries. */
export function requireUnique(scope: IConstruct, field: string, values: string[], hint?: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) invalid(scope, field, v, 'is used more than once', hint);
    seen.add(v);
  }
}

/** A construct's props object (`undefined` and `null` included in the refusal: the construct has required fields). */
export function requireProps(scope: IConstruct, props: unknown, fix: string): void {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) invalid(scope, 'props', props, 'must be an object', fix);
}

/** An optional list: `undefined` gives `[]`; anything but an array, or an array with a null entry, is refused. */
export function requireArray<T>(scope: IConstruct, field: string, value: T[] | undefined, fix?: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return invalid(scope, field, value, 'must be a list', fix);
  value.forEach((v, i) => {
    if (v === null || v === undefined) invalid(scope, `${field}[${i}]`, v, 'is empty', fix);
  });
  return value;
}

/** An event sink (a broker, a function, a transform, ...: anything Knative can deliver to). */
export function requireEventSink(scope: IConstruct, field: string, value: unknown, fix: string): void {
  const sink = value as { destinationFrom?: unknown; admit?: unknown; objectRef?: unknown } | null | undefined;
  if (sink === null || typeof sink !== 'object' || typeof sink.destinationFrom !== 'function' || typeof sink.admit !== 'function' || typeof sink.objectRef !== 'object') {
    invalid(scope, field, value, 'must be an event sink', fix);
  }
}
