/**
 * Durations as the cluster reads them. A cdk8s `Duration` holds any JavaScript number of any unit:
 * `Duration.millis(0.5)`, `Duration.seconds(NaN)`, `Duration.hours(Infinity)`, `Duration.seconds(-0)` can all be
 * built, and its own conversions throw a plain `Error` for a fraction of their unit. Every duration prop of the
 * library goes through `durationMillis` (whole, finite, non-negative milliseconds) and then through the rule of
 * the unit its field is written in:
 *
 * A value within a rounding error of a whole number of milliseconds is that number: cdk8s multiplies the amount by
 * the unit in floating point, so `Duration.minutes(4.1)` is 245999.99999999997 ms and `Duration.seconds(0.003)` is
 * 3.0000000000000004 ms, although both mean a whole number (see `wholeMillis`).
 *
 * - `requireSeconds`: fields written as whole seconds (Knative's `timeoutSeconds`, Kubernetes probe periods, the
 *   autoscaler's window annotations). A fraction of a second is refused, never rounded.
 * - `requireTenths`: fields written as ISO-8601 periods (`PT0.5S`) that Knative Eventing and eventing-rabbitmq read
 *   with github.com/rickb777/date v1.13 `period.Parse` (see `isoPeriod`).
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { INT32_MAX } from './numbers';

/**
 * The most seconds a Knative request timeout can take: Knative turns `timeoutSeconds`,
 * `responseStartTimeoutSeconds` and `idleTimeoutSeconds` into a Go `time.Duration` (int64 nanoseconds) by
 * multiplying with `time.Second` (knative/serving v1.22 `cmd/activator/main.go`,
 * `pkg/queue/sharedmain/handlers.go`); anything above overflows.
 */
export const MAX_GO_DURATION_SECONDS = Math.floor(Number((2n ** 63n - 1n) / 1_000_000_000n));

/** The most seconds a Kubernetes probe field (`int32` seconds) can take. */
export const MAX_INT32_SECONDS = INT32_MAX;

/**
 * The longest ISO-8601 period that github.com/rickb777/date v1.13 `period.Parse` holds exactly: it keeps each field
 * as a 16-bit count of tenths and, once the day count passes 3276, folds days into months of an average length.
 */
export const MAX_PERIOD_MILLIS = 3276 * 24 * 3600 * 1000;

export interface DurationBounds {
  /** Smallest value, in the unit of the rule (seconds for `requireSeconds`, milliseconds for `requireTenths`). */
  readonly min?: number;
  /** Largest value, in the same unit. */
  readonly max?: number;
}

function isDuration(value: unknown): value is Duration {
  return typeof value === 'object' && value !== null && typeof (value as Duration).toMilliseconds === 'function';
}

/**
 * The relative tolerance of `wholeMillis`: about 4500 units in the last place of a double. A unit conversion in
 * cdk8s (`amount * unit`) is off by at most two units in the last place (one for the decimal amount, one for the
 * product), so every exact duration is well inside it; a fraction a user writes on purpose (`Duration.millis(0.5)`,
 * `Duration.seconds(1.0005)`) is far outside it.
 */
const WHOLE_TOLERANCE = 1e-12;

/**
 * `millis` as the whole number of milliseconds it is within rounding error of (relative tolerance 1e-12, never more
 * than a quarter of a millisecond), else `millis` unchanged. `+0` for `-0`.
 * @internal
 */
export function wholeMillis(millis: number): number {
  if (!Number.isFinite(millis)) return millis;
  const nearest = Math.round(millis);
  const tolerance = Math.min(0.25, Math.abs(millis) * WHOLE_TOLERANCE);
  return (Math.abs(millis - nearest) <= tolerance ? nearest : millis) + 0;
}

/** The milliseconds of a duration, a rounding error snapped to the whole number meant (see `wholeMillis`). */
function millisOf(value: Duration): number {
  const millis = value.toMilliseconds({ integral: false });
  return typeof millis === 'number' ? wholeMillis(millis) : millis;
}

/** A duration for messages: seconds when finite (`90s`, `1.5s`), else as built (`NaN seconds`). */
export function showDuration(value: Duration): string {
  const millis = isDuration(value) ? millisOf(value) : NaN;
  if (Number.isFinite(millis)) return `${millis / 1000}s`;
  const raw = value as unknown as { amount?: unknown; unit?: unknown };
  return isDuration(value) ? `${String(raw.amount)} ${String(raw.unit)}` : String(value);
}

/**
 * What is wrong with `value` as a duration of whole, finite, non-negative milliseconds, or undefined.
 * @internal
 */
