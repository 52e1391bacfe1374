import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import {
  KratixPromise, KratixPromiseProps, PACKAGE_VERSION, PIPELINE_IMAGE, PROMISE_VERSION_LABEL, SchemaField, kratix,
} from '../../constructs';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { structuralProblems } from '../support/crossplane';
import { findObject, synthValid, validationError } from '../support/k8s';
import {
  GreeterSpec, PIPELINE_CONTAINER_FIELDS, PIPELINE_PERMISSION_FIELDS, PIPELINE_RBAC_FIELDS, PIPELINE_SPEC_FIELDS, kratixJob, podSpecProblems,
} from '../support/kratix';

const PACKAGE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

function chart(): Chart {
  return new Chart(Testing.app(), 'platform', { namespace: 'ns', disableResourceNameHashes: true });
}

function greeter(options: Parameters<typeof KratixPromise.fromBundle>[3] = {}) {
  const c = chart();
  const promise = KratixPromise.fromBundle(c, 'Greeter', new GreeterSpec(), options);
  return { chart: c, promise };
}

/** Every pipeline of a Promise object, with its workflow. */
function pipelinesOf(promise: any): Array<{ type: 'resource' | 'promise'; action: 'configure' | 'delete'; pipeline: any }> {
  const out: Array<{ type: 'resource' | 'promise'; action: 'configure' | 'delete'; pipeline: any }> = [];
  for (const type of ['resource', 'promise'] as const) {
    for (const action of ['configure', 'delete'] as const) {
      for (const pipeline of promise.spec.workflows?.[type]?.[action] ?? []) out.push({ type, action, pipeline });
    }
  }
  return out;
}

/** The Job Kratix makes from each pipeline (what its webhook dry-runs) is one the API server accepts. */
function expectValidJobs(promise: any): void {
  const v = SchemaValidator.load();
  const runs = pipelinesOf(promise);
  expect(runs.length).toBeGreaterThan(0);
  for (const { type, action, pipeline } of runs) {
    const job = kratixJob(promise, pipeline, { type, action });
    expect(v.validateAll([job])).toEqual([]);
    expect(podSpecProblems(job.spec.template.spec)).toEqual([]);
  }
}

