/**
 * Requests generated from each spec's own schema: every request the schema accepts either builds objects that are
 * strictly valid and policy-clean, or is refused with a ValidationError (at build or at synth) — never another
 * error; every request broken in one place is refused by the schema.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { FunctionsPlatformSpec, MessageBrokerSpec, PlatformPolicy, PolicyRuleId, ValidationError } from '../../constructs';
import { IBundleSpec } from '../../constructs/kratix/bundle-spec';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { applySchemaDefaults } from '../../constructs/kratix/defaults';
import { SchemaRequestOptions, invalidSpec, request, validSpec } from '../support/schema-requests';

const functions = new FunctionsPlatformSpec();
const broker = new MessageBrokerSpec();

// Claims are validated against the CRDs the published KeyValueStore API implies.
const apis = new Chart(new App(), 'apis');
const validator = SchemaValidator.load().withCustomResourceDefinitions(functions.buildDependencies(apis).api.impliedCrds(), 'platform APIs');

interface Outcome { built: number; refusedAtBuild: number; refusedAtSynth: number; refusedByPolicy: number }

function checkRequests(spec: IBundleSpec, runs: number, options: SchemaRequestOptions = {}): Outcome {
  const outcome: Outcome = { built: 0, refusedAtBuild: 0, refusedAtSynth: 0, refusedByPolicy: 0 };
  fc.assert(fc.property(request(spec.schema, options), (req) => {
    expect(spec.schema.validate(req.spec, 'spec')).toEqual([]);
    const chart = new Chart(Testing.app(), 'request', { disableResourceNameHashes: true });
    try {
      spec.buildBundle(chart, { ...req, spec: applySchemaDefaults(spec.schema, req.spec) as { [field: string]: any } });
    } catch (e) {
      if (!ValidationError.isValidationError(e)) throw e;
      outcome.refusedAtBuild++;
      return;
    }
    let objects: any[];
    try {
      objects = Testing.synth(chart);
    } catch (e) {
      if (!ValidationError.isValidationError(e)) throw e;
      outcome.refusedAtSynth++;
      return;
    }
    expect(validator.validateAll(objects)).toEqual([]);
    // The one rule a request can break with values the schema accepts: an image not pinned for its profile
    // (`:latest`, or a tag in prod). The pipeline refuses such a request with the policy's message.
    const violations = PlatformPolicy.check(objects);
    expect(violations.filter((v) => v.ruleId !== PolicyRuleId.PINNED_IMAGES).map((v) => `[${v.ruleId}] ${v.message}`)).toEqual([]);
    if (violations.length) outcome.refusedByPolicy++;
    else outcome.built++;
  }), { numRuns: runs, seed: 1329 });
  return outcome;
}

/** Requests as people write them: a few fields set, mostly realistic values. */
const REALISTIC: SchemaRequestOptions = { optionalShare: 0.2, poolShare: 0.95 };

describe.each([['FunctionsPlatform', functions, 150], ['AmqpBroker', broker, 200]] as Array<[string, IBundleSpec, number]>)('%s requests generated from its schema', (_kind, spec, runs) => {
  test('each builds strictly valid, policy-clean objects or is refused with a ValidationError (realistic requests)', () => {
    const outcome = checkRequests(spec, runs, REALISTIC);
    // Generation reaches both ends: requests that build, and requests the constructs refuse.
    expect(outcome.built).toBeGreaterThan(runs / 5);
    expect(outcome.refusedAtBuild + outcome.refusedAtSynth).toBeGreaterThan(0);
  });

  test('the same holds for requests that set many fields, with random values', () => {
    const outcome = checkRequests(spec, 100);
    expect(outcome.built + outcome.refusedAtBuild + outcome.refusedAtSynth + outcome.refusedByPolicy).toBe(100);
  });

  test('each request broken in one place is refused by the schema, naming a field', () => {
    fc.assert(fc.property(invalidSpec(spec.schema), (bad) => {
      const problems = spec.schema.validate(bad, 'spec');
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) expect(p).toMatch(/^spec(\.|\[|\s|$)/);
    }), { numRuns: 200, seed: 1329 });
  });

  test('generated values are what the schema accepts, defaults applied or not', () => {
    fc.assert(fc.property(validSpec(spec.schema), (value) => {
      expect(spec.schema.validate(value, 'spec')).toEqual([]);
      expect(spec.schema.validate(applySchemaDefaults(spec.schema, value), 'spec')).toEqual([]);
    }), { numRuns: 200, seed: 1329 });
  });
});
