/**
 * Test helpers for Kratix: a small bundle spec of our own (the real specs live in constructs/kratix/specs), and the
 * Job Kratix would make from a pipeline, assembled as the pinned Kratix does it (api/v1alpha1/pipeline_factory.go at
 * ae170e22: `reader` init container, the pipeline's containers as further init containers with the shared
 * /kratix folders mounted and the KRATIX_* environment first, `work-writer` for configure, `status-writer` as the
 * one container), so that what the webhook checks by dry-running that Job is checked here against the Kubernetes
 * schemas.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BundleBuildResult, BundleRequest, IBundleSpec, SchemaField } from '../../constructs';

/**
 * A greeting service as an API: the request's message and size become a ConfigMap. Enough schema shapes (required
 * string with a pattern, integer range with default, enum, map, list) to exercise the Promise's API.
 */
export class GreeterSpec implements IBundleSpec {
  public readonly kind = 'Greeter';
  public readonly group = 'greetings.platform-blueprints.io';
  public readonly version = 'v1alpha1';
  public readonly plural = 'greeters';
  public readonly description = 'A greeting, kept in a ConfigMap of the requesting namespace.';
  public readonly schema = SchemaField.object({
    message: SchemaField.string({ required: true, minLength: 1, maxLength: 200, description: 'What to say.' }),
    replicas: SchemaField.integer({ minimum: 1, maximum: 5, default: 1 }),
    tone: SchemaField.string({ enum: ['plain', 'cheerful'], default: 'plain' }),
    audience: SchemaField.array(SchemaField.string({ pattern: '^[a-z]+$' }), { maxItems: 10 }),
    labels: SchemaField.map(SchemaField.string({ maxLength: 63 })),
  }, { required: true });
  public readonly example = { message: 'hello', replicas: 2, tone: 'cheerful', audience: ['team'] };

  public buildBundle(scope: Construct, request: BundleRequest): BundleBuildResult {
    const spec = request.spec;
    new kplus.ConfigMap(scope, 'Greeting', {
      metadata: { name: request.name, namespace: request.namespace, labels: spec.labels },
      data: { message: spec.message, tone: spec.tone ?? 'plain', replicas: String(spec.replicas ?? 1) },
    });
    return { message: `greeter ${request.name}: ${spec.message}`, outputs: { configMap: request.name } };
  }
}

/** Which Kratix workflow a Job is made for. */
export interface JobFor {
  readonly type: 'resource' | 'promise';
  readonly action: 'configure' | 'delete';
}

