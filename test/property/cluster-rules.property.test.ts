/**
 * Property-based tests of the cluster's own rules (edges.ts generates the props): every case is either refused
 * with a ValidationError naming one of the fields it set, or synthesizes objects that pass strict schema validation
 * AND the rule the cluster applies, with the value the user meant (no rounding, no dropped digit, no field Knative
 * would ignore). A value that is wrong on its own (`bad`) must never be accepted.
 * Runs per property: $PB_PROPERTY_RUNS (default 60; `npm run test:properties` runs 2000).
 */
import { posix } from 'node:path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { FunctionProbe, KnativeFunction, RabbitmqBroker, RabbitmqCluster, ValidationError } from '../../constructs';
import { autoscalingAnnotationProblems } from '../../constructs/core/knative-rules';
import { validatorFor } from '../support/k8s';
import { Edge, INT32_MAX, deliveryEdges, functionEdges } from './edges';

const RUNS = Number(process.env.PB_PROPERTY_RUNS ?? 60);
const tally: { [property: string]: { valid: number; rejected: number } } = {};

/** Knative's reserved mount paths and queue-proxy ports at v1.22.1 (pkg/apis/serving/k8s_validation.go, networking/constants.go). */
const RESERVED_PATHS = ['/', '/dev', '/dev/log'];
const RESERVED_PORTS = [8008, 8012, 8013, 8022, 8112, 9090, 9091];

const v = <T>(e: Edge<T> | undefined): T | undefined => e?.value;
/**
 * Milliseconds a valid duration means, as the generator computed them from integers (never from the Duration, whose
 * floating-point product can be a rounding error off), and an integer as meant: -0 is zero (the library writes 0).
 */
const ms = (d: Edge<Duration>): number => {
  if (d.meant === undefined) throw new Error('a valid duration edge without the milliseconds it means');
  return d.meant;
};
const n = (e: Edge<number> | undefined): number | undefined => (e === undefined ? undefined : e.value + 0);

/**
 * Knative's verdict on a readiness probe of the user container, transcribed from knative/serving v1.22.1: first the
 * defaulting (pkg/apis/serving/v1/revision_defaults.go applyReadinessProbeDefaults: successThreshold 1; Kubernetes'
 * failureThreshold 3 and timeout 1 only when periodSeconds is not 0), then pkg/apis/serving/k8s_validation.go
 * validateReadinessProbe. Returns the errors Knative would report.
 */
function knativeReadinessErrors(written: { periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number; successThreshold?: number; initialDelaySeconds?: number }): string[] {
  const p = { periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0, successThreshold: 0, initialDelaySeconds: 0, ...written };
  if (p.successThreshold === 0) p.successThreshold = 1;
  if (p.periodSeconds !== 0) {
    if (p.failureThreshold === 0) p.failureThreshold = 3;
    if (p.timeoutSeconds === 0) p.timeoutSeconds = 1;
  }
  const errors: string[] = [];
  if (p.periodSeconds < 0) errors.push('periodSeconds out of bounds');
  if (p.initialDelaySeconds < 0) errors.push('initialDelaySeconds out of bounds');
  if (p.successThreshold < 1) errors.push('successThreshold out of bounds');
  if (p.periodSeconds === 0) {
    if (p.failureThreshold !== 0) errors.push('failureThreshold is disallowed when periodSeconds is zero');
    if (p.timeoutSeconds !== 0) errors.push('timeoutSeconds is disallowed when periodSeconds is zero');
  } else {
    if (p.timeoutSeconds < 1) errors.push('timeoutSeconds out of bounds');
    if (p.failureThreshold < 1) errors.push('failureThreshold out of bounds');
  }
  return errors;
}

