/**
 * Test helpers: charts, synthesis, strict schema validation, and error assertions.
 */
import { App, Chart, Testing } from 'cdk8s';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { PlatformApi, PlatformPolicy, ValidationError } from '../../constructs';

/**
 * A Testing app with one chart (cdk8s-plus style), in namespace `ns` unless given (`null`: no namespace).
 * Context (e.g. the cluster domain) must be set before the chart exists, so it is a parameter.
 */
export function testChart(namespace: string | null = 'ns', context: { [key: string]: string } = {}): { app: App; chart: Chart } {
  const app = Testing.app();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  const chart = new Chart(app, 'test', { namespace: namespace ?? undefined, disableResourceNameHashes: true });
  return { app, chart };
}

/**
 * The strict validator, knowing also the CRDs the platform APIs of the app imply (claims and composites are then
 * validated like any other object).
 */
export function validatorFor(scope: Chart | App): SchemaValidator {
  const apis = scope.node.root.node.findAll().filter((c): c is PlatformApi => c instanceof PlatformApi);
  const base = SchemaValidator.load();
  return apis.length ? base.withCustomResourceDefinitions(apis.flatMap((a) => a.impliedCrds()), 'platform APIs') : base;
}

/**
 * Synthesizes a chart and validates every object strictly against the pinned upstream schemas, and against the
 * platform policy unless `policy: false` (for tests that build a violation on purpose).
 */
export function synthValid(chart: Chart, options: { policy?: boolean } = {}): any[] {
  const objects = Testing.synth(chart);
  expect(validatorFor(chart).validateAll(objects)).toEqual([]);
  if (options.policy !== false) expect(PlatformPolicy.check(objects).map((v) => `[${v.ruleId}] ${v.message}`)).toEqual([]);
  return objects;
}

export function findObject(objects: any[], kind: string, name: string, apiVersion?: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name && (!apiVersion || o.apiVersion === apiVersion));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

/** Runs `fn`, expects a ValidationError, and returns it for further assertions. */
export function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (ValidationError.isValidationError(e)) return e;
    throw new Error(`expected a ValidationError, got: ${(e as Error)?.stack ?? e}`);
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** The first container of a Knative Service or workload object. */
export function container(obj: any): any {
  return obj.spec.template.spec.containers[0];
}

export function envOf(obj: any): { [name: string]: any } {
  return Object.fromEntries((container(obj).env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}
