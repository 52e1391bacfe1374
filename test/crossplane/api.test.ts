import { Chart, Testing } from 'cdk8s';
import {
  Claim, Composition, ConnectionDetail, CrossplaneMode, DeployHints, Patch, PipelineStep, PlatformApi, PlatformApiProps, ReadinessCheck, SchemaField, Transform,
} from '../../constructs';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { findObject, synthValid, validationError, validatorFor } from '../support/k8s';
import { goTemplateProblems, structuralProblems } from '../support/crossplane';

const spec = {
  engine: SchemaField.string({ enum: ['postgres', 'mysql'], default: 'postgres' }),
  storageGb: SchemaField.integer({ minimum: 10, maximum: 1000, default: 20 }),
  owner: SchemaField.string({ required: true }),
};

function setup(mode: CrossplaneMode, extra: Partial<PlatformApiProps> = {}) {
  const app = Testing.app();
  const platform = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const api = new PlatformApi(platform, 'Database', { group: 'db.example.org', kind: 'Database', mode, spec, connectionSecretKeys: ['endpoint', 'password'], ...extra });
  const local = new Composition(platform, 'Local', {
    api, labels: { provider: 'local' }, default: true,
    pipeline: [PipelineStep.goTemplate('render', '{{- $xr := .observed.composite.resource }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ $xr.metadata.name }}\n'), PipelineStep.autoReady()],
  });
  const aws = new Composition(platform, 'Aws', {
    api, labels: { provider: 'aws', tier: 'managed' },
    pipeline: [PipelineStep.patchAndTransform('rds', [{
      name: 'instance',
      base: { apiVersion: 'rds.aws.upbound.io/v1beta1', kind: 'Instance', spec: { forProvider: { region: 'eu-west-1', engine: 'postgres' } } },
      patches: [
        Patch.fromComposite('spec.storageGb', 'spec.forProvider.allocatedStorage', { required: true }),
        Patch.fromComposite('spec.engine', 'spec.forProvider.engine', { transforms: [Transform.map({ postgres: 'postgres', mysql: 'mysql' })] }),
        Patch.combineFromComposite(['metadata.name', 'spec.owner'], '%s-%s', 'metadata.labels[owner]'),
        Patch.toComposite('status.atProvider.address', 'status.endpoint'),
      ],
      connectionDetails: [ConnectionDetail.fromFieldPath('endpoint', 'status.atProvider.address'), ConnectionDetail.fromConnectionSecretKey('password', 'attribute.password')],
      readinessChecks: [ReadinessCheck.matchCondition(), ReadinessCheck.nonEmpty('status.atProvider.address')],
    }]), PipelineStep.autoReady()],
  });
  return { app, platform, api, local, aws };
}

