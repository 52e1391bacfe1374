/**
 * Numbers and durations as the cluster reads them: int32 fields, Knative's whole-second fields, the ISO-8601
 * periods Knative Eventing reads with one decimal of seconds, and Go's duration syntax for annotations.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  ApiGateway, BackoffPolicy, FunctionProbe, IngressPolicy, KnativeFunction, RabbitmqBroker, RabbitmqCluster, ScalingMetric, ValidationError,
} from '../../constructs';
import {
  MAX_GO_DURATION_SECONDS, MAX_PERIOD_MILLIS, durationMillis, isoPeriod, parseGoDuration, requireSeconds, requireTenths, showDuration,
} from '../../constructs/core/durations';
import { INT32_MAX, INT32_MIN, int32Problem, requireInt32 } from '../../constructs/core/numbers';
import { container, findObject, synthValid, testChart, validationError } from '../support/k8s';

const IMAGE = 'ghcr.io/example/fn:1.0.0';
const scope = () => testChart().chart;

describe('int32 fields', () => {
  test.each([
    [INT32_MAX, {}, undefined],
    [INT32_MIN, {}, undefined],
    [INT32_MAX + 1, {}, 'must be <= 2147483647 (a 32-bit integer)'],
    [INT32_MIN - 1, {}, 'must be >= -2147483648 (a 32-bit integer)'],
    // 1e21 is an integer to JavaScript; JSON and YAML write it as 1e+21, which no Go integer parser reads.
    [1e21, { min: 0 }, 'must be <= 2147483647 (a 32-bit integer)'],
    [2 ** 53, { min: 0 }, 'must be <= 2147483647 (a 32-bit integer)'],
    [1.5, {}, 'must be a whole number'],
    [NaN, {}, 'must be a whole number'],
    [Infinity, {}, 'must be a whole number'],
    ['3', {}, 'must be a whole number'],
    [0, { min: 1 }, 'must be >= 1'],
    [1001, { max: 1000 }, 'must be <= 1000'],
    [5, { max: 2 ** 40 }, undefined],
  ])('%p within %p: %p', (value, range, problem) => {
    expect(int32Problem(value, range)).toBe(problem);
  });

  test('-0 is the integer zero, written as 0 (the YAML writer would print -0)', () => {
    expect(Object.is(requireInt32(scope(), 'x', -0, { min: 0 }), 0)).toBe(true);
    const { chart } = testChart();
    new KnativeFunction(chart, 'fn', { image: IMAGE, containerConcurrency: -0, scale: { min: -0 } });
    const ksvc = findObject(synthValid(chart), 'Service', 'fn', 'serving.knative.dev/v1');
    expect(Object.is(ksvc.spec.template.spec.containerConcurrency, 0)).toBe(true);
    expect(ksvc.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('0');
  });

  test.each([
    ['scale.max at 2^31', { scale: { max: 2 ** 31 } }, 'test/fn: scale.max (2147483648) must be <= 2147483647 (a 32-bit integer)'],
    ['scale.min at 1e21', { scale: { min: 1e21 } }, 'test/fn: scale.min (1e+21) must be <= 2147483647 (a 32-bit integer)'],
    ['a probe threshold at 2^31', { readiness: FunctionProbe.tcp({ failureThreshold: 2 ** 31 }) }, 'test/fn: readiness.failureThreshold (2147483648) must be <= 2147483647 (a 32-bit integer)'],
    ['a uid of 0 (root)', { securityContext: { user: 0 } }, 'test/fn: securityContext.user (0) must be >= 1'],
    ['a uid above int32', { securityContext: { user: 2 ** 31 } }, 'test/fn: securityContext.user (2147483648) must be <= 2147483647 (a 32-bit integer)'],
    ['a fractional uid', { securityContext: { user: 1000.5 } }, 'test/fn: securityContext.user (1000.5) must be a whole number'],
  ])('KnativeFunction: %s', (_case, props, message) => {
    const { chart } = testChart();
    expect(validationError(() => new KnativeFunction(chart, 'fn', { image: IMAGE, ...props })).message).toBe(message);
  });

  test('the largest int32 scale bound is accepted and written as digits', () => {
    const { chart } = testChart();
    new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { min: INT32_MAX, max: INT32_MAX } });
    const annotations = findObject(synthValid(chart), 'Service', 'fn').spec.template.metadata.annotations;
    expect([annotations['autoscaling.knative.dev/min-scale'], annotations['autoscaling.knative.dev/max-scale']]).toEqual(['2147483647', '2147483647']);
  });

  test('the gateway checks its uid itself', () => {
    const { chart } = testChart();
    expect(validationError(() => new ApiGateway(chart, 'gw', { user: -1 })).message).toBe('test/gw: user (-1) must be >= 1');
  });

  test('NetworkPolicy ports are port numbers (1..65535)', () => {
    const { chart } = testChart();
    expect(validationError(() => new IngressPolicy(chart, 'p', { name: 'p', namespace: 'ns', podSelector: { app: 'x' }, servingPorts: [8080, 70000] })).message)
      .toBe('test/p: servingPorts[1] (70000) must be <= 65535');
    const policy = new IngressPolicy(chart, 'q', { name: 'q', namespace: 'ns', podSelector: { app: 'x' } });
    expect(validationError(() => policy.admit({ namespace: 'ns', podSelector: { app: 'y' }, description: 'y' }, { ports: [0] })).message).toBe('test/q: ports[0] (0) must be >= 1');
    expect(validationError(() => policy.admitNamespaces(['other'], { ports: [80.5] })).message).toBe('test/q: ports[0] (80.5) must be a whole number');
  });
});

describe('durations: whole, finite milliseconds first', () => {
  test.each([
    ['a fraction of a millisecond', Duration.millis(0.5), '("0.0005s") must be a whole number of milliseconds'],
    ['NaN', Duration.seconds(NaN), '("NaN seconds") is not a number of milliseconds'],
    ['Infinity', Duration.hours(Infinity), '("Infinity hours") must be finite'],
    ['a number instead of a Duration', 30, '(30) must be a cdk8s Duration (e.g. Duration.seconds(30))'],
    // cdk8s refuses negative amounts; an object from another runtime (jsii) need not.
    ['a negative duration-like object', { toMilliseconds: () => -5000 }, '("-5s") must not be negative'],
  ])('%s is refused with a ValidationError, not cdk8s\'s own Error', (_case, value, message) => {
    expect(validationError(() => durationMillis(scope(), 'd', value)).message).toBe(`test: d ${message}`);
  });

  test('-0 is zero', () => {
    expect(Object.is(durationMillis(scope(), 'd', Duration.seconds(-0)), 0)).toBe(true);
    expect(showDuration(Duration.seconds(-0))).toBe('0s');
  });

  test('a rounding error of the unit conversion is not a fraction: the whole number meant is used and written', () => {
    // cdk8s multiplies in floating point: 4.1 min is 245999.99999999997 ms, 1.1 h 3960000.0000000005 ms.
    expect(Duration.minutes(4.1).toMilliseconds({ integral: false })).not.toBe(246_000);
    expect(durationMillis(scope(), 'd', Duration.minutes(4.1))).toBe(246_000);
    expect(requireSeconds(scope(), 'd', Duration.minutes(4.1))).toBe(246);
    expect(requireSeconds(scope(), 'd', Duration.hours(1.1))).toBe(3960);
    expect(showDuration(Duration.minutes(4.1))).toBe('246s');
    // Every thousandth of a second from 0.001 to 10 is a whole number of milliseconds (175 of them are not, as products).
    let notWhole = 0;
    for (let k = 1; k <= 10_000; k++) {
      if (!Number.isInteger(Duration.seconds(k / 1000).toMilliseconds({ integral: false }))) notWhole++;
      expect(durationMillis(scope(), 'd', Duration.seconds(k / 1000))).toBe(k);
    }
    expect(notWhole).toBeGreaterThan(100);
    expect(isoPeriod(requireTenths(scope(), 'd', Duration.seconds(0.3)))).toBe('PT0.3S');
    expect(isoPeriod(requireTenths(scope(), 'd', Duration.minutes(4.1)))).toBe('PT246S');
    // A fraction written on purpose is still one.
    expect(validationError(() => durationMillis(scope(), 'd', Duration.seconds(1.0005))).message).toBe('test: d ("1.0005s") must be a whole number of milliseconds');
    expect(validationError(() => durationMillis(scope(), 'd', Duration.millis(246_000.001))).message).toBe('test: d ("246.000001s") must be a whole number of milliseconds');
    const { chart } = testChart();
    new KnativeFunction(chart, 'fn', { image: IMAGE, timeout: Duration.minutes(4.1), scale: { window: Duration.minutes(1.1) } });
    const ksvc = findObject(synthValid(chart), 'Service', 'fn');
    expect([ksvc.spec.template.spec.timeoutSeconds, ksvc.spec.template.metadata.annotations['autoscaling.knative.dev/window']]).toEqual([246, '66s']);
  });

  test('whole seconds: a fraction of a second is refused, never rounded; bounds in seconds', () => {
    expect(requireSeconds(scope(), 'd', Duration.minutes(2), { min: 1 })).toBe(120);
    expect(validationError(() => requireSeconds(scope(), 'd', Duration.millis(1500))).message)
      .toBe('test: d ("1.5s") must be a whole number of seconds; the field holds whole seconds; it is not rounded');
    // Kubernetes seconds fields are int32 unless the caller says otherwise.
    expect(validationError(() => requireSeconds(scope(), 'd', Duration.seconds(INT32_MAX + 1))).message).toBe('test: d ("2147483648s") must be at most 2147483647s');
    expect(validationError(() => requireSeconds(scope(), 'd', Duration.seconds(5), { min: 6 })).message).toBe('test: d ("5s") must be at least 6s');
  });

  test('Knative request timeouts stop where a Go duration overflows (2^63-1 ns)', () => {
    expect(MAX_GO_DURATION_SECONDS).toBe(9223372036);
    const { chart } = testChart();
    new KnativeFunction(chart, 'ok', { image: IMAGE, timeout: Duration.seconds(MAX_GO_DURATION_SECONDS), idleTimeout: Duration.seconds(-0) });
    let n = 0;
    const spec = findObject(synthValid(chart), 'Service', 'ok').spec.template.spec;
    expect([spec.timeoutSeconds, Object.is(spec.idleTimeoutSeconds, 0)]).toEqual([9223372036, true]);
    for (const [props, message] of [
      [{ timeout: Duration.seconds(MAX_GO_DURATION_SECONDS + 1) }, 'test/fn: timeout ("9223372037s") must be at most 9223372036s'],
      [{ timeout: Duration.seconds(1e21) }, 'test/fn: timeout ("1e+21s") must be at most 9223372036s'],
      [{ responseStartTimeout: Duration.millis(0.5) }, 'test/fn: responseStartTimeout ("0.0005s") must be a whole number of milliseconds'],
      [{ idleTimeout: Duration.seconds(NaN) }, 'test/fn: idleTimeout ("NaN seconds") is not a number of milliseconds'],
      [{ timeout: Duration.days(Infinity) }, 'test/fn: timeout ("Infinity days") must be finite'],
    ] as const) {
      expect(validationError(() => new KnativeFunction(chart, `fn${n++}`, { name: 'fn', image: IMAGE, ...props })).message).toBe(message.replace('test/fn', `test/fn${n - 1}`));
    }
  });

  test('probe timings are int32 seconds; liveness and startup probes need a period of at least 1s', () => {
    const make = (props: object) => () => new KnativeFunction(testChart().chart, 'fn', { image: IMAGE, ...props });
    const { chart } = testChart();
    expect(validationError(make({ readiness: FunctionProbe.tcp({ initialDelay: Duration.millis(2500) }) })).message)
      .toBe('test/fn: readiness.initialDelay ("2.5s") must be a whole number of seconds; the field holds whole seconds; it is not rounded');
    expect(validationError(make({ liveness: FunctionProbe.tcp({ timeout: Duration.seconds(2 ** 31) }) })).message)
      .toBe('test/fn: liveness.timeout ("2147483648s") must be at most 2147483647s');
    expect(validationError(make({ liveness: FunctionProbe.tcp({ period: Duration.seconds(0) }) })).message)
      .toBe('test/fn: liveness.period ("0s") must be at least 1s for liveness and startup probes (Kubernetes would read 0 as its 10s default)');
    expect(validationError(make({ startup: FunctionProbe.http('/', { period: Duration.seconds(0) }) })).message).toContain('startup.period ("0s") must be at least 1s');
    new KnativeFunction(chart, 'aggressive', { image: IMAGE, readiness: FunctionProbe.tcp({ period: Duration.seconds(0) }) });
    expect(container(findObject(synthValid(chart), 'Service', 'aggressive')).readinessProbe).toEqual({ tcpSocket: {}, periodSeconds: 0 });
    // With a non-zero period Knative fills in and accepts timeout and failureThreshold.
    new KnativeFunction(chart, 'periodic', { image: IMAGE, readiness: FunctionProbe.tcp({ period: Duration.seconds(5), timeout: Duration.seconds(2), failureThreshold: 4 }) });
    expect(container(findObject(synthValid(chart), 'Service', 'periodic')).readinessProbe).toEqual({ tcpSocket: {}, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 4 });
  });

  test('the gateway checks its timeout before giving it to nginx', () => {
    const { chart } = testChart();
    expect(validationError(() => new ApiGateway(chart, 'gw', { timeout: Duration.millis(90_500) })).message)
      .toBe('test/gw: timeout ("90.5s") must be a whole number of seconds; the field holds whole seconds; it is not rounded');
  });

  test('scale windows: whole seconds within Knative\'s bounds', () => {
    const chart = () => testChart().chart;
    expect(validationError(() => new KnativeFunction(chart(), 'fn', { image: IMAGE, scale: { window: Duration.millis(6500) } })).message)
      .toBe('test/fn: scale.window ("6.5s") must be a whole number of seconds; the field holds whole seconds; it is not rounded');
    expect(validationError(() => new KnativeFunction(chart(), 'fn', { image: IMAGE, scale: { scaleDownDelay: Duration.seconds(NaN) } })).message)
      .toBe('test/fn: scale.scaleDownDelay ("NaN seconds") is not a number of milliseconds');
    expect(validationError(() => new KnativeFunction(chart(), 'fn', { image: IMAGE, scale: { metric: ScalingMetric.RPS, window: Duration.hours(1.5) } })).message)
      .toBe('test/fn: scale.window ("5400s") must be at most 3600s');
  });
});

describe('delivery periods: tenths of a second', () => {
  /**
   * How github.com/rickb777/date v1.13 `period.Parse` reads the seconds of `PT<n>S` (the library Knative Eventing and
   * eventing-rabbitmq parse delivery durations with): one decimal kept, the others dropped. In milliseconds.
   */
  function periodSecondsAsRead(iso: string): number {
    const m = /^PT([0-9]+)(?:\.([0-9]*))?S$/.exec(iso);
    if (!m) throw new Error(`not a seconds period: ${iso}`);
    return Number(m[1]) * 1000 + Number((m[2] ?? '0').slice(0, 1) || '0') * 100;
  }

  test('what the period reader would do to milliseconds the library no longer lets through', () => {
    // The reader drops digits: 250ms would be read as 200ms, 50ms as zero.
    expect([periodSecondsAsRead('PT0.25S'), periodSecondsAsRead('PT0.05S'), periodSecondsAsRead('PT0.5S')]).toEqual([200, 0, 500]);
  });

  test.each([
    [Duration.millis(100), 'PT0.1S'], [Duration.millis(500), 'PT0.5S'], [Duration.millis(1500), 'PT1.5S'], [Duration.minutes(2), 'PT120S'],
    [Duration.millis(123_456_700), 'PT123456.7S'], [Duration.days(3276), 'PT283046400S'],
  ])('%p is written as %p and read back exactly', (duration, iso) => {
    const millis = requireTenths(scope(), 'd', duration, { min: 100 });
    expect(isoPeriod(millis)).toBe(iso);
    expect(periodSecondsAsRead(iso)).toBe(duration.toMilliseconds());
  });

  test.each([
    [Duration.millis(250), 'test: d ("0.25s") must be a whole number of tenths of a second; Knative reads it as an ISO-8601 period with one decimal of seconds and drops further digits'],
    [Duration.millis(50), 'test: d ("0.05s") must be at least 0.1s'],
    [Duration.millis(1050), 'test: d ("1.05s") must be a whole number of tenths of a second; Knative reads it as an ISO-8601 period with one decimal of seconds and drops further digits'],
    [Duration.millis(0), 'test: d ("0s") must be at least 0.1s'],
    [Duration.millis(MAX_PERIOD_MILLIS + 100), 'test: d ("283046400.1s") must be at most 283046400s'],
    [Duration.seconds(1e21), 'test: d ("1e+21s") must be at most 283046400s'],
  ])('%p is refused', (duration, message) => {
    expect(validationError(() => requireTenths(scope(), 'd', duration, { min: 100 })).message).toBe(message);
  });

  test('brokers and triggers write their delivery durations as periods read back exactly', () => {
    const app = Testing.app();
    const events = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
    const cluster = new RabbitmqCluster(events, 'rabbitmq');
    const broker = new RabbitmqBroker(events, 'game', { cluster, delivery: { backoffDelay: Duration.millis(300), backoffPolicy: BackoffPolicy.LINEAR } });
    const fn = new KnativeFunction(events, 'board', { image: IMAGE });
    broker.subscribe(fn, { delivery: { timeout: Duration.millis(2500), retry: 2 } });
    const objects = synthValid(events);
    expect(findObject(objects, 'Broker', 'game').spec.delivery.backoffDelay).toBe('PT0.3S');
    expect(findObject(objects, 'Trigger', 'game-to-board').spec.delivery).toMatchObject({ timeout: 'PT2.5S', retry: 2 });
    expect(validationError(() => broker.subscribe(fn, { name: 'b', delivery: { backoffDelay: Duration.millis(1250) } })).message)
      .toBe('events/game/Trigger-b: delivery.backoffDelay ("1.25s") must be a whole number of tenths of a second; Knative reads it as an ISO-8601 period with one decimal of seconds and drops further digits');
    expect(validationError(() => broker.subscribe(fn, { name: 'c', delivery: { timeout: Duration.days(4000) } })).message)
      .toBe('events/game/Trigger-c: delivery.timeout ("345600000s") must be at most 283046400s');
    expect(validationError(() => broker.subscribe(fn, { name: 'd', delivery: { retry: 2 ** 31 } })).message).toContain('delivery.retry (2147483648) must be <= 100');
  });
});