describe('KratixPromise.fromBundle', () => {
  const { chart: c, promise } = greeter();
  const objects = synthValid(c);
  const obj = findObject(objects, 'Promise', 'greeter');

  test('one Promise, strictly valid against the pinned Kratix CRD, cluster-scoped, versioned from package.json', () => {
    expect(objects).toHaveLength(1);
    expect(obj.apiVersion).toBe('platform.kratix.io/v1alpha1');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.metadata.labels[PROMISE_VERSION_LABEL]).toBe(`v${PACKAGE.version}`);
    expect(PACKAGE_VERSION).toBe(PACKAGE.version);
    expect(PIPELINE_IMAGE).toBe(`ghcr.io/platform-blueprints/pipeline:${PACKAGE.version}`);
    expect(kratix.KratixPromise.GVK).toEqual({ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise' });
  });

  test('spec.api is a CustomResourceDefinition the API server accepts: strictly valid, structural, Namespaced, named <plural>.<group>', () => {
    const crd = obj.spec.api;
    expect(SchemaValidator.load().validateAll([crd])).toEqual([]);
    expect(structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema)).toEqual([]);
    expect(crd.metadata.name).toBe('greeters.greetings.platform-blueprints.io');
    expect(crd.spec).toMatchObject({
      group: 'greetings.platform-blueprints.io', scope: 'Namespaced', names: { kind: 'Greeter', plural: 'greeters', singular: 'greeter', listKind: 'GreeterList' },
    });
    expect(crd.spec.versions).toHaveLength(1);
    expect(crd.spec.versions[0]).toMatchObject({ name: 'v1alpha1', served: true, storage: true });
    // The spec's schema is the bundle spec's, described by the bundle spec's description.
    const bundle = new GreeterSpec();
    expect(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec).toEqual({ ...bundle.schema.toOpenApiSchema(), description: bundle.description });
    expect(promise.crd).toEqual(crd);
    expect([promise.requestApiVersion, promise.apiKind, promise.apiPlural]).toEqual(['greetings.platform-blueprints.io/v1alpha1', 'Greeter', 'greeters']);
  });

  test('one resource.configure pipeline running the library image, and nothing else', () => {
    expect(Object.keys(obj.spec).sort()).toEqual(['api', 'workflows']);
    expect(obj.spec.workflows).toEqual({ resource: { configure: [expect.any(Object)] } });
    const [pipeline] = obj.spec.workflows.resource.configure;
    expect(pipeline).toMatchObject({ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Pipeline', metadata: { name: 'build' } });
    expect(pipeline.spec.containers.map((x: any) => [x.name, x.image])).toEqual([['synthesize', PIPELINE_IMAGE]]);
    // Pure synthesis reads nothing from the cluster: no permissions, no ServiceAccount of its own.
    expect(pipeline.spec.rbac).toBeUndefined();
  });

  test('the pipeline container is restricted and sized for Node; /tmp is a writable emptyDir', () => {
    const [container] = obj.spec.workflows.resource.configure[0].spec.containers;
    expect(container.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '512Mi', 'ephemeral-storage': '128Mi' },
      limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '512Mi' },
    });
    expect(container.volumeMounts).toEqual([{ name: 'scratch-0-0', mountPath: '/tmp' }]);
    expect(obj.spec.workflows.resource.configure[0].spec.volumes).toEqual([{ name: 'scratch-0-0', emptyDir: {} }]);
  });

  test('the Job Kratix makes from the pipeline is a valid batch/v1 Job (what the webhook dry-runs)', () => {
    expectValidJobs(obj);
  });

  test('the example request is accepted by the generated API; the schema and the API server agree on bad requests', () => {
    const v = SchemaValidator.load().withCustomResourceDefinitions([promise.crd], 'greeter promise');
    const example = promise.exampleRequest('hello', 'team-a');
    expect(example).toEqual({
      apiVersion: 'greetings.platform-blueprints.io/v1alpha1', kind: 'Greeter', metadata: { name: 'hello', namespace: 'team-a' }, spec: new GreeterSpec().example,
    });
    expect(v.validate(example)).toEqual([]);
    const schema = new GreeterSpec().schema;
    const cases: Array<[string, any, RegExp]> = [
      ['minimal (defaults fill the rest)', { message: 'hi' }, /^$/],
      ['with labels and audience', { message: 'hi', labels: { team: 'a' }, audience: ['ops', 'dev'] }, /^$/],
      ['missing the required message', { replicas: 2 }, /message/],
      ['replicas above the maximum', { message: 'hi', replicas: 6 }, /replicas/],
      ['replicas not a whole number', { message: 'hi', replicas: 1.5 }, /replicas/],
      ['a tone outside the enum', { message: 'hi', tone: 'grumpy' }, /tone/],
      ['an unknown field', { message: 'hi', colour: 'red' }, /colour/],
      ['an audience entry against the pattern', { message: 'hi', audience: ['Ops'] }, /audience/],
      ['too many audience entries', { message: 'hi', audience: Array.from({ length: 11 }, () => 'x') }, /audience/],
      ['an empty message', { message: '' }, /message/],
    ];
    for (const [, spec, expected] of cases) {
      const request = { ...example, spec };
      const server = v.validate(request).join('\n');
      const ours = schema.validate(spec, 'spec').join('\n');
      expect(server).toMatch(expected);
      expect(ours).toMatch(expected);
      expect(server === '').toBe(ours === '');
    }
  });

  test('request() refuses what the API refuses, naming the field', () => {
    expect(validationError(() => promise.request('x', 'team-a', { message: 'hi', replicas: 9 })).message)
      .toBe('platform/Greeter: request spec ({"message":"hi","replicas":9}) is refused by the API: spec.replicas (9) must be <= 5');
    expect(validationError(() => promise.request('x'.repeat(64), 'team-a', { message: 'hi' })).message).toMatch(/request name .* at most 63 characters/);
  });

  test('options: delete and promise workflows, permissions, selectors, required Promises, interval, namespace', () => {
    const { chart: c2 } = greeter({
      name: 'greet', version: 'v2.0.0', deleteWorkflow: true, promiseWorkflow: true,
      permissions: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'], resourceNamespace: '*' }],
      destinationSelectors: [{ environment: 'dev' }], requiredPromises: [{ name: 'redis', version: 'v1.0.0' }],
      reconciliationInterval: Duration.minutes(30), pipelineNamespace: 'kratix-pipelines',
      dependencies: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'greetings' } }],
      resources: { memory: { request: Size.mebibytes(768), limit: Size.gibibytes(2) }, cpu: { request: Cpu.millis(500), limit: Cpu.units(2) } },
    });
    const p = findObject(synthValid(c2), 'Promise', 'greet');
    expect(p.metadata.labels[PROMISE_VERSION_LABEL]).toBe('v2.0.0');
    expect(p.spec.workflows.config).toEqual({ pipelineNamespace: 'kratix-pipelines', reconciliationInterval: '1800s' });
    expect(pipelinesOf(p).map(({ type, action, pipeline }) => `${type}.${action}.${pipeline.metadata.name}`))
      .toEqual(['resource.configure.build', 'resource.delete.build', 'promise.configure.build']);
    for (const { pipeline } of pipelinesOf(p)) {
      expect(pipeline.spec.rbac).toEqual({ permissions: [{ resourceNamespace: '*', apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
      expect(pipeline.spec.containers[0].resources).toEqual({
        requests: { 'cpu': '500m', 'memory': '768Mi', 'ephemeral-storage': '128Mi' }, limits: { 'cpu': '2', 'memory': '2Gi', 'ephemeral-storage': '512Mi' },
      });
    }
    expect(p.spec.destinationSelectors).toEqual([{ matchLabels: { environment: 'dev' } }]);
    expect(p.spec.requiredPromises).toEqual([{ name: 'redis', version: 'v1.0.0' }]);
    expect(p.spec.dependencies).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'greetings' } }]);
    expectValidJobs(p);
  });

  test('bad bundle specs and options are refused', () => {
    const spec = new GreeterSpec();
    const bad = Object.assign(Object.create(GreeterSpec.prototype), spec, { example: { message: 'hi', tone: 'grumpy' } });
    expect(validationError(() => KratixPromise.fromBundle(chart(), 'G', bad)).message)
      .toBe('platform/G: spec.example ({"message":"hi","tone":"grumpy"}) is refused by the bundle\'s own schema: example.tone ("grumpy") must be one of plain, cheerful; fix the example or the schema');
    const noSchema = Object.assign(Object.create(GreeterSpec.prototype), spec, { schema: { type: 'object' } });
    expect(validationError(() => KratixPromise.fromBundle(chart(), 'G', noSchema)).message).toMatch(/^platform\/G: spec\.schema .* must be a SchemaField/);
    expect(validationError(() => KratixPromise.fromBundle(chart(), 'G', spec, { resources: { memory: { limit: Size.mebibytes(256) } } })).message)
      .toBe('platform/G: resources.memory.limit ("256Mi") is below the 512Mi the library\'s Node pipeline needs to synthesize a bundle; give at least 512Mi');
    expect(validationError(() => KratixPromise.fromBundle(chart(), 'G', spec, { image: 'ghcr.io/org/pipeline' })).message)
      .toMatch(/workflows\.resource\.configure\[0\]\.containers\[0\]\.image \("ghcr.io\/org\/pipeline"\) has neither a tag nor a digest/);
  });
});