describe('PlatformApi, namespaced (Crossplane v2)', () => {
  const { platform, api } = setup(CrossplaneMode.NAMESPACED);
  const objects = synthValid(platform);
  const xrd = findObject(objects, 'CompositeResourceDefinition', 'databases.db.example.org');

  test('an apiextensions.crossplane.io/v2 XRD, scope Namespaced, no claims, the default composition by reference', () => {
    expect(xrd.apiVersion).toBe('apiextensions.crossplane.io/v2');
    expect(xrd.metadata.namespace).toBeUndefined();
    expect(xrd.spec).toMatchObject({
      group: 'db.example.org',
      scope: 'Namespaced',
      names: { kind: 'Database', plural: 'databases' },
      defaultCompositionRef: { name: 'local.databases.db.example.org' },
    });
    expect(xrd.spec.claimNames).toBeUndefined();
    expect(xrd.spec.connectionSecretKeys).toBeUndefined();
    expect(xrd.spec.versions).toHaveLength(1);
    expect(xrd.spec.versions[0]).toMatchObject({ name: 'v1alpha1', served: true, referenceable: true });
  });

  test('the schema is structural; the connection Secret is a field of the API (v2 composites have no connection details)', () => {
    const schema = xrd.spec.versions[0].schema.openAPIV3Schema;
    expect(structuralProblems(schema)).toEqual([]);
    expect(schema.properties.spec.properties.writeConnectionSecretToRef).toMatchObject({ type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] });
    expect(schema.properties.spec.required).toEqual(['owner', 'writeConnectionSecretToRef']);
    expect([api.compositeKind, api.kind, api.apiVersion]).toEqual(['Database', 'Database', 'db.example.org/v1alpha1']);
  });

  test('the implied CRD is a valid CustomResourceDefinition with the fields Crossplane adds under spec.crossplane', () => {
    const [crd] = api.impliedCrds();
    expect(SchemaValidator.load().validateAll([crd])).toEqual([]);
    expect(crd.spec.scope).toBe('Namespaced');
    const props = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    expect(Object.keys(props.crossplane.properties)).toEqual(['compositionRef', 'compositionSelector', 'compositionRevisionRef', 'compositionRevisionSelector', 'compositionUpdatePolicy', 'resourceRefs']);
    expect(structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema)).toEqual([]);
  });

  test('compositions: Pipeline mode, the composite type, the functions by name, their labels', () => {
    const local = findObject(objects, 'Composition', 'local.databases.db.example.org');
    expect(local.metadata.labels.provider).toBe('local');
    expect(local.spec).toMatchObject({ compositeTypeRef: { apiVersion: 'db.example.org/v1alpha1', kind: 'Database' }, mode: 'Pipeline' });
    expect(local.spec.writeConnectionSecretsToNamespace).toBeUndefined();
    expect(local.spec.pipeline.map((p: any) => [p.step, p.functionRef.name])).toEqual([['render', 'function-go-templating'], ['mark-ready', 'function-auto-ready']]);
    expect(local.spec.pipeline[0].input).toMatchObject({ apiVersion: 'gotemplating.fn.crossplane.io/v1beta1', kind: 'GoTemplate', source: 'Inline' });
    expect(goTemplateProblems(local.spec.pipeline[0].input.inline.template)).toEqual([]);
    expect(local.spec.pipeline[1].input).toBeUndefined();
  });

  test('patch-and-transform input: the field names of function-patch-and-transform v1beta1 (its input is opaque to the schema)', () => {
    const aws = findObject(objects, 'Composition', 'aws.databases.db.example.org');
    expect(aws.spec.pipeline[0].input).toEqual({
      apiVersion: 'pt.fn.crossplane.io/v1beta1',
      kind: 'Resources',
      resources: [{
        name: 'instance',
        base: { apiVersion: 'rds.aws.upbound.io/v1beta1', kind: 'Instance', spec: { forProvider: { region: 'eu-west-1', engine: 'postgres' } } },
        patches: [
          { type: 'FromCompositeFieldPath', fromFieldPath: 'spec.storageGb', toFieldPath: 'spec.forProvider.allocatedStorage', policy: { fromFieldPath: 'Required' } },
          { type: 'FromCompositeFieldPath', fromFieldPath: 'spec.engine', toFieldPath: 'spec.forProvider.engine', transforms: [{ type: 'map', map: { postgres: 'postgres', mysql: 'mysql' } }] },
          { type: 'CombineFromComposite', combine: { variables: [{ fromFieldPath: 'metadata.name' }, { fromFieldPath: 'spec.owner' }], strategy: 'string', string: { fmt: '%s-%s' } }, toFieldPath: 'metadata.labels[owner]' },
          { type: 'ToCompositeFieldPath', fromFieldPath: 'status.atProvider.address', toFieldPath: 'status.endpoint' },
        ],
        connectionDetails: [
          { name: 'endpoint', type: 'FromFieldPath', fromFieldPath: 'status.atProvider.address' },
          { name: 'password', type: 'FromConnectionSecretKey', fromConnectionSecretKey: 'attribute.password' },
        ],
        readinessChecks: [{ type: 'MatchCondition', matchCondition: { type: 'Ready', status: 'True' } }, { type: 'NonEmpty', fieldPath: 'status.atProvider.address' }],
      }],
    });
  });
});

