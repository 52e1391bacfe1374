/**
 * The strict schema validator itself: it must fail on what the API server (or Knative's pruning) would reject or
 * silently drop, and pass valid objects.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { SchemaLocationError, loadCatalog, resolveSchemaLocation } from '../../scripts/lib/upstream';

const v = SchemaValidator.load();

const service = (overrides: any = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'redis', namespace: 'ns' },
  spec: { ports: [{ port: 6379 }], selector: { app: 'redis' } },
  ...overrides,
});

const ksvc = (spec: any, metadata: any = { name: 'fn', namespace: 'ns' }) => ({
  apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata, spec,
});

describe('SchemaValidator', () => {
  test('GIVEN valid core and custom objects WHEN validated THEN no problems', () => {
    expect(v.validate(service())).toEqual([]);
    expect(v.validate(ksvc({ template: { spec: { containers: [{ image: 'x:1' }] } } }))).toEqual([]);
    expect(v.validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } })).toEqual([]);
  });

  test('unknown fields are errors, at any depth, for core kinds', () => {
    expect(v.validate(service({ spec: { ports: [{ port: 1, prot: 'TCP' }] } }))).toEqual(['/spec/ports/0: unknown field "prot"']);
    expect(v.validate(service({ extra: 1 }))).toEqual(['/: unknown field "extra"']);
  });

  test('unknown fields are errors for custom kinds (Knative containers)', () => {
    const problems = v.validate(ksvc({ template: { spec: { containers: [{ image: 'x:1', imagePullPolicyy: 'Always' }] } } }));
    expect(problems).toEqual(['/spec/template/spec/containers/0: unknown field "imagePullPolicyy"']);
  });

  test('wrong types are errors', () => {
    expect(v.validate(service({ spec: { ports: [{ port: '6379' }] } }))).toEqual(['/spec/ports/0/port: must be integer']);
  });

  test('int32 ranges are enforced', () => {
    expect(v.validate(service({ spec: { ports: [{ port: 2 ** 31 }] } }))).toEqual(['/spec/ports/0/port: must match format "int32"']);
  });

  test('quantities must be Kubernetes quantities, in core and custom kinds', () => {
    const sts = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'ns' },
      spec: { selector: {}, serviceName: 's', template: { spec: { containers: [{ name: 'c', image: 'i:1', resources: { limits: { memory: '12 Mi' } } }] } } },
    };
    expect(v.validate(sts)).toEqual(['/spec/template/spec/containers/0/resources/limits/memory: must be a Kubernetes quantity such as 128Mi, 1.5Gi, 500m or 2']);
    const fn = ksvc({ template: { spec: { containers: [{ image: 'x:1', resources: { requests: { cpu: '100 m' } } }] } } });
    expect(v.validate(fn)).toEqual(['/spec/template/spec/containers/0/resources/requests/cpu: must be a Kubernetes quantity such as 128Mi, 1.5Gi, 500m or 2']);
  });

  test('invalid names fail by the rule of the kind', () => {
    expect(v.validate(service({ metadata: { name: '1redis', namespace: 'ns' } }))[0]).toMatch(/^\/metadata\/name "1redis" must be a DNS-1035 label/);
    expect(v.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a.b-c', namespace: 'ns' } })).toEqual([]);
    expect(v.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'A_b', namespace: 'ns' } })[0]).toMatch(/DNS-1123 subdomain/);
    expect(v.validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } })[0]).toMatch(/DNS-1123 label/);
    expect(v.validate(ksvc({ template: { spec: { containers: [{ image: 'x:1' }] } } }, { name: '9fn', namespace: 'ns' }))[0]).toMatch(/DNS-1035 label/);
  });

  test('label keys and values and annotation keys are checked', () => {
    const problems = v.validate(service({ metadata: { name: 'r', namespace: 'ns', labels: { 'a/b/c': 'x', ok: 'bad value' }, annotations: { '-x': 'y' } } }));
    expect(problems).toEqual([
      '/metadata/labels key "a/b/c" has more than one "/"',
      '/metadata/labels/ok value "bad value" must be at most 63 characters of [A-Za-z0-9-_.], empty or starting and ending alphanumeric',
      '/metadata/annotations key "-x" name part "-x" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric',
    ]);
  });

  test('scope: namespaced kinds need a namespace, cluster-scoped kinds must not have one', () => {
    expect(v.validate(service({ metadata: { name: 'r' } }))).toEqual([
      '/metadata/namespace: required for a namespaced kind (without it, kubectl applies into whatever namespace the context points at)',
    ]);
    expect(v.validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', namespace: 'x' } })).toEqual([
      '/metadata/namespace: must not be set on a cluster-scoped kind',
    ]);
    expect(v.scopeOf('rbac.authorization.k8s.io/v1', 'ClusterRole')).toBe('Cluster');
    expect(v.scopeOf('eventing.knative.dev/v1', 'Trigger')).toBe('Namespaced');
  });

  test('metadata is validated as ObjectMeta in custom kinds too', () => {
    expect(v.validate(ksvc({ template: { spec: { containers: [{ image: 'x:1' }] } } }, { name: 'fn', namespace: 'ns', lables: {} })))
      .toEqual(['/metadata: unknown field "lables"']);
  });

  test('CRD pruning: content in an object the API server would empty is an error', () => {
    const cluster = {
      apiVersion: 'rabbitmq.com/v1beta1', kind: 'RabbitmqCluster', metadata: { name: 'r', namespace: 'ns' },
      spec: { override: { statefulSet: { spec: { template: { spec: { containers: [], volumes: [
        { name: 'x', ephemeral: { volumeClaimTemplate: { metadata: { labels: { a: 'b' } }, spec: {} } } },
      ] } } } } } },
    };
    expect(v.validate(cluster)).toEqual([
      '/spec/override/statefulSet/spec/template/spec/volumes/0/ephemeral/volumeClaimTemplate/metadata: must be empty (the API server prunes every field of this object)',
    ]);
  });

  test('CRD patterns are read as the API server reads them (RE2 inline flags such as (?i))', () => {
    // Found by the property tests: Ajv compiled `(?i)^x` as a JavaScript regexp and threw instead of validating.
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.gen.example.org' },
      spec: { group: 'gen.example.org', scope: 'Namespaced', names: { kind: 'Thing', plural: 'things', singular: 'thing', listKind: 'ThingList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', properties: { code: { type: 'string', pattern: '(?i)^ab$' } } } } } } }] },
    };
    const withThing = v.withCustomResourceDefinitions([crd]);
    const thing = (code: string) => ({ apiVersion: 'gen.example.org/v1', kind: 'Thing', metadata: { name: 't', namespace: 'ns' }, spec: { code } });
    expect(withThing.validate(thing('AB'))).toEqual([]);
    expect(withThing.validate(thing('abc'))).toEqual(['/spec/code: must match pattern "(?i)^ab$"']);
  });

  test('a list that preserves unknown fields keeps its items\' fields; their declared properties are still pruned (apiextensions skipPrune)', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.gen.example.org' },
      spec: { group: 'gen.example.org', scope: 'Namespaced', names: { kind: 'Thing', plural: 'things', singular: 'thing', listKind: 'ThingList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', properties: {
            open: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'object' } },
            nested: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'object', properties: { typed: { type: 'object' } } } },
            closed: { type: 'array', items: { type: 'object' } },
          } } } } } }] },
    };
    const withThing = v.withCustomResourceDefinitions([crd]);
    const thing = (spec: object) => ({ apiVersion: 'gen.example.org/v1', kind: 'Thing', metadata: { name: 't', namespace: 'ns' }, spec });
    expect(withThing.validate(thing({ open: [{ any: 'thing', deep: { x: 1 } }], nested: [{ extra: true }] }))).toEqual([]);
    // A declared property leaves the preserved subtree: its own (untyped) object fields are pruned.
    expect(withThing.validate(thing({ nested: [{ typed: { x: 1 } }] }))).toEqual(['/spec/nested/0/typed: must be empty (the API server prunes every field of this object)']);
    expect(withThing.validate(thing({ closed: [{ x: 1 }] }))).toEqual(['/spec/closed/0: must be empty (the API server prunes every field of this object)']);
  });

  test('CRD patterns match with Go\'s semantics, and lengths count runes', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.gen.example.org' },
      spec: { group: 'gen.example.org', scope: 'Namespaced', names: { kind: 'Thing', plural: 'things', singular: 'thing', listKind: 'ThingList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', properties: {
            word: { type: 'string', pattern: '^[[:alpha:]]+\\z' },
            gap: { type: 'string', pattern: '^a\\sb$' },
            note: { type: 'string', maxLength: 2 },
          } } } } } }] },
    };
    const withThing = v.withCustomResourceDefinitions([crd]);
    const thing = (spec: object) => ({ apiVersion: 'gen.example.org/v1', kind: 'Thing', metadata: { name: 't', namespace: 'ns' }, spec });
    expect(withThing.validate(thing({ word: 'abc', gap: 'a b', note: '😀😀' }))).toEqual([]);
    expect(withThing.validate(thing({ word: 'abc\n' }))).toEqual(['/spec/word: must match pattern "^[[:alpha:]]+\\z"']);
    expect(withThing.validate(thing({ gap: 'a\u00a0b' }))).toEqual(['/spec/gap: must match pattern "^a\\sb$"']);
    expect(withThing.validate(thing({ note: '😀😀😀' }))).toEqual(['/spec/note: must NOT have more than 2 characters']);
  });

  test('CRD list-type map keys must be unique', () => {
    const fn = ksvc({ template: { spec: { containers: [{ image: 'x:1' }], topologySpreadConstraints: [] } } });
    expect(v.validate(fn)).toEqual([]);
    const cluster = (names: string[]) => ({
      apiVersion: 'rabbitmq.com/v1beta1', kind: 'RabbitmqCluster', metadata: { name: 'r', namespace: 'ns' },
      spec: { override: { statefulSet: { spec: { template: { spec: { containers: names.map((n) => ({ name: n })) } } } } } },
    });
    expect(v.validate(cluster(['a', 'b']))).toEqual([]);
    expect(v.validate(cluster(['a', 'a']))).toEqual(['/spec/override/statefulSet/spec/template/spec/containers: entries must be unique by their list-map keys (the API server rejects duplicates)']);
  });

  test('inside Knative\'s opaque subtrees, the pod spec is still checked as a Kubernetes PodSpec', () => {
    const withVolume = (volume: any) => ksvc({ template: { spec: {
      containers: [{ image: 'x:1', volumeMounts: [{ name: 'v', mountPath: '/data' }] }], volumes: [{ name: 'v', ...volume }],
    } } });
    expect(v.validate(withVolume({ emptyDir: { sizeLimit: '1Gi' } }))).toEqual([]);
    expect(v.validate(withVolume({ emptyDir: { sizeLimt: '1Gi' } }))).toEqual(['/spec/template/spec/volumes/0/emptyDir: unknown field "sizeLimt" (as a Kubernetes PodSpec)']);
    expect(v.validate(withVolume({ emptyDir: { sizeLimit: 'lots' } }))).toEqual([
      '/spec/template/spec/volumes/0/emptyDir/sizeLimit: must be a Kubernetes quantity such as 128Mi, 1.5Gi, 500m or 2 (as a Kubernetes PodSpec)',
    ]);
  });

  test('Knative fields behind a feature flag are errors unless the flag is on', () => {
    const fn = ksvc({ template: { spec: {
      containers: [{ image: 'x:1', env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }],
      securityContext: { runAsNonRoot: true },
      nodeSelector: { disk: 'ssd' },
    } } });
    expect(v.validate(fn)).toEqual([
      '/spec/template/spec/containers/*/env/*/valueFrom/fieldRef: needs the Knative feature flag kubernetes.podspec-fieldref (off by default in config-features)',
      '/spec/template/spec/nodeSelector: needs the Knative feature flag kubernetes.podspec-nodeselector (off by default in config-features)',
      '/spec/template/spec/securityContext: needs the Knative feature flag kubernetes.podspec-securitycontext (off by default in config-features)',
    ]);
    const enabled = SchemaValidator.load(undefined, { knativeFeatures: ['kubernetes.podspec-fieldref', 'kubernetes.podspec-nodeselector', 'kubernetes.podspec-securitycontext'] });
    expect(enabled.validate(fn)).toEqual([]);
  });

  test('core enums the 1.27 documents leave out are enforced', () => {
    expect(v.validate(service({ spec: { type: 'Loadbalancer', ports: [{ port: 80, protocol: 'tcp' }] } }))).toEqual([
      '/spec/ports/0/protocol: must be one of ["TCP","UDP","SCTP"]',
      '/spec/type: must be one of ["ClusterIP","NodePort","LoadBalancer","ExternalName"]',
    ]);
  });

  test('apiVersion and kind must match a pinned schema', () => {
    expect(v.validate({ apiVersion: 'serving.knative.dev/v2', kind: 'Service', metadata: { name: 'a' } }))
      .toEqual(['no schema for serving.knative.dev/v2/Service in the pinned upstream schemas (upstream.yaml); add its source there']);
    expect(v.validate({ kind: 'Service' })).toEqual(['not a Kubernetes object (apiVersion and kind are required)']);
  });
});

describe('schema location', () => {
  const packages = loadCatalog();

  test('a location missing pinned files fails loudly, naming what is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-schemas-'));
    expect(() => resolveSchemaLocation(empty, packages)).toThrow(SchemaLocationError);
    expect(() => resolveSchemaLocation(empty, packages)).toThrow(/lacks \d+ pinned file\(s\), e\.g\. knative-serving\/v1\.22\.1\/service\.yaml/);
  });

  test('a location holding other bytes than pinned fails loudly', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-schemas-'));
    const real = v.location;
    for (const f of packages.flatMap((p) => p.files)) {
      fs.mkdirSync(path.dirname(path.join(root, f.local)), { recursive: true });
      fs.copyFileSync(path.join(real, f.local), path.join(root, f.local));
    }
    fs.appendFileSync(path.join(root, 'knative-serving/v1.22.1/service.yaml'), '\n# tampered\n');
    expect(() => SchemaValidator.load(root)).toThrow(/service\.yaml does not match upstream\.yaml \(knative-serving v1\.22\.1/);
  });
});