export function durationProblem(value: unknown): string | undefined {
  if (!isDuration(value)) return 'must be a cdk8s Duration (e.g. Duration.seconds(30))';
  const millis = millisOf(value);
  if (typeof millis !== 'number' || Number.isNaN(millis)) return 'is not a number of milliseconds';
  if (!Number.isFinite(millis)) return 'must be finite';
  if (millis < 0) return 'must not be negative';
  if (!Number.isInteger(millis)) return 'must be a whole number of milliseconds';
  return undefined;
}

/**
 * The duration in whole milliseconds (`+0` for `-0`, a rounding error snapped to the whole number meant), after
 * checking it is a finite, non-negative whole number.
 */
export function durationMillis(scope: IConstruct, field: string, value: unknown): number {
  const problem = durationProblem(value);
  if (problem) return invalid(scope, field, isDuration(value) ? showDuration(value) : value, problem);
  return millisOf(value as Duration);
}

/**
 * A duration written as whole seconds, within [min, max] seconds (max defaults to the int32 range of Kubernetes
 * seconds fields). Returns the seconds.
 */
export function requireSeconds(scope: IConstruct, field: string, value: Duration, bounds: DurationBounds = {}): number {
  const millis = durationMillis(scope, field, value);
  const max = bounds.max ?? MAX_INT32_SECONDS;
  if (bounds.min !== undefined && millis < bounds.min * 1000) return invalid(scope, field, showDuration(value), `must be at least ${bounds.min}s`);
  if (millis > max * 1000) return invalid(scope, field, showDuration(value), `must be at most ${max}s`);
  if (millis % 1000 !== 0) return invalid(scope, field, showDuration(value), 'must be a whole number of seconds', 'the field holds whole seconds; it is not rounded');
  return millis / 1000;
}

/**
 * A duration written as an ISO-8601 period and read by rickb777/date v1.13 `period.Parse`, which keeps one decimal
 * of the seconds and silently drops the rest (`PT0.25S` is read as 0.2s, `PT0.05S` as zero): it must be a whole
 * number of tenths of a second, within [min, max] milliseconds (max defaults to `MAX_PERIOD_MILLIS`).
 * Returns the milliseconds.
 */
export function requireTenths(scope: IConstruct, field: string, value: Duration, bounds: DurationBounds = {}): number {
  const millis = durationMillis(scope, field, value);
  const max = bounds.max ?? MAX_PERIOD_MILLIS;
  if (bounds.min !== undefined && millis < bounds.min) return invalid(scope, field, showDuration(value), `must be at least ${bounds.min / 1000}s`);
  if (millis > max) return invalid(scope, field, showDuration(value), `must be at most ${max / 1000}s`);
  if (millis % 100 !== 0) {
    return invalid(scope, field, showDuration(value), 'must be a whole number of tenths of a second',
      'Knative reads it as an ISO-8601 period with one decimal of seconds and drops further digits');
  }
  return millis;
}

/** Milliseconds (checked by `requireTenths`) as an ISO-8601 period in seconds: `PT0.5S`, `PT120S`. */
export function isoPeriod(millis: number): string {
  return `PT${millis / 1000}S`;
}

const GO_UNITS: { [unit: string]: bigint } = {
  'ns': 1n, 'us': 1_000n, '\u00b5s': 1_000n, '\u03bcs': 1_000n, 'ms': 1_000_000n,
  's': 1_000_000_000n, 'm': 60_000_000_000n, 'h': 3_600_000_000_000n,
};
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Go's `time.ParseDuration`, as Knative applies it to duration annotations (`autoscaling.knative.dev/window`,
 * `serving.knative.dev/rollout-duration`, ...): a signed sequence of decimal numbers, each with a unit of ns, us
 * (µs), ms, s, m or h, such as `1m30s` or `-1.5h`; a bare `0` is zero. Returns nanoseconds, or undefined when Go
 * refuses the text (bad syntax, a missing or unknown unit, more than 2^63-1 ns). Fractions are truncated to whole
 * nanoseconds exactly (Go goes through a float64, which can differ by a nanosecond on long fractions).
 */
export function parseGoDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest)!;
    const [whole, fraction] = [number[1], number[2] ?? ''];
    if (whole === '' && fraction === '') return undefined;
    rest = rest.slice(number[0].length);
    const unitMatch = /^[^0-9.]+/.exec(rest);
    if (!unitMatch) return undefined;
    const unit = GO_UNITS[unitMatch[0]];
    if (unit === undefined) return undefined;
    rest = rest.slice(unitMatch[0].length);
    let value = BigInt(whole === '' ? '0' : whole) * unit;
    if (fraction !== '') value += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += value;
    if (total > INT64_MAX + (negative ? 1n : 0n)) return undefined;
  }
  return negative ? -total : total;
}