describe('PlatformApi with claims (Crossplane v1 XRD)', () => {
  const { platform, api } = setup(CrossplaneMode.CLAIMS);
  const objects = synthValid(platform);
  const xrd = findObject(objects, 'CompositeResourceDefinition', 'xdatabases.db.example.org');

  test('an apiextensions.crossplane.io/v1 XRD (LegacyCluster by default): composite XDatabase, claim Database, connection keys', () => {
    expect(xrd.apiVersion).toBe('apiextensions.crossplane.io/v1');
    // No scope field: Crossplane 1.x does not know it, 2.x defaults v1 XRDs to LegacyCluster.
    expect(xrd.spec.scope).toBeUndefined();
    expect(xrd.spec).toMatchObject({
      names: { kind: 'XDatabase', plural: 'xdatabases' },
      claimNames: { kind: 'Database', plural: 'databases' },
      connectionSecretKeys: ['endpoint', 'password'],
    });
    // Crossplane adds writeConnectionSecretToRef to claims itself: the API's schema does not declare it.
    expect(xrd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.writeConnectionSecretToRef).toBeUndefined();
    expect(xrd.spec.conversion).toBeUndefined();
  });

  test('the XRD and the compositions are also valid for Crossplane 1.20 (strictly, against its CRDs)', () => {
    const v1 = SchemaValidator.load().withPackage('crossplane-v1');
    expect(v1.validateAll(objects.filter((o) => o.apiVersion === 'apiextensions.crossplane.io/v1'))).toEqual([]);
  });

  test('deployers wait until the XRD offers its claims, and protect it (deleting it deletes every claim)', () => {
    expect(DeployHints.readyConditions(api.resource)).toEqual(['Established', 'Offered']);
    expect(DeployHints.statefulReason(api.resource)).toBe('deleting it deletes every Database in the cluster');
  });

  test('compositions write the composites\' connection Secrets to Crossplane\'s namespace', () => {
    expect(findObject(objects, 'Composition', 'local.xdatabases.db.example.org').spec.writeConnectionSecretsToNamespace).toBe('crossplane-system');
  });

  test('the implied CRDs: a cluster-scoped composite and a namespaced claim, both valid CRDs', () => {
    const crds = api.impliedCrds();
    expect(crds.map((c) => [c.metadata.name, c.spec.scope])).toEqual([['xdatabases.db.example.org', 'Cluster'], ['databases.db.example.org', 'Namespaced']]);
    expect(SchemaValidator.load().validateAll(crds)).toEqual([]);
    const claimSpec = crds[1].spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    expect(Object.keys(claimSpec)).toEqual(expect.arrayContaining(['compositionSelector', 'compositionRef', 'compositeDeletePolicy', 'writeConnectionSecretToRef', 'owner']));
  });
});

describe('Claim', () => {
  test.each([CrossplaneMode.NAMESPACED, CrossplaneMode.CLAIMS])('%s: values checked and defaulted by the API, a composition by labels, validated against the implied CRD', (mode) => {
    const { app, api } = setup(mode);
    const team = new Chart(app, 'team', { namespace: 'shop', disableResourceNameHashes: true });
    const claim = new Claim(team, 'orders-db', { api, spec: { owner: 'orders', storageGb: 50 }, compositionSelector: { provider: 'aws' } });
    app.synth();
    const [obj] = synthValid(team);
    expect(obj).toMatchObject({ apiVersion: 'db.example.org/v1alpha1', kind: 'Database', metadata: { name: 'orders-db', namespace: 'shop' } });
    expect(obj.spec).toEqual(mode === CrossplaneMode.CLAIMS
      ? { owner: 'orders', storageGb: 50, compositionSelector: { matchLabels: { provider: 'aws' } }, writeConnectionSecretToRef: { name: 'orders-db-connection' } }
      : { owner: 'orders', storageGb: 50, writeConnectionSecretToRef: { name: 'orders-db-connection' }, crossplane: { compositionSelector: { matchLabels: { provider: 'aws' } } } });
    expect(claim.connectionSecretName).toBe('orders-db-connection');
  });

  test('a claim is created after its API\'s compositions, waited for up to 30 minutes, and protected', () => {
    const { app, api, local, aws } = setup(CrossplaneMode.NAMESPACED);
    const team = new Chart(app, 'team', { namespace: 'shop', disableResourceNameHashes: true });
    const claim = new Claim(team, 'db', { api, spec: { owner: 'x' } });
    // A composition added after the claim is a dependency too.
    const late = new Composition(app.node.findChild('platform') as Chart, 'Late', { api, pipeline: [PipelineStep.autoReady()] });
    expect(DeployHints.dependencies(claim.resource)).toEqual([local.resource, aws.resource, late.resource]);
    expect([DeployHints.readyCondition(claim.resource), DeployHints.readyTimeoutMinutes(claim.resource)]).toEqual(['Ready', 30]);
    expect(DeployHints.statefulReason(claim.resource)).toBe('deleting it deletes the Database it requested');
  });

  test('a pinned composition is a reference', () => {
    const { app, api, aws } = setup(CrossplaneMode.NAMESPACED);
    const team = new Chart(app, 'team', { namespace: 'shop', disableResourceNameHashes: true });
    new Claim(team, 'db', { api, spec: { owner: 'x' }, composition: aws });
    expect(synthValid(team)[0].spec.crossplane).toEqual({ compositionRef: { name: 'aws.databases.db.example.org' } });
  });

  test.each([
    ['a required field missing', { spec: {} }, 'team/db: spec.owner is required'],
    ['a value outside the enum', { spec: { owner: 'x', engine: 'oracle' } }, 'team/db: spec.engine ("oracle") must be one of postgres, mysql'],
    ['a value out of range', { spec: { owner: 'x', storageGb: 5 } }, 'team/db: spec.storageGb (5) must be >= 10'],
    ['an unknown field', { spec: { owner: 'x', size: 'large' } }, 'team/db: spec.size is not a field of this API; known fields: engine, storageGb, owner'],
    ['the connection Secret in spec', { spec: { owner: 'x', writeConnectionSecretToRef: { name: 'a' } } }, 'spec.writeConnectionSecretToRef ({"name":"a"}) is set by the claim; use connectionSecretName'],
    ['a selector and a pinned composition', { spec: { owner: 'x' }, compositionSelector: { provider: 'aws' }, composition: 'pin' }, 'and compositionSelector are both set'],
    ['a bad name', { name: 'Orders_DB', spec: { owner: 'x' } }, 'name ("Orders_DB") must be a DNS-1123 label'],
  ])('rejects %s', (_case, props, message) => {
    const { app, api, aws } = setup(CrossplaneMode.NAMESPACED);
    const team = new Chart(app, 'team', { namespace: 'shop' });
    const p: any = { api, ...props };
    if (p.composition === 'pin') p.composition = aws;
    expect(validationError(() => new Claim(team, 'db', p)).message).toContain(message);
  });

  test('a composition label no composition carries fails the synth, naming what the compositions carry', () => {
    const { app, api } = setup(CrossplaneMode.NAMESPACED);
    new Claim(new Chart(app, 'team', { namespace: 'shop' }), 'db', { api, spec: { owner: 'x' }, compositionSelector: { provider: 'gcp' } });
    expect(() => app.synth()).toThrow('team/db: compositionSelector.provider ("gcp") matches no composition of Database; its compositions carry provider: aws|local, tier: managed');
  });
});

