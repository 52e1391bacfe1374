/**
 * A small bundle spec for the Kratix pipeline tests (the real specs are constructs/kratix/specs/): a FunctionsPlatform
 * with a few functions, offered as `FunctionsPlatform.fixture.platform-blueprints.io/v1alpha1`. Its schema has
 * defaults (so defaulting is exercised) and leaves rules to the constructs (scale.min <= scale.max is the constructs'
 * ValidationError, an image tagged `latest` the platform policy's violation), so every refusal path is reachable.
 */
import { Construct } from 'constructs';
import { FunctionsPlatform } from '../../constructs/bundles/functions-platform';
import { SchemaField } from '../../constructs/crossplane/schema';
import { BundleBuildResult, BundleRequest, IBundleSpec } from '../../constructs/kratix/bundle-spec';
import { KnativeFunction } from '../../constructs/knative/function';

export const fixtureSpec: IBundleSpec = {
  kind: 'FunctionsPlatform',
  group: 'fixture.platform-blueprints.io',
  version: 'v1alpha1',
  plural: 'functionsplatforms',
  description: 'A namespace of functions behind one gateway (test fixture).',
  schema: SchemaField.object({
    namespace: SchemaField.string({ required: true, pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }),
    functions: SchemaField.array(SchemaField.object({
      name: SchemaField.string({ required: true, pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$', maxLength: 40 }),
      image: SchemaField.string({ required: true, minLength: 1 }),
      minScale: SchemaField.integer({ minimum: 0, default: 0 }),
      maxScale: SchemaField.integer({ minimum: 1, default: 3 }),
    }), { required: true, minItems: 1, maxItems: 4 }),
    gateway: SchemaField.object({ name: SchemaField.string({ default: 'gateway', pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$' }) }),
  }),
  example: { namespace: 'shop', functions: [{ name: 'cart', image: 'ghcr.io/acme/cart:1.4.2' }] },
  buildBundle(scope: Construct, request: BundleRequest): BundleBuildResult {
    const spec = request.spec;
    const platform = new FunctionsPlatform(scope, 'platform', {
      namespace: spec.namespace,
      functions: spec.functions.map((f: any) => ({ name: f.name, image: f.image, scale: { min: f.minScale, max: f.maxScale } })),
      gateway: spec.gateway ? { name: spec.gateway.name } : undefined,
    });
    const gateway = platform.gateway.service as KnativeFunction;
    return {
      message: `functions platform ${spec.namespace}: ${platform.functions.length} function(s) behind ${gateway.name}`,
      outputs: { namespace: platform.namespace, gateway: gateway.name },
    };
  },
};

/** The fixture with Promise-level prerequisites (a namespace of its own), for the promise workflow. */
export const fixtureSpecWithPrerequisites: IBundleSpec = {
  ...fixtureSpec,
  kind: 'SharedPlatform',
  plural: 'sharedplatforms',
  buildBundle: fixtureSpec.buildBundle,
  prerequisites: {
    buildPrerequisites(scope: Construct): BundleBuildResult {
      new FunctionsPlatform(scope, 'shared', { namespace: 'shared-fns', functions: [{ name: 'echo', image: 'ghcr.io/acme/echo:1.0.0' }] });
      return { message: 'shared functions namespace shared-fns', outputs: {} };
    },
  },
};
