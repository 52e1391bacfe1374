/**
 * Property-based tests: thousands of generated prop sets. Every case either synthesizes output that passes strict
 * schema validation and the platform policy, or is refused with the project's ValidationError naming the construct
 * path and the field (at construction, or at synth for the app-level checks; cdk8s's own synth-time validation names
 * the construct too). Anything else
 * thrown is a bug. Runs per property: $PB_PROPERTY_RUNS (default 60 here; `npm run test:properties` runs more).
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Claim, CloudEventType, Composition, EventDrivenPlatform, EventFilter, FunctionsPlatform, KeyValueStoreApi, KnativeFunction, PingSource, PipelineStep,
  PlatformApi, PlatformPolicy, SchemaField, ValidationError,
} from '../../constructs';
import { structuralProblems } from '../support/crossplane';
import { validatorFor } from '../support/k8s';
import { eventDriven, functionsPlatform } from './arbitraries';

const RUNS = Number(process.env.PB_PROPERTY_RUNS ?? 60);
const tally: { [property: string]: { valid: number; rejected: number } } = {};

/** Builds charts; returns 'valid' after checking the output, or 'rejected' after checking the error. */
function outcome(property: string, build: () => Chart[]): void {
  const t = (tally[property] ??= { valid: 0, rejected: 0 });
  let charts: Chart[];
  try {
    charts = build();
  } catch (e) {
    expectValidationError(e);
    t.rejected++;
    return;
  }
  let objects: any[];
  try {
    objects = charts.flatMap((c) => Testing.synth(c));
  } catch (e) {
    // Whole-app checks run at synth: the model's (names, the event catalog) throw a ValidationError naming the
    // construct; cdk8s's own validation (composition selectors) names it in its report.
    if (ValidationError.isValidationError(e)) {
      expectValidationError(e);
    } else if (!/^Validation failed with the following errors:\n {2}\[[^\]]+\] /.test((e as Error).message)) {
      throw e;
    }
    t.rejected++;
    return;
  }
  expect(validatorFor(charts[0]).validateAll(objects)).toEqual([]);
  expect(PlatformPolicy.check(objects).map((v) => `[${v.ruleId}] ${v.message}`)).toEqual([]);
  t.valid++;
}

const reasons: { [key: string]: number } = {};
function expectValidationError(e: unknown): void {
  if (!ValidationError.isValidationError(e)) throw e;
  if (process.env.PB_PROPERTY_REASONS) {
    const key = e.field.replace(/\[\d+\]/g, '[]').replace(/^spec\.[A-Za-z]+/, 'spec.<field>');
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  expect(e.constructPath.length).toBeGreaterThan(0);
  expect(e.field.length).toBeGreaterThan(0);
  expect(e.message.startsWith(`${e.constructPath}: ${e.field} `)).toBe(true);
}

afterAll(() => {
  const lines = Object.entries(tally).map(([p, t]) => `${p}: ${t.valid + t.rejected} cases (${t.valid} synthesized and valid, ${t.rejected} refused with a clear error)`);
  // The number of cases each property ran, as the issue asks.
  process.stdout.write(`\nproperty-based cases:\n  ${lines.join('\n  ')}\n`);
  if (process.env.PB_PROPERTY_REASONS) process.stdout.write(`${JSON.stringify(reasons, null, 1)}\n`);
});

describe('property: FunctionsPlatform', () => {
  test('valid output or a ValidationError, for any props', () => {
    fc.assert(fc.property(functionsPlatform, (p) => outcome('FunctionsPlatform', () => {
      const app = Testing.app();
      const apis = new KeyValueStoreApi(new Chart(app, 'apis', { disableResourceNameHashes: true }), 'kv');
      const chart = new Chart(app, 'fx', { disableResourceNameHashes: true });
      const claimed = p.store === 'claim' || (p.store === undefined && p.profile === 'prod');
      new FunctionsPlatform(chart, 'platform', {
        namespace: p.namespace,
        profile: p.profile,
        store: p.store,
        storeApi: apis,
        functions: p.functions,
        ...(claimed ? { storeClaim: { size: p.storeSize } } : { redis: { storage: p.redisStorage } }),
        gateway: p.routes.length
          ? { routes: p.routes.map(([path, i, strip]) => ({ path, function: (i < 6 && p.functions[i % p.functions.length]?.name) || 'not-a-function', stripPrefix: strip })) }
          : undefined,
      });
      return [chart];
    })), { numRuns: RUNS });
  });
});

describe('property: EventDrivenPlatform with publishers, subscriptions and a ping source', () => {
  test('valid output or a clear error, for any wiring', () => {
    fc.assert(fc.property(eventDriven, (p) => outcome('EventDrivenPlatform', () => {
      const app = Testing.app();
      const events = new Chart(app, 'events', { disableResourceNameHashes: true });
      const fns = new Chart(app, 'fns', { namespace: 'functions', disableResourceNameHashes: true });
      const platform = new EventDrivenPlatform(events, 'platform', {
        namespace: p.namespace, profile: p.profile, rabbitmq: { replicas: p.replicas },
        broker: { name: p.brokerName, queueType: p.queueType, retry: p.retry },
      });
      const types = p.types.map((t) => CloudEventType.of(t));
      const functions = [0, 1, 2].map((i) => new KnativeFunction(fns, `fn-${i}`, { image: `ghcr.io/acme/fn-${i}:1.0.0` }));
      p.publish.forEach((t, i) => platform.broker.addPublisher(functions[i % functions.length], { emits: [types[t % types.length]] }));
      new PingSource(events, 'tick', { namespace: p.namespace, schedule: p.schedule, sink: platform.broker });
      p.subscriptions.forEach((s, i) => platform.broker.subscribe(functions[i % functions.length], {
        name: `sub-${i}`,
        filters: [EventFilter.type(s.type === 4 ? CloudEventType.PING : types[s.type % types.length])],
        parallelism: s.parallelism,
        delivery: s.retry !== undefined || s.backoff !== undefined || s.timeout !== undefined ? { retry: s.retry, backoffPolicy: s.backoff, timeout: s.timeout } : undefined,
      }));
      return [events, fns];
    })), { numRuns: RUNS });
  });
});

const field = fc.oneof(
  fc.record({ type: fc.constant('string'), enum: fc.option(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 0, maxLength: 3 }), { nil: undefined }), pattern: fc.option(fc.constantFrom('^[a-z]+$', '(?i)^x', '^(?=a)', '(', '^[0-9]{2}$'), { nil: undefined }), maxLength: fc.option(fc.integer({ min: -1, max: 20 }), { nil: undefined }), useDefault: fc.boolean(), required: fc.boolean(), immutable: fc.boolean() }),
  fc.record({ type: fc.constant('integer'), minimum: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }), maximum: fc.option(fc.integer({ min: -5, max: 50 }), { nil: undefined }), useDefault: fc.boolean(), required: fc.boolean(), immutable: fc.boolean() }),
  fc.record({ type: fc.constant('boolean'), useDefault: fc.boolean(), required: fc.boolean(), immutable: fc.boolean() }),
  fc.record({ type: fc.constant('array'), minItems: fc.option(fc.integer({ min: -1, max: 3 }), { nil: undefined }), set: fc.boolean(), required: fc.boolean(), immutable: fc.boolean() }),
);

