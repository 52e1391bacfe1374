/**
 * Generators aimed at the edges of the cluster's own rules: durations that are fractional, NaN, infinite or huge,
 * integers at the int32 bounds ±1 or written as 1e21, mount paths that clean to the same or to a reserved path, and
 * labels and annotations that Knative refuses or ignores. Each value says whether it is wrong on its own (`bad`), as
 * decided from the upstream rules, so that a property can insist that no such value is ever accepted.
 */
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';

export interface Edge<T> {
  readonly value: T;
  /** Wrong whatever the other props are: the construct must refuse it. */
  readonly bad: boolean;
  /** For a valid duration: the whole milliseconds it means, computed from integers (never from the Duration). */
  readonly meant?: number;
}

const good = <T>(value: T): Edge<T> => ({ value, bad: false });
const meant = (value: Duration, millis: number): Edge<Duration> => ({ value, bad: false, meant: millis });
const wrong = <T>(value: T): Edge<T> => ({ value, bad: true });

/** Usually a valid value, now and then an edge case. */
function mostly<T>(valid: fc.Arbitrary<Edge<T>>, mistakes: fc.Arbitrary<Edge<T>>, odds = 10): fc.Arbitrary<Edge<T>> {
  return fc.oneof({ weight: odds, arbitrary: valid }, { weight: 1, arbitrary: mistakes });
}

export const INT32_MAX = 2 ** 31 - 1;

/** Set in about half the cases. */
function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 2 });
}

/** Durations no field can take: below a millisecond, NaN, infinite, beyond every bound. */
const brokenDuration = fc.constantFrom(Duration.millis(0.5), Duration.seconds(0.0001), Duration.seconds(NaN), Duration.hours(Infinity), Duration.seconds(1e21))
  .map(wrong);

/**
 * Whole seconds in [min, max] written as a decimal of a larger unit, as users write them: `Duration.minutes(4.1)`
 * (246s), `Duration.hours(1.1)` (3960s). cdk8s multiplies in floating point, so many are a rounding error away from
 * the whole milliseconds they mean (4.1 min is 245999.99999999997 ms).
 */
function decimalOfUnit(min: number, max: number): fc.Arbitrary<Edge<Duration>> {
  const of = (unitSeconds: number, make: (n: number) => Duration) => {
    const tenth = unitSeconds / 10; // a tenth of a minute (6s) or of an hour (360s)
    const low = Math.ceil(min / tenth);
    const high = Math.min(Math.floor(max / tenth), low + 2000);
    return low > high ? undefined : fc.integer({ min: low, max: high }).map((t) => meant(make(t / 10), t * tenth * 1000));
  };
  const choices = [of(60, Duration.minutes), of(3600, Duration.hours)].filter((a): a is fc.Arbitrary<Edge<Duration>> => a !== undefined);
  return fc.oneof(...choices);
}

/** A duration for a field written in whole seconds within [min, max] seconds. */
export function secondsEdge(min: number, max: number): fc.Arbitrary<Edge<Duration>> {
  const valid = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min, max: Math.min(max, min + 3600) }).map((s) => meant(s === 0 ? Duration.seconds(-0) : Duration.seconds(s), s * 1000)) },
    { weight: 2, arbitrary: decimalOfUnit(min, max) },
    { weight: 1, arbitrary: fc.constantFrom(min, max).map((s) => meant(Duration.seconds(s), s * 1000)) },
  );
  const outside = fc.constantFrom(...[min - 1, max + 1].filter((s) => s >= 0)).map((s) => wrong(Duration.seconds(s)));
  const fraction = fc.tuple(fc.integer({ min, max: Math.min(max - 1, min + 100) }), fc.integer({ min: 1, max: 999 }))
    .chain(([s, ms]) => fc.constantFrom(wrong(Duration.millis(s * 1000 + ms)), wrong(Duration.seconds((s * 1000 + ms) / 1000))));
  return mostly(valid, fc.oneof(outside, fraction, brokenDuration));
}