/** Every number in the output is one a Go parser reads back as written: finite, not -0, no exponent. */
function expectPlainNumbers(value: unknown, path = ''): void {
  if (typeof value === 'number') {
    expect({ path, value, plain: Number.isFinite(value) && !Object.is(value, -0) && !/e/i.test(String(value)) }).toEqual({ path, value, plain: true });
  } else if (Array.isArray(value)) {
    value.forEach((x, i) => expectPlainNumbers(x, `${path}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [k, x] of Object.entries(value)) expectPlainNumbers(x, `${path}.${k}`);
  }
}

/**
 * Runs one case: a refusal must be a ValidationError on one of `fields`, and only where the upstream rules refuse
 * (`mustRefuse`: a value wrong on its own; `mayRefuse`: a combination the cluster refuses); acceptance must pass `check`.
 */
function outcome(property: string, mustRefuse: boolean, mayRefuse: boolean, fields: string[], build: () => Chart, check: (objects: any[]) => void): void {
  const t = (tally[property] ??= { valid: 0, rejected: 0 });
  let chart: Chart;
  try {
    chart = build();
  } catch (e) {
    if (!ValidationError.isValidationError(e)) throw e;
    expect(e.message.startsWith(`${e.constructPath}: ${e.field} (`)).toBe(true);
    expect({ field: e.field, named: fields.some((f) => e.field === f || e.field.startsWith(`${f}.`) || e.field.startsWith(`${f}[`)) })
      .toEqual({ field: e.field, named: true });
    // Nothing wrong and no combination the cluster refuses: refusing it is a false refusal.
    expect({ refused: e.message, upstreamRefuses: mustRefuse || mayRefuse }).toEqual({ refused: e.message, upstreamRefuses: true });
    t.rejected++;
    return;
  }
  expect({ accepted: 'a value that is wrong on its own', mustRefuse }).toEqual({ accepted: 'a value that is wrong on its own', mustRefuse: false });
  const objects = Testing.synth(chart);
  expect(validatorFor(chart).validateAll(objects)).toEqual([]);
  expectPlainNumbers(objects);
  check(objects);
  t.valid++;
}

afterAll(() => {
  const lines = Object.entries(tally).map(([p, t]) => `${p}: ${t.valid + t.rejected} cases (${t.valid} synthesized and valid, ${t.rejected} refused with a clear error)`);
  process.stdout.write(`\nproperty-based cases:\n  ${lines.join('\n  ')}\n`);
});

const isBad = (x: unknown): boolean => (x as Edge<unknown> | undefined)?.bad === true;

describe('property: a function at the edges of the cluster\'s rules', () => {
  test('refused with a ValidationError naming a field it set, or written exactly as meant and as Knative admits it', () => {
    fc.assert(fc.property(functionEdges, (p) => {
      const probes = { readiness: p.readiness, liveness: p.liveness };
      // Paths as Go's path.Clean reads absolute paths (posix.resolve does the same for them).
      const paths = [...p.writablePaths, ...(p.configMount !== undefined ? [p.configMount] : [])];
      const cleaned = paths.map((x) => (x.startsWith('/') ? posix.resolve('/', x) : undefined));
      const badPath = paths.some((x, i) => !x.startsWith('/') || /\s|:/.test(x) || RESERVED_PATHS.includes(cleaned[i]!) || cleaned.indexOf(cleaned[i]) !== i);
      const mustRefuse = badPath
        || [p.timeout, p.responseStartTimeout, p.idleTimeout, p.containerConcurrency, p.port, p.user].some(isBad)
        || Object.values(p.scale).some(isBad)
        || Object.values(probes).some((o) => o !== undefined && Object.values(o).some(isBad))
        || [...p.labels, ...p.annotations, ...p.revisionAnnotations].some((e) => e[2]);
      // Combinations of valid values that Knative refuses (knative/serving v1.22.1), transcribed from upstream:
      const meant = (e: Edge<Duration> | undefined) => (e && !e.bad ? ms(e) : undefined);
      const [timeout, responseStart, idle] = [meant(p.timeout), meant(p.responseStartTimeout), meant(p.idleTimeout)];
      const scaleOf = (e: Edge<number> | undefined) => (e && !e.bad ? e.value + 0 : undefined);
      const [min, max, initial, activation] = [scaleOf(p.scale.min), scaleOf(p.scale.max) ?? 0, scaleOf(p.scale.initial), scaleOf(p.scale.activationScale)];
      const mayRefuse =
        // revision_validation.go: responseStartTimeoutSeconds and idleTimeoutSeconds at most timeoutSeconds.
        (timeout !== undefined && ((responseStart ?? 0) > timeout || (idle ?? 0) > timeout))
        // pkg/apis/autoscaling/annotation_validation.go validateMinMaxScale: min-scale <= max-scale and
        // min-scale <= activation-scale <= max-scale (max-scale 0 = unbounded).
        || (max !== 0 && [min, activation].some((x) => x !== undefined && x > max))
        || (activation !== undefined && activation < (min ?? 0))
        // Library rule, not Knative's: initial-scale above max-scale (Knative would cap it at max-scale).
        || (max !== 0 && initial !== undefined && initial > max)
        // k8s_validation.go validateReadinessProbe: with periodSeconds 0 (Knative defaults the others only for a
        // non-zero period, revision_defaults.go) failureThreshold and timeoutSeconds are disallowed.
        || (p.readiness !== undefined && (meant(p.readiness.period) ?? 0) === 0 && (p.readiness.timeout !== undefined || p.readiness.failureThreshold !== undefined));
      const fields = ['timeout', 'responseStartTimeout', 'idleTimeout', 'containerConcurrency', 'port', 'securityContext.user', 'scale', 'readiness',
        'liveness', 'writablePaths', 'mountPath', 'labels', 'annotations', 'revisionAnnotations'];
      const timing = (o: typeof p.readiness) => o && {
        period: v(o.period), timeout: v(o.timeout), initialDelay: v(o.initialDelay), failureThreshold: v(o.failureThreshold),
      };
      outcome('KnativeFunction edges', mustRefuse, mayRefuse, fields, () => {
        const chart = new Chart(Testing.app(), 'c', { namespace: 'ns', disableResourceNameHashes: true });
        const fn = new KnativeFunction(chart, 'fn', {
          image: 'ghcr.io/acme/fn:1.0.0',
          timeout: v(p.timeout), responseStartTimeout: v(p.responseStartTimeout), idleTimeout: v(p.idleTimeout),
          containerConcurrency: v(p.containerConcurrency), port: v(p.port),
          securityContext: p.user ? { user: p.user.value } : undefined,
          scale: Object.fromEntries(Object.entries(p.scale).map(([k, e]) => [k, v(e as Edge<unknown>)])),
          readiness: p.readiness && FunctionProbe.tcp(timing(p.readiness)),
          liveness: p.liveness && FunctionProbe.tcp(timing(p.liveness)),
          writablePaths: p.writablePaths,
          labels: p.labels.length ? Object.fromEntries(p.labels.map(([k, x]) => [k, x])) : undefined,
          annotations: p.annotations.length ? Object.fromEntries(p.annotations.map(([k, x]) => [k, x])) : undefined,
        });
        if (p.configMount !== undefined) fn.mountConfigMap(kplus.ConfigMap.fromConfigMapName(fn, 'Settings', 'settings'), p.configMount);
        for (const [k, x] of p.revisionAnnotations) fn.addRevisionAnnotation(k, x);
        return chart;
      }, (objects) => {
        const ksvc = objects.find((o) => o.kind === 'Service' && o.apiVersion === 'serving.knative.dev/v1');
        const spec = ksvc.spec.template.spec;
        const container = spec.containers[0];
        // Durations and integers arrive as the user meant them: no rounding, no truncation.
        const seconds = (d: Edge<Duration> | undefined) => (d ? ms(d) / 1000 : undefined);
        expect([spec.timeoutSeconds, spec.responseStartTimeoutSeconds, spec.idleTimeoutSeconds]).toEqual([seconds(p.timeout), seconds(p.responseStartTimeout), seconds(p.idleTimeout)]);
        expect(spec.containerConcurrency).toBe(n(p.containerConcurrency) ?? 0);
        expect(container.ports[0].containerPort).toBe(n(p.port) ?? 8080);
        expect(RESERVED_PORTS).not.toContain(container.ports[0].containerPort);
        expect(container.securityContext.runAsUser).toBe(n(p.user) ?? 65532);
        for (const [name, o] of [['readinessProbe', p.readiness], ['livenessProbe', p.liveness]] as const) {
          if (!o) continue;
          const written = container[name];
          expect([written.periodSeconds, written.timeoutSeconds, written.initialDelaySeconds, written.failureThreshold])
            .toEqual([seconds(o.period), seconds(o.timeout), seconds(o.initialDelay), n(o.failureThreshold)]);
          if (name === 'livenessProbe') expect(written.periodSeconds ?? 10).toBeGreaterThanOrEqual(1);
          if (name === 'readinessProbe') expect({ written, errors: knativeReadinessErrors(written) }).toEqual({ written, errors: [] });
        }
        // The autoscaling annotations: digits Knative parses as int32, windows in whole seconds, and Knative's own rules.
        const annotations = ksvc.spec.template.metadata.annotations;
        for (const key of ['min-scale', 'max-scale', 'initial-scale', 'activation-scale']) {
          const text = annotations[`autoscaling.knative.dev/${key}`];
          if (text !== undefined) expect({ key, text, int32: /^(0|[1-9][0-9]*)$/.test(text) && Number(text) <= INT32_MAX }).toEqual({ key, text, int32: true });
        }
        const scale = p.scale;
        if (scale.min) expect(annotations['autoscaling.knative.dev/min-scale']).toBe(String(n(scale.min)));
        if (scale.max && scale.max.value !== 0) expect(annotations['autoscaling.knative.dev/max-scale']).toBe(String(scale.max.value));
        if (scale.window) expect(annotations['autoscaling.knative.dev/window']).toBe(`${ms(scale.window) / 1000}s`);
        if (scale.scaleDownDelay) expect(annotations['autoscaling.knative.dev/scale-down-delay']).toBe(`${ms(scale.scaleDownDelay) / 1000}s`);
        expect(autoscalingAnnotationProblems(annotations)).toEqual([]);
        for (const [k, x] of p.revisionAnnotations) expect(annotations[k]).toBe(x);
        // Mount paths: unique and unreserved once cleaned, written as given.
        const mounts: string[] = (container.volumeMounts ?? []).map((m: any) => m.mountPath);
        expect(mounts).toEqual(paths.length ? paths : []);
        const clean = mounts.map((m) => posix.resolve('/', m));
        expect(new Set(clean).size).toBe(clean.length);
        expect(clean.filter((c) => RESERVED_PATHS.includes(c))).toEqual([]);
        // Labels Knative owns stay Knative's; the visibility label follows the visibility prop.
        expect(Object.keys(ksvc.metadata.labels).filter((k) => k.startsWith('serving.knative.dev/'))).toEqual([]);
        expect(ksvc.metadata.labels['networking.knative.dev/visibility']).toBe('cluster-local');
        expect(Object.keys(ksvc.metadata.annotations ?? {}).filter((k) => k.startsWith('autoscaling.knative.dev'))).toEqual([]);
      });
    }), { numRuns: RUNS });
  });
});

/**
 * How github.com/rickb777/date v1.13 `period.Parse` reads the seconds of `PT<n>S`, which Knative Eventing and
 * eventing-rabbitmq use for delivery durations: one decimal kept, the others dropped. In milliseconds.
 */
function periodAsRead(iso: string): number {
  const m = /^PT([0-9]+)(?:\.([0-9]*))?S$/.exec(iso);
  if (!m) throw new Error(`not a seconds period: ${iso}`);
  return Number(m[1]) * 1000 + Number((m[2] ?? '').slice(0, 1) || '0') * 100;
}

describe('property: delivery settings at the edges', () => {
  test('refused with a ValidationError naming a delivery field, or read back by eventing exactly as meant', () => {
    fc.assert(fc.property(deliveryEdges, (p) => {
      const mustRefuse = Object.values(p).some(isBad);
      outcome('delivery edges', mustRefuse, false, ['delivery', 'parallelism'], () => {
        const chart = new Chart(Testing.app(), 'events', { namespace: 'events', disableResourceNameHashes: true });
        const cluster = new RabbitmqCluster(chart, 'rabbitmq');
        const broker = new RabbitmqBroker(chart, 'game', { cluster, delivery: { retry: v(p.brokerRetry), backoffDelay: v(p.brokerBackoff) } });
        const fn = new KnativeFunction(chart, 'board', { image: 'ghcr.io/acme/board:1.0.0' });
        broker.subscribe(fn, { parallelism: v(p.parallelism), delivery: { retry: v(p.retry), backoffDelay: v(p.backoffDelay), timeout: v(p.timeout) } });
        return chart;
      }, (objects) => {
        const brokerDelivery = objects.find((o) => o.kind === 'Broker').spec.delivery;
        const trigger = objects.find((o) => o.kind === 'Trigger');
        expect(brokerDelivery.retry).toBe(n(p.brokerRetry) ?? 3);
        expect(periodAsRead(brokerDelivery.backoffDelay)).toBe(p.brokerBackoff ? ms(p.brokerBackoff) : 500);
        // A subscription's delivery replaces the broker's whole, its unset fields taken from the broker's.
        const own = p.retry !== undefined || p.backoffDelay !== undefined || p.timeout !== undefined;
        if (own) {
          expect(trigger.spec.delivery.retry).toBe(n(p.retry) ?? brokerDelivery.retry);
          expect(periodAsRead(trigger.spec.delivery.backoffDelay)).toBe(p.backoffDelay ? ms(p.backoffDelay) : periodAsRead(brokerDelivery.backoffDelay));
        }
        if (p.timeout) expect(periodAsRead(trigger.spec.delivery!.timeout)).toBe(ms(p.timeout));
        if (p.parallelism) expect(trigger.metadata.annotations['rabbitmq.eventing.knative.dev/parallelism']).toBe(String(n(p.parallelism)));
      });
    }), { numRuns: RUNS });
  });
});

test('both outcomes occur: the generators reach valid output and every kind of refusal', () => {
  for (const [property, t] of Object.entries(tally)) expect({ property, both: t.valid > 0 && t.rejected > 0 }).toEqual({ property, both: true });
  expect(Object.keys(tally).sort()).toEqual(['KnativeFunction edges', 'delivery edges']);
});