describe('PlatformApi bad input', () => {
  const build = (props: Partial<PlatformApiProps>) => {
    const chart = Testing.chart();
    return new PlatformApi(chart, 'api', { group: 'db.example.org', kind: 'Database', spec, ...props });
  };

  test.each([
    ['a group without a dot', { group: 'databases' }, 'group ("databases") must be a DNS subdomain with at least one dot'],
    ['an uppercase group', { group: 'DB.example.org' }, 'group ("DB.example.org") must be a DNS subdomain'],
    ['a lowercase kind', { kind: 'database' }, 'kind ("database") must be a PascalCase kind'],
    ['an uppercase plural', { plural: 'Databases' }, 'plural ("Databases") must be a lowercase DNS-1123 label'],
    ['a bad version', { version: '1.0' }, 'version ("1.0") is not a Kubernetes API version'],
    ['no fields', { spec: {} }, 'spec ({}) must declare at least one field'],
    ['a field Crossplane adds', { spec: { compositionSelector: SchemaField.string() } }, 'spec.compositionSelector ("compositionSelector") is a field Crossplane adds to every composite and claim'],
    ['a status field Crossplane sets', { status: { conditions: SchemaField.string() } }, 'status.conditions ("conditions") is a status field Crossplane sets'],
    ['a bad connection key', { connectionSecretKeys: ['pass word'] }, 'connectionSecretKeys[0] ("pass word") must be a Secret key'],
    ['a repeated connection key', { connectionSecretKeys: ['a', 'a'] }, 'connectionSecretKeys (["a","a"]) lists a key twice'],
    ['an unknown mode', { mode: 'v3' as CrossplaneMode }, 'mode ("v3") must be one of claims, namespaced'],
    ['a bad field declaration', { spec: { size: SchemaField.string({ enum: ['s'], default: 'm' }) } }, 'spec.size.default ("m") does not fit its own field'],
    ['a Kubernetes group', { group: 'widgets.k8s.io' }, 'group ("widgets.k8s.io") is reserved for Kubernetes APIs'],
    ['a plural too long for the composite', { mode: CrossplaneMode.CLAIMS, plural: 'a'.repeat(63) }, 'which is longer than 63 characters'],
  ])('rejects %s', (_case, props, message) => {
    expect(validationError(() => build(props)).message).toContain(message);
  });

  test('kind and claim names that clash with another API of the group fail the synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'apis');
    new PlatformApi(chart, 'a', { group: 'db.example.org', kind: 'Database', mode: CrossplaneMode.CLAIMS, spec });
    // Its composite kind is what the first API's composite is called.
    new PlatformApi(chart, 'b', { group: 'db.example.org', kind: 'XDatabase', spec });
    expect(() => app.synth()).toThrow(/apis\/a: kind XDatabase \(xdatabases\.db\.example\.org\) clashes with XDatabase \(xdatabases\.db\.example\.org\) of apis\/b/);
  });

  test('an API needs a composition, and a default when it has several', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'apis');
    const api = new PlatformApi(chart, 'a', { group: 'db.example.org', kind: 'Database', spec });
    expect(() => app.synth()).toThrow('apis/a: platform API Database has no composition; add one with new Composition(..., { api })');
    const step = () => [PipelineStep.autoReady()];
    new Composition(chart, 'One', { api, pipeline: step() });
    new Composition(chart, 'Two', { api, pipeline: step() });
    expect(() => app.synth()).toThrow('has 2 compositions and no default');
    new Composition(chart, 'Three', { api, pipeline: step(), default: true });
    expect(() => app.synth()).not.toThrow();
    expect(validationError(() => new Composition(chart, 'Four', { api, pipeline: step(), default: true })).message)
      .toContain('default (true) but three.databases.db.example.org is already the default composition of Database');
  });

  test.each([
    ['an empty pipeline', { pipeline: [] }, 'pipeline ([]) must have at least one step'],
    ['a repeated step', { pipeline: [PipelineStep.autoReady('x'), PipelineStep.autoReady('x')] }, 'pipeline[1].step ("x") is used twice'],
    ['a step that is not one', { pipeline: [{ step: 'x' }] }, 'pipeline[0] ({"step":"x"}) must be a PipelineStep'],
    ['an empty template', { pipeline: [PipelineStep.goTemplate('t', ' ')] }, 'pipeline[0].template (" ") must be a non-empty Go template'],
    ['a bad field path', { pipeline: [PipelineStep.patchAndTransform('p', [{ name: 'r', base: { apiVersion: 'v1', kind: 'ConfigMap' }, patches: [Patch.fromComposite('spec..size', 'data.size')] }])] },
      'pipeline[0].resources[0].patches[0].fromFieldPath ("spec..size") is not a field path'],
    ['a format without a verb', { pipeline: [PipelineStep.patchAndTransform('p', [{ name: 'r', base: { apiVersion: 'v1', kind: 'ConfigMap' }, patches: [Patch.fromComposite('spec.a', 'data.a', { transforms: [Transform.format('x')] })] }])] },
      'pipeline[0].resources[0].patches[0].transforms[0]'],
    ['verbs that do not match the variables', { pipeline: [PipelineStep.patchAndTransform('p', [{ name: 'r', base: { apiVersion: 'v1', kind: 'ConfigMap' }, patches: [Patch.combineFromComposite(['spec.a'], '%s-%s', 'data.a')] }])] },
      'fmt ("%s-%s") has 2 verbs for 1 variables'],
    ['two resources of one name', { pipeline: [PipelineStep.patchAndTransform('p', [{ name: 'r', base: { apiVersion: 'v1', kind: 'ConfigMap' } }, { name: 'r', base: { apiVersion: 'v1', kind: 'Secret' } }])] },
      'pipeline[0].resources[1].name ("r") is used twice'],
    ['a base without a kind', { pipeline: [PipelineStep.patchAndTransform('p', [{ name: 'r', base: { apiVersion: 'v1' } }])] }, 'pipeline[0].resources[0].base ({"apiVersion":"v1"}) must be an object with apiVersion and kind'],
    ['a bad label', { labels: { 'provider!': 'x' }, pipeline: [PipelineStep.autoReady()] }, 'labels'],
  ])('a composition rejects %s', (_case, props, message) => {
    const chart = Testing.chart();
    const api = new PlatformApi(chart, 'api', { group: 'db.example.org', kind: 'Database', spec });
    expect(validationError(() => new Composition(chart, 'C', { api, ...(props as any) })).message).toContain(message);
  });

  test('claims validate against their API only: the strict validator knows the implied CRDs of the app\'s APIs', () => {
    const { app } = setup(CrossplaneMode.CLAIMS);
    const other = new Chart(app, 'team', { namespace: 'shop' });
    // A hand-written object of the API with a typo: the implied CRD catches it.
    const typo = { apiVersion: 'db.example.org/v1alpha1', kind: 'Database', metadata: { name: 'x', namespace: 'shop' }, spec: { ownr: 'x' } };
    expect(validatorFor(other).validate(typo).join('\n')).toMatch(/ownr/);
  });
});
