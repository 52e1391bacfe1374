/**
 * Input rules shared by the constructs. Each throws a ValidationError naming construct, field, value and fix.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { ANNOTATIONS_MAX_BYTES, showBytes, utf8Bytes } from './go-rules';
import { NameRule, checkName, checkQualifiedName } from './k8s-rules';

export function requireName(scope: IConstruct, field: string, value: unknown, rule: NameRule = 'dns1123-label'): string {
  if (typeof value !== 'string' || value === '') return invalid(scope, field, value, 'is required and must be a non-empty string');
  const problem = checkName(rule, value);
  if (problem) {
    const suggestion = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63);
    return invalid(scope, field, value, problem, suggestion ? `e.g. ${JSON.stringify(suggestion)}` : undefined);
  }
  return value;
}

export interface IntegerRange {
  readonly min?: number;
  readonly max?: number;
}

export function requireInteger(scope: IConstruct, field: string, value: unknown, range: IntegerRange = {}): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) return invalid(scope, field, value, 'must be a whole number');
  if (range.min !== undefined && value < range.min) return invalid(scope, field, value, `must be >= ${range.min}`);
  if (range.max !== undefined && value > range.max) return invalid(scope, field, value, `must be <= ${range.max}`);
  return value;
}

export function requireNumber(scope: IConstruct, field: string, value: unknown, range: IntegerRange = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return invalid(scope, field, value, 'must be a finite number');
  if (range.min !== undefined && value < range.min) return invalid(scope, field, value, `must be >= ${range.min}`);
  if (range.max !== undefined && value > range.max) return invalid(scope, field, value, `must be <= ${range.max}`);
  return value;
}

/** A duration for messages, in seconds (`90s`, `1.5s`). */
export function showDuration(value: Duration): string {
  return `${value.toMilliseconds() / 1000}s`;
}

/** A duration as ISO-8601 in seconds (`PT0.5S`, `PT120S`), the form Knative delivery settings take. */
export function isoDuration(value: Duration): string {
  return `PT${value.toMilliseconds() / 1000}S`;
}

/** A duration in whole seconds within [min, max] seconds. */
export function requireSeconds(scope: IConstruct, field: string, value: Duration, range: IntegerRange = {}): number {
  const millis = value.toMilliseconds();
  if (millis % 1000 !== 0) return invalid(scope, field, showDuration(value), 'must be a whole number of seconds');
  const seconds = millis / 1000;
  if (range.min !== undefined && seconds < range.min) return invalid(scope, field, showDuration(value), `must be at least ${range.min}s`);
  if (range.max !== undefined && seconds > range.max) return invalid(scope, field, showDuration(value), `must be at most ${range.max}s`);
  return seconds;
}

/**
 * A container image reference: `[registry/]repository[:tag][@digest]` with a lowercase repository.
 * Digest pinning is recommended; a missing tag means `latest` and is rejected because it is ambiguous.
 */
const IMAGE = /^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

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

export function requireLabels(scope: IConstruct, field: string, labels: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const problem = checkQualifiedName(key);
    if (problem) invalid(scope, `${field} key`, key, problem);
    if (value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
      invalid(scope, `${field}.${key}`, value, 'must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric');
    }
  }
}

export function requireAnnotationKeys(scope: IConstruct, field: string, annotations: { [key: string]: string } | undefined): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const problem = checkQualifiedName(key);
    if (problem) invalid(scope, `${field} key`, key, problem);
    bytes += utf8Bytes(key) + utf8Bytes(String(value));
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