const KRATIX_SECURITY = {
  allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, privileged: false,
};
const KRATIX_RESOURCES = { requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' }, limits: { cpu: '200m', memory: '256Mi', 'ephemeral-storage': '256Mi' } };

/** The batch/v1 Job Kratix makes to run `pipeline` (an embedded Pipeline object) of `promise` (a Promise object). */
export function kratixJob(promise: any, pipeline: any, on: JobFor): any {
  const spec = pipeline.spec ?? {};
  const kratixMounts = [
    { mountPath: '/kratix/input', name: 'shared-input', readOnly: true },
    { mountPath: '/kratix/output', name: 'shared-output' },
    { mountPath: '/kratix/metadata', name: 'shared-metadata' },
  ];
  const crd = promise.spec.api;
  const env = [
    ['KRATIX_WORKFLOW_ACTION', on.action], ['KRATIX_WORKFLOW_TYPE', on.type], ['KRATIX_PROMISE_NAME', promise.metadata.name],
    ['KRATIX_PIPELINE_NAME', pipeline.metadata.name], ['KRATIX_OBJECT_KIND', on.type === 'resource' ? crd.spec.names.kind : 'Promise'],
    ['KRATIX_OBJECT_GROUP', on.type === 'resource' ? crd.spec.group : 'platform.kratix.io'],
    ['KRATIX_OBJECT_VERSION', on.type === 'resource' ? crd.spec.versions[0].name : 'v1alpha1'],
    ['KRATIX_OBJECT_NAME', on.type === 'resource' ? 'webhook-dry-run' : promise.metadata.name],
    ['KRATIX_OBJECT_NAMESPACE', on.type === 'resource' ? 'kratix-platform-system' : ''],
    ['KRATIX_CRD_PLURAL', on.type === 'resource' ? crd.spec.names.plural : 'promises'], ['KRATIX_CLUSTER_SCOPED', String(on.type === 'promise')],
  ].map(([name, value]) => ({ name, value }));
  const user = (spec.containers ?? []).map((c: any) => ({
    name: c.name,
    image: c.image,
    volumeMounts: [...kratixMounts, ...c.volumeMounts ?? []],
    args: c.args,
    command: c.command,
    env: [...env, ...c.env ?? []],
    envFrom: c.envFrom,
    imagePullPolicy: c.imagePullPolicy,
    securityContext: c.securityContext,
    resources: c.resources ?? KRATIX_RESOURCES,
  })).map((c: any) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
  const reader = {
    name: 'reader', image: 'ghcr.io/syntasso/kratix-platform-pipeline-adapter:latest', command: ['sh', '-c', 'reader'], args: ['reader'],
    volumeMounts: [{ mountPath: '/kratix/input', name: 'shared-input' }, { mountPath: '/kratix/output', name: 'shared-output' }],
    securityContext: KRATIX_SECURITY, resources: KRATIX_RESOURCES,
  };
  const workWriter = {
    name: 'work-writer', image: 'ghcr.io/syntasso/kratix-platform-pipeline-adapter:latest', command: ['/bin/pipeline-adapter'], args: ['work-creator'],
    volumeMounts: [
      { mountPath: '/work-creator-files/input', name: 'shared-output' }, { mountPath: '/work-creator-files/metadata', name: 'shared-metadata' },
      { mountPath: '/work-creator-files/kratix-system', name: 'promise-scheduling' },
    ],
    securityContext: KRATIX_SECURITY, resources: KRATIX_RESOURCES,
  };
  const statusWriter = {
    name: 'status-writer', image: 'ghcr.io/syntasso/kratix-platform-pipeline-adapter:latest', command: ['/bin/pipeline-adapter'], args: ['update-status'],
    volumeMounts: [{ mountPath: '/work-creator-files/metadata', name: 'shared-metadata' }], securityContext: KRATIX_SECURITY, resources: KRATIX_RESOURCES,
  };
  const volumes = [
    { name: 'promise-scheduling', configMap: { name: 'destination-selectors', items: [{ key: 'destinationSelectors', path: 'promise-scheduling' }] } },
    { name: 'shared-input', emptyDir: {} }, { name: 'shared-output', emptyDir: {} }, { name: 'shared-metadata', emptyDir: {} },
    ...spec.volumes ?? [],
  ];
  const initContainers = [reader, ...user, ...(on.action === 'configure' ? [workWriter] : [])];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `kratix-${promise.metadata.name}-${pipeline.metadata.name}`.slice(0, 63), namespace: 'kratix-platform-system' },
    spec: {
      ...(spec.jobOptions?.backoffLimit !== undefined ? { backoffLimit: spec.jobOptions.backoffLimit } : {}),
      template: {
        spec: {
          initContainers,
          containers: [statusWriter],
          ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
          restartPolicy: spec.restartPolicy ?? 'OnFailure',
          serviceAccountName: `${promise.metadata.name}-${on.type}-${on.action}-${pipeline.metadata.name}`,
          volumes,
        },
      },
    },
  };
}

/**
 * What the API server refuses in a pod spec that its OpenAPI schema does not express: two containers (init or not)
 * of one name, two volumes of one name, two mounts of one path in a container, a mount of an undeclared volume.
 */
export function podSpecProblems(podSpec: any): string[] {
  const problems: string[] = [];
  const all = [...podSpec.initContainers ?? [], ...podSpec.containers ?? []];
  const dup = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
  for (const n of dup(all.map((c) => c.name))) problems.push(`container name ${n} is used twice`);
  const volumes = (podSpec.volumes ?? []).map((v: any) => v.name);
  for (const n of dup(volumes)) problems.push(`volume ${n} is declared twice`);
  for (const c of all) {
    for (const p of dup((c.volumeMounts ?? []).map((m: any) => m.mountPath))) problems.push(`${c.name}: mount path ${p} is used twice`);
    for (const m of c.volumeMounts ?? []) if (!volumes.includes(m.name)) problems.push(`${c.name}: mounts undeclared volume ${m.name}`);
  }
  return problems;
}

/** The json field names of Kratix's Go types (pipeline_types.go), which Kratix decodes with DisallowUnknownFields. */
export const PIPELINE_SPEC_FIELDS = ['containers', 'imagePullSecrets', 'jobOptions', 'nodeSelector', 'rbac', 'restartPolicy', 'tolerations', 'volumes'];
export const PIPELINE_CONTAINER_FIELDS = ['name', 'image', 'args', 'command', 'env', 'envFrom', 'volumeMounts', 'imagePullPolicy', 'securityContext', 'resources'];
export const PIPELINE_RBAC_FIELDS = ['serviceAccount', 'permissions'];
export const PIPELINE_PERMISSION_FIELDS = ['resourceNamespace', 'verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'];