/** A duration for an ISO-8601 period read with one decimal of seconds, within [minMs, maxMs] milliseconds. */
export function tenthsEdge(minMs: number, maxMs: number): fc.Arbitrary<Edge<Duration>> {
  // Thousandths of a second (`Duration.seconds(0.3)`, 175 of 0.001..10.000 are not whole products) and decimals of
  // minutes and hours, beside plain milliseconds.
  const valid = fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: minMs / 100, max: minMs / 100 + 600 }).map((t) => meant(Duration.millis(t * 100), t * 100)) },
    { weight: 3, arbitrary: fc.integer({ min: minMs / 100, max: minMs / 100 + 600 }).map((t) => meant(Duration.seconds((t * 100) / 1000), t * 100)) },
    { weight: 1, arbitrary: decimalOfUnit(minMs / 1000, maxMs / 1000) },
    { weight: 1, arbitrary: fc.constantFrom(minMs, maxMs).map((ms) => meant(Duration.millis(ms), ms)) },
  );
  const outside = fc.constantFrom(...[minMs - 100, maxMs + 100].filter((ms) => ms >= 0)).map((ms) => wrong(Duration.millis(ms)));
  // 250ms would be read as 200ms, 1050ms as 1s: never silently.
  const digits = fc.tuple(fc.integer({ min: minMs / 100, max: minMs / 100 + 100 }), fc.integer({ min: 1, max: 99 }))
    .chain(([t, ms]) => fc.constantFrom(wrong(Duration.millis(t * 100 + ms)), wrong(Duration.seconds((t * 100 + ms) / 1000))));
  return mostly(valid, fc.oneof(outside, digits, brokenDuration));
}

/** An integer field within [min, max] (an int32 field when max is INT32_MAX). */
export function int32Edge(min: number, max: number): fc.Arbitrary<Edge<number>> {
  const valid = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min, max: Math.min(max, min + 50) }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
  ).map((n) => good(n === 0 ? -0 : n));
  const mistakes = fc.constantFrom(min - 1, max + 1, 2 ** 31, -(2 ** 31) - 1, 1e21, min + 0.5, NaN, Infinity)
    .filter((n) => n < min || n > max || !Number.isInteger(n)).map(wrong);
  return mostly(valid, mistakes);
}