describe('Go durations (time.ParseDuration), as Knative reads duration annotations', () => {
  const NS = 1n;
  const MS = 1_000_000n;
  const S = 1_000_000_000n;
  test.each([
    ['0', 0n], ['+0', 0n], ['-0', 0n], ['5s', 5n * S], ['30s', 30n * S], ['1478s', 1478n * S], ['-5s', -5n * S], ['+5s', 5n * S],
    ['1.5h', 5400n * S], ['1h15m30.918273645s', 4530n * S + 918273645n], ['300ms', 300n * MS], ['1.004s', 1004n * MS], ['.5s', 500n * MS],
    ['1.s', 1n * S], ['2h45m', 9900n * S], ['3µs', 3000n * NS], ['3μs', 3000n * NS], ['3us', 3000n * NS], ['39h9m14.425s', 140954425n * MS],
    ['9223372036854775807ns', 2n ** 63n - 1n], ['-9223372036854775808ns', -(2n ** 63n)],
  ])('%p is %p ns', (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  test.each(['', '3', '-', 's', '.s', '.', '1d', '1 s', '1sec', '- 1s', '1e3s', '9223372036854775808ns', '2562048h'])('%p is refused', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

test('every refusal here is the library\'s ValidationError', () => {
  expect(ValidationError.isValidationError(validationError(() => durationMillis(scope(), 'd', Duration.millis(0.25))))).toBe(true);
});
