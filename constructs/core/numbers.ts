/**
 * Whole numbers as the cluster stores them. Kubernetes and Knative declare counts, ports, thresholds and periods as
 * Go `int32` (or `int64`), so a value must be an integer in that range before it reaches YAML: a JavaScript number
 * can hold `1.5`, `NaN`, `2 ** 31` or `1e21` (which serialises as `1e+21`, no Go integer parser reads it), and
 * `-0` (which the YAML writer prints as `-0`).
 */
import { IConstruct } from 'constructs';
import { invalid } from './errors';

/** Smallest and largest Go `int32`. */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

export interface IntegerRange {
  readonly min?: number;
  readonly max?: number;
}

/**
 * What is wrong with `value` as an `int32` within `range` (intersected with the int32 range), or undefined.
 * `-0` is the integer zero: callers store `value + 0` so that it prints as `0`.
 */
export function int32Problem(value: unknown, range: IntegerRange = {}): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
  const min = Math.max(range.min ?? INT32_MIN, INT32_MIN);
  const max = Math.min(range.max ?? INT32_MAX, INT32_MAX);
  if (value < min) return `must be >= ${min}${min === INT32_MIN ? ' (a 32-bit integer)' : ''}`;
  if (value > max) return `must be <= ${max}${max === INT32_MAX ? ' (a 32-bit integer)' : ''}`;
  return undefined;
}

/** An `int32` within `range`; throws a ValidationError naming the field otherwise. Returns `+0` for `-0`. */
export function requireInt32(scope: IConstruct, field: string, value: unknown, range: IntegerRange = {}): number {
  const problem = int32Problem(value, range);
  if (problem) return invalid(scope, field, value, problem);
  return (value as number) + 0;
}

/**
 * What is wrong with `value` as a whole number that JSON carries exactly (within ±(2^53-1), so it is written as plain
 * digits and every Go integer type up to int64 reads back the number meant) and within `range`, or undefined. For
 * Go `int64` fields such as a CRD schema's `maxLength` or `maxItems`: `1e21` would be written `1e+21` and `2 ** 63`
 * `9223372036854776000`, which no int64 holds.
 */
export function safeIntegerProblem(value: unknown, range: IntegerRange = {}): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
  if (range.min !== undefined && value < range.min) return `must be >= ${range.min}`;
  if (range.max !== undefined && value > range.max) return `must be <= ${range.max}`;
  if (!Number.isSafeInteger(value)) return `must be within ±${Number.MAX_SAFE_INTEGER} (larger numbers are not written exactly)`;
  return undefined;
}

/** A whole number JSON carries exactly, within `range` (see safeIntegerProblem). Returns `+0` for `-0`. */
export function requireSafeInteger(scope: IConstruct, field: string, value: unknown, range: IntegerRange = {}): number {
  const problem = safeIntegerProblem(value, range);
  if (problem) return invalid(scope, field, value, problem);
  return (value as number) + 0;
}

/** A finite number within `range` (floats that Knative parses with Go's `strconv.ParseFloat`). Returns `+0` for `-0`. */
export function requireFinite(scope: IConstruct, field: string, value: unknown, range: IntegerRange = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return invalid(scope, field, value, 'must be a finite number');
  if (range.min !== undefined && value < range.min) return invalid(scope, field, value, `must be >= ${range.min}`);
  if (range.max !== undefined && value > range.max) return invalid(scope, field, value, `must be <= ${range.max}`);
  return value + 0;
}

/** A TCP/UDP port number (1..65535), as Kubernetes validates container, Service and NetworkPolicy ports. */
export function requirePort(scope: IConstruct, field: string, value: unknown): number {
  return requireInt32(scope, field, value, { min: 1, max: 65535 });
}