describe('KratixPromise', () => {
  const schema = SchemaField.object({ size: SchemaField.string({ enum: ['small', 'large'], default: 'small' }) });
  const base: KratixPromiseProps = {
    name: 'cache',
    api: { group: 'cache.example.org', kind: 'Cache', spec: schema },
    workflows: { resource: { configure: [{ name: 'instance', containers: [{ name: 'render', image: 'ghcr.io/org/render:1.0.0' }] }] } },
  };
  function make(props: Partial<KratixPromiseProps>, id = 'Cache') {
    return new KratixPromise(chart(), id, { ...base, ...props } as KratixPromiseProps);
  }
  function refusal(props: Partial<KratixPromiseProps>): string {
    return validationError(() => make(props)).message;
  }
  const pipeline = (extra: any) => ({ resource: { configure: [{ name: 'instance', containers: [{ name: 'render', image: 'ghcr.io/org/render:1.0.0' }], ...extra }] } });
  const container = (extra: any) => pipeline({ containers: [{ name: 'render', image: 'ghcr.io/org/render:1.0.0', ...extra }] });

  test('without an API: a Promise that only installs dependencies through a promise workflow', () => {
    const c = chart();
    new KratixPromise(c, 'Operators', {
      name: 'operators',
      dependencies: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'operators' } }],
      workflows: { promise: { configure: [{ name: 'install', containers: [{ name: 'apply', image: 'ghcr.io/org/apply:1.0.0', writablePaths: [] }] }] } },
    });
    const p = findObject(synthValid(c), 'Promise', 'operators');
    expect(p.spec.api).toBeUndefined();
    expect(p.spec.workflows.promise.configure[0].spec.volumes).toBeUndefined();
    expect(p.spec.workflows.promise.configure[0].spec.containers[0].volumeMounts).toBeUndefined();
    expectValidJobs(p);
  });

  test('pipelines keep to the fields of Kratix\'s Go types (Kratix decodes them with DisallowUnknownFields)', () => {
    const c = chart();
    new KratixPromise(c, 'Cache', {
      ...base,
      workflows: {
        resource: {
          configure: [{
            name: 'instance', serviceAccount: 'renderer', backoffLimit: 2, imagePullSecrets: ['registry'],
            permissions: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'], resourceNames: ['web'] }],
            containers: [
              { name: 'render', image: 'ghcr.io/org/render:1.0.0', command: ['node'], args: ['render.js'], env: { LOG_LEVEL: 'debug' }, writablePaths: ['/tmp', '/home/node/.cache'] },
              { name: 'check', image: 'ghcr.io/org/check:1.0.0', security: { user: 1000 } },
            ],
          }],
        },
      },
    });
    const p = findObject(synthValid(c), 'Promise', 'cache');
    const [pl] = p.spec.workflows.resource.configure;
    expect(Object.keys(pl.spec).every((k) => PIPELINE_SPEC_FIELDS.includes(k))).toBe(true);
    for (const ct of pl.spec.containers) expect(Object.keys(ct).filter((k) => !PIPELINE_CONTAINER_FIELDS.includes(k))).toEqual([]);
    expect(Object.keys(pl.spec.rbac).filter((k) => !PIPELINE_RBAC_FIELDS.includes(k))).toEqual([]);
    for (const perm of pl.spec.rbac.permissions) expect(Object.keys(perm).filter((k) => !PIPELINE_PERMISSION_FIELDS.includes(k))).toEqual([]);
    expect(pl.spec).toMatchObject({ jobOptions: { backoffLimit: 2 }, imagePullSecrets: [{ name: 'registry' }], rbac: { serviceAccount: 'renderer' } });
    expect(pl.spec.containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(pl.spec.containers[1].securityContext.runAsUser).toBe(1000);
    expect(pl.spec.volumes.map((v: any) => v.name)).toEqual(['scratch-0-0', 'scratch-0-1', 'scratch-1-0']);
    expectValidJobs(p);
  });

  test('the API: group, kind, plural, version and schema as the API server and Kratix need them', () => {
    expect(refusal({ name: 'Cache' })).toBe('platform/Cache: name ("Cache") must be a DNS-1123 label: at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit; e.g. "cache"');
    expect(refusal({ version: 'v 1' })).toMatch(/^platform\/Cache: version \("v 1"\) must be a label value/);
    expect(refusal({ api: { ...base.api!, group: 'cache' } })).toBe('platform/Cache: api.group ("cache") must be a DNS subdomain with at least one dot; e.g. "platform.example.org"');
    expect(refusal({ api: { ...base.api!, group: 'cache.k8s.io' } })).toMatch(/api\.group \("cache\.k8s\.io"\) is reserved for Kubernetes APIs/);
    expect(refusal({ api: { ...base.api!, group: 'platform.kratix.io' } })).toMatch(/api\.group \("platform\.kratix\.io"\) is Kratix's own API group/);
    expect(refusal({ api: { ...base.api!, kind: 'cache' } })).toMatch(/api\.kind \("cache"\) must be a PascalCase kind/);
    expect(refusal({ api: { ...base.api!, plural: 'Caches' } })).toMatch(/api\.plural \("Caches"\) must be a lowercase DNS-1123 label/);
    expect(refusal({ api: { ...base.api!, plural: 'cache' } })).toMatch(/api\.plural \("cache"\) equals the singular/);
    expect(refusal({ api: { ...base.api!, version: '1.0' } })).toMatch(/api\.version \("1\.0"\) is not a Kubernetes API version/);
    expect(refusal({ api: { ...base.api!, group: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}` } }))
      .toMatch(/api\.plural \("caches"\) makes the CRD name ".*", which is not a valid DNS subdomain/);
    expect(refusal({ api: { ...base.api!, spec: SchemaField.string() } })).toMatch(/api\.spec .* must be an object field with declared fields/);
    expect(refusal({ api: { ...base.api!, spec: SchemaField.object({}) } })).toMatch(/api\.spec \("\{\}"\) must declare at least one field/);
    expect(refusal({ api: { ...base.api!, spec: SchemaField.object({ size: SchemaField.string({ enum: ['a'], default: 'b' }) }) } })).toMatch(/api\.spec\.size/);
  });

  test('dependencies, required Promises and destination selectors are checked', () => {
    expect(refusal({ dependencies: [{ kind: 'Namespace', metadata: { name: 'x' } }] })).toMatch(/dependencies\[0\] .* must be a Kubernetes object with apiVersion, kind and metadata\.name/);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } };
    expect(refusal({ dependencies: [ns, { ...ns }] })).toBe('platform/Cache: dependencies ("v1 Namespace /x") is used more than once; each object is installed once; remove the repeated one');
    expect(refusal({ requiredPromises: [{ name: 'cache', version: 'v1' }] })).toMatch(/requiredPromises\[0\]\.name \("cache"\) is this Promise itself/);
    expect(refusal({ requiredPromises: [{ name: 'redis', version: '' }] })).toMatch(/requiredPromises\[0\]\.version \(""\) is required: pin the version/);
    expect(refusal({ requiredPromises: [{ name: 'redis', version: 'v1' }, { name: 'redis', version: 'v2' }] })).toMatch(/requiredPromises\[\]\.name \("redis"\) is used more than once/);
    expect(refusal({ destinationSelectors: [{}] })).toMatch(/destinationSelectors\[0\] \(\{\}\) must be a non-empty map of destination labels/);
    expect(refusal({ destinationSelectors: [{ env: 'dev/x' }] })).toMatch(/destinationSelectors\[0\]\.env \("dev\/x"\) must be at most 63 characters/);
  });

  test('workflows: what Kratix\'s webhook refuses is refused here first', () => {
    expect(refusal({ api: undefined })).toBe('platform/Cache: workflows.resource.configure (["instance"]) runs per request, but the Promise has no api to request; give the Promise an api, or use workflows.promise');
    const two = { resource: { configure: [base.workflows!.resource!.configure![0], base.workflows!.resource!.configure![0]] } };
    expect(refusal({ workflows: two })).toMatch(/workflows\.resource\.configure\[\]\.name \("instance"\) is used more than once; Kratix refuses two pipelines of one name/);
    expect(refusal({ workflows: pipeline({ name: 'Instance' }) })).toMatch(/workflows\.resource\.configure\[0\]\.name \("Instance"\) must be a DNS-1123 label/);
    expect(refusal({ name: 'a-rather-long-promise-name', workflows: pipeline({ name: 'a-long-pipeline-name' }) }))
      .toBe('platform/Cache: workflows.resource.configure[0].name ("a-long-pipeline-name") makes the pipeline id "a-rather-long-promise-name-resource-configure-a-long-pipeline-name" ' +
        '(66 characters), longer than the 60 Kratix allows (it names the pipeline\'s ServiceAccount); shorten the pipeline or the Promise name');
    expect(refusal({ workflows: pipeline({ containers: [] }) })).toMatch(/workflows\.resource\.configure\[0\]\.containers \(\[\]\) must list at least one container/);
    expect(refusal({ workflows: { reconciliationInterval: Duration.seconds(30) } })).toBe('platform/Cache: workflows.reconciliationInterval ("30s") is below the one minute Kratix accepts; e.g. Duration.minutes(10)');
    expect(refusal({ workflows: { reconciliationInterval: Duration.millis(60_500) } })).toMatch(/workflows\.reconciliationInterval .* must be a whole number of seconds/);
    expect(refusal({ workflows: { pipelineNamespace: 'Kratix' } })).toMatch(/workflows\.pipelineNamespace \("Kratix"\) must be a DNS-1123 label/);
    expect(refusal({ workflows: pipeline({ serviceAccount: 'Bad_SA' }) })).toMatch(/workflows\.resource\.configure\[0\]\.serviceAccount \("Bad_SA"\) must be a DNS-1123 subdomain/);
    expect(refusal({ workflows: pipeline({ backoffLimit: -1 }) })).toMatch(/workflows\.resource\.configure\[0\]\.backoffLimit \(-1\) must be >= 0/);
    expect(refusal({ workflows: pipeline({ imagePullSecrets: ['registry', 'registry'] }) })).toMatch(/imagePullSecrets \("registry"\) is used more than once/);
  });

  test('containers: names, images, environment, paths and resources', () => {
    expect(refusal({ workflows: pipeline({ containers: [{ name: 'render', image: 'ghcr.io/org/a:1' }, { name: 'render', image: 'ghcr.io/org/b:1' }] }) }))
      .toMatch(/containers\[\]\.name \("render"\) is used more than once; Kratix runs the containers of a pipeline side by side in one pod/);
    expect(refusal({ workflows: container({ name: 'reader' }) }))
      .toBe('platform/Cache: workflows.resource.configure[0].containers[0].name ("reader") is the name of a container Kratix adds to every pipeline (reader, work-writer, status-writer); name it differently');
    expect(refusal({ workflows: container({ name: 'Render' }) })).toMatch(/containers\[0\]\.name \("Render"\) must be a DNS-1123 label/);
    expect(refusal({ workflows: container({ image: 'ghcr.io/Org/render:1' }) })).toMatch(/containers\[0\]\.image \("ghcr.io\/Org\/render:1"\) is not a valid image reference/);
    expect(refusal({ workflows: container({ env: { KRATIX_WORKFLOW_ACTION: 'delete' } }) }))
      .toMatch(/containers\[0\]\.env \("KRATIX_WORKFLOW_ACTION"\) would override a variable of the Kratix workflow contract/);
    expect(refusal({ workflows: container({ env: { 'log-level': 'x' } }) })).toMatch(/containers\[0\]\.env \("log-level"\) is not a valid environment variable name/);
    expect(refusal({ workflows: container({ command: [] }) })).toMatch(/containers\[0\]\.command \(\[\]\) must list at least one entry/);
    expect(refusal({ workflows: container({ args: [1] }) })).toMatch(/containers\[0\]\.args \(\[1\]\) must be a list of strings/);
    expect(refusal({ workflows: container({ writablePaths: ['tmp'] }) })).toMatch(/writablePaths\[0\] \("tmp"\) must be an absolute path/);
    expect(refusal({ workflows: container({ writablePaths: ['/kratix/output/cache'] }) }))
      .toMatch(/writablePaths\[0\] \("\/kratix\/output\/cache"\) overlaps \/kratix\/output, which Kratix mounts into every pipeline container/);
    expect(refusal({ workflows: container({ writablePaths: ['/kratix'] }) })).toMatch(/writablePaths\[0\] \("\/kratix"\) overlaps \/kratix\/input/);
    expect(refusal({ workflows: container({ writablePaths: ['/tmp', '/tmp'] }) })).toMatch(/writablePaths \("\/tmp"\) is used more than once/);
    expect(refusal({ workflows: container({ resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } }) }))
      .toMatch(/containers\[0\]\.resources\.memory\.request \("2Gi"\) must be <= .*memory\.limit \(1Gi\)/);
  });

  test('permissions are given only as declared, and checked', () => {
    expect(refusal({ workflows: pipeline({ permissions: [{ apiGroups: [''], resources: [], verbs: ['get'] }] }) }))
      .toMatch(/permissions\[0\]\.resources \(\[\]\) must list at least one entry/);
    expect(refusal({ workflows: pipeline({ permissions: [{ apiGroups: [''], resources: ['pods'], verbs: ['GET'] }] }) }))
      .toMatch(/permissions\[0\]\.verbs\[0\] \("GET"\) is not a Kubernetes verb/);
    expect(refusal({ workflows: pipeline({ permissions: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNamespace: 'All' }] }) }))
      .toMatch(/permissions\[0\]\.resourceNamespace \("All"\) must be a DNS-1123 label/);
  });

  test('untyped input (JavaScript, YAML-loaded props) is refused by field, not crashed on', () => {
    const any = (x: unknown) => x as any;
    expect(validationError(() => new KratixPromise(chart(), 'Cache', any(undefined))).message).toMatch(/^platform\/Cache: props \(undefined\) must be an object/);
    expect(refusal({ api: any('cache') })).toMatch(/api \("cache"\) must be an object/);
    expect(refusal({ api: { ...base.api!, description: any(5) } })).toMatch(/api\.description \(5\) must be a string/);
    expect(refusal({ dependencies: any({}) })).toMatch(/dependencies \(\{\}\) must be a list of Kubernetes objects/);
    expect(refusal({ requiredPromises: any('redis') })).toMatch(/requiredPromises \("redis"\) must be a list of \{ name, version \}/);
    expect(refusal({ workflows: any('all') })).toMatch(/workflows \("all"\) must be an object/);
    expect(refusal({ workflows: { resource: { configure: any({}) } } })).toMatch(/workflows\.resource\.configure \(\{\}\) must be a list of pipelines/);
    expect(refusal({ workflows: { resource: { configure: [any(null)] } } })).toMatch(/workflows\.resource\.configure\[0\] \(null\) must be a pipeline/);
    expect(refusal({ workflows: pipeline({ permissions: 'all' }) })).toMatch(/permissions \("all"\) must be a list of permissions/);
    expect(refusal({ workflows: pipeline({ permissions: [null] }) })).toMatch(/permissions\[0\] \(null\) must be a permission/);
    expect(refusal({ workflows: pipeline({ containers: [null] }) })).toMatch(/containers\[0\] \(null\) must be a container/);
    expect(refusal({ workflows: container({ env: { LEVEL: 3 } }) })).toMatch(/containers\[0\]\.env\.LEVEL \(3\) must be a string; quote it, e\.g\. "3"/);
  });

  test('untyped input that used to crash or pass silently is refused by field', () => {
    const any = (x: unknown) => x as any;
    expect(refusal({ destinationSelectors: any('dev') })).toMatch(/destinationSelectors \("dev"\) must be a list of label maps, one per selector/);
    expect(refusal({ workflows: { resource: any(null) } })).toMatch(/workflows\.resource \(null\) must be an object of pipelines per action/);
    expect(refusal({ workflows: { resource: any('configure') } })).toMatch(/workflows\.resource \("configure"\) must be an object of pipelines per action/);
    expect(refusal({ workflows: container({ resources: 'large' }) })).toMatch(/containers\[0\]\.resources \("large"\) must be container resources/);
    const circular: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } };
    circular.self = circular;
    expect(refusal({ dependencies: [circular] })).toMatch(/dependencies\[0\] \("ConfigMap settings"\) is not plain JSON data \(Converting circular structure to JSON\)/);
    expect(refusal({ dependencies: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 5 } }] }))
      .toMatch(/dependencies\[0\]\.metadata\.namespace \(5\)/);
    expect(validationError(() => KratixPromise.fromBundle(chart(), 'G', new GreeterSpec(), any(null))).message).toMatch(/^platform\/G: options \(null\) must be an object/);
  });

  test('exampleRequest needs a bundle; request needs an API', () => {
    expect(validationError(() => make({}).exampleRequest()).message).toMatch(/example \(undefined\) is not known: only a Promise made with fromBundle has one/);
    const noApi = new KratixPromise(chart(), 'Deps', { name: 'deps' });
    expect(validationError(() => noApi.request('a', 'b', {})).message).toMatch(/api \(undefined\) is not declared: this Promise offers no API to request/);
  });
});