function declare(f: any): SchemaField {
  switch (f.type) {
    case 'string':
      return SchemaField.string({ enum: f.enum, pattern: f.pattern, maxLength: f.maxLength, default: f.useDefault ? (f.enum?.[0] ?? 'abc') : undefined, required: f.required, immutable: f.immutable });
    case 'integer':
      return SchemaField.integer({ minimum: f.minimum, maximum: f.maximum, default: f.useDefault ? 3 : undefined, required: f.required, immutable: f.immutable });
    case 'boolean':
      return SchemaField.boolean({ default: f.useDefault ? true : undefined, required: f.required, immutable: f.immutable });
    default:
      return SchemaField.array(SchemaField.string(), { minItems: f.minItems, set: f.set, required: f.required, immutable: f.immutable });
  }
}

function sampleValue(f: any): any {
  switch (f.type) {
    case 'string': return f.enum?.[0] ?? 'abc';
    case 'integer': return 3;
    case 'boolean': return false;
    default: return ['a', 'b'];
  }
}

describe('property: platform APIs from generated schemas, and claims of them', () => {
  test('a structural XRD and claims valid against the CRDs it implies, or a ValidationError', () => {
    const arb = fc.record({
      fields: fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/), field, { minKeys: 0, maxKeys: 5 }),
      mode: fc.constantFrom('claims', 'namespaced'),
      fill: fc.boolean(),
      extra: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    });
    fc.assert(fc.property(arb, (p) => outcome('PlatformApi + Claim', () => {
      const app = Testing.app();
      const apis = new Chart(app, 'apis', { disableResourceNameHashes: true });
      const api = new PlatformApi(apis, 'Api', {
        group: 'gen.example.org', kind: 'Thing', mode: p.mode as any,
        spec: Object.fromEntries(Object.entries(p.fields).map(([k, f]) => [k, declare(f)])),
        connectionSecretKeys: ['url'],
      });
      new Composition(apis, 'Only', { api, default: true, pipeline: [PipelineStep.autoReady()] });
      expect(structuralProblems(api.openApiSchema())).toEqual([]);
      const team = new Chart(app, 'team', { namespace: 'team', disableResourceNameHashes: true });
      const spec = Object.fromEntries(Object.entries(p.fields).filter(([, f]) => p.fill || f.required).map(([k, f]) => [k, sampleValue(f)]));
      new Claim(team, 'thing', { api, spec: p.extra ? { ...spec, notAField: 1 } : spec });
      return [apis, team];
    })), { numRuns: RUNS });
  });
});