/** Absolute mount paths built from segments that clean away (`.`, `..`, empty) or land on reserved paths. */
export const mountPath: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.constantFrom('tmp', 'data', 'cache', 'var', 'dev', 'log', 'a', '.', '..', ''), { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`) },
  { weight: 2, arbitrary: fc.constantFrom('/tmp', '/tmp/', '//tmp', '/tmp/.', '/x/../tmp', '/data', '/var', '/var/cache/nginx', '/dev/log/', '/dev/../dev/log', '/a/..') },
  { weight: 1, arbitrary: fc.constantFrom('relative', '/has space', '/c:d') },
);

/**
 * Annotation and label entries with the verdict read from upstream (knative/serving v1.22.1 and the library's
 * refusals of what Knative would ignore or overwrite).
 */
type Entry = [string, string, boolean];
const A = 'autoscaling.knative.dev';

/** Mostly entries Knative takes, now and then a set with one it refuses or ignores. */
function entries(all: Entry[], maxLength: number): fc.Arbitrary<Entry[]> {
  const unique = (list: Entry[]) => [...new Map(list.map((e) => [e[0], e])).values()];
  return fc.oneof(
    { weight: 6, arbitrary: fc.subarray(all.filter((e) => !e[2]), { maxLength }) },
    { weight: 1, arbitrary: fc.subarray(all, { minLength: 1, maxLength }) },
  ).map(unique);
}

export const revisionAnnotations: fc.Arbitrary<Entry[]> = entries([
  [`${A}/panic-window-percentage`, '10', false], [`${A}/panicWindowPercentage`, '202', true], [`${A}/panic-threshold-percentage`, '109', true],
  [`${A}/target-burst-capacity`, '-1', false], [`${A}/targetBurstCapacity`, '-2', true], [`${A}/scale-to-zero-pod-retention-period`, '1m5s', false],
  [`${A}/scaleToZeroPodRetentionPeriod`, '61m', true], [`${A}/min-scale`, '3', true], [`${A}/minscale`, '3', true], [`${A}/window`, '60s', true],
  ['networking.knative.dev/http-protocol', 'redirected', false], ['networking.knative.dev/visibility', 'cluster-local', true],
  ['features.knative.dev/http-full-duplex', 'Enabled', false], ['features.knative.dev/queueproxy-podinfo', 'on', true],
  ['serving.knative.dev/progress-deadline', '600s', false], ['serving.knative.dev/progress-deadline', '1.5s', true], ['serving.knative.dev/creator', 'me', true],
  ['queue.sidecar.serving.knative.dev/cpu-resource-request', '100m', false], ['queue.sidecar.serving.knative.dev/resource-percentage', '0.01', true],
  ['example.com/owner', 'team-a', false],
], 4);

export const serviceAnnotations: fc.Arbitrary<Entry[]> = entries([
  ['serving.knative.dev/rollout-duration', '380s', false], ['serving.knative.dev/rollout-duration', '1.5s', true], [`${A}/min-scale`, '1', true],
  ['serving.knative.dev/lastModifier', 'me', true], ['example.com/team', 'games', false],
], 2);

export const labels: fc.Arbitrary<Entry[]> = entries([
  ['team', 'games', false], ['networking.knative.dev/visibility', 'cluster-local', true], ['serving.knative.dev/service', 'other', true],
  ['example.com/tier', 'gold', false],
], 2);

const probe = (liveness: boolean) => fc.record({
  period: sometimes(liveness ? mostly(secondsEdge(1, INT32_MAX), fc.constant(wrong(Duration.seconds(0)))) : secondsEdge(0, INT32_MAX)),
  timeout: sometimes(secondsEdge(1, INT32_MAX)),
  initialDelay: sometimes(secondsEdge(0, INT32_MAX)),
  failureThreshold: sometimes(int32Edge(1, INT32_MAX)),
}, { requiredKeys: [] });

/** A function's props at the edges. */
export const functionEdges = fc.record({
  timeout: sometimes(secondsEdge(1, 9223372036)),
  responseStartTimeout: sometimes(secondsEdge(1, 9223372036)),
  idleTimeout: sometimes(secondsEdge(0, 9223372036)),
  containerConcurrency: sometimes(int32Edge(0, 1000)),
  port: sometimes(mostly(int32Edge(1, 65535), fc.constantFrom(8008, 8012, 8013, 8022, 9090, 9091).map(wrong))),
  user: sometimes(int32Edge(1, INT32_MAX)),
  scale: fc.record({
    min: sometimes(int32Edge(0, INT32_MAX)),
    max: sometimes(int32Edge(0, INT32_MAX)),
    initial: sometimes(int32Edge(1, INT32_MAX)),
    activationScale: sometimes(int32Edge(2, INT32_MAX)),
    window: sometimes(secondsEdge(6, 3600)),
    scaleDownDelay: sometimes(secondsEdge(0, 3600)),
  }, { requiredKeys: [] }),
  readiness: sometimes(probe(false)),
  liveness: sometimes(probe(true)),
  writablePaths: fc.oneof(
    { weight: 5, arbitrary: fc.uniqueArray(fc.constantFrom('/tmp', '/data', '/var', '/var/cache/nginx', '/cache/'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(mountPath, { minLength: 1, maxLength: 3 }) },
  ),
  configMount: sometimes(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('/etc/app', '/config') }, { weight: 1, arbitrary: mountPath })),
  labels,
  annotations: serviceAnnotations,
  revisionAnnotations,
});

/** Delivery settings of a broker and one subscription, at the edges. */
export const deliveryEdges = fc.record({
  brokerRetry: sometimes(int32Edge(0, 100)),
  brokerBackoff: sometimes(tenthsEdge(100, 3276 * 86_400_000)),
  retry: sometimes(int32Edge(0, 100)),
  backoffDelay: sometimes(tenthsEdge(100, 3276 * 86_400_000)),
  timeout: sometimes(tenthsEdge(1000, 3276 * 86_400_000)),
  parallelism: sometimes(int32Edge(1, 1000)),
});
