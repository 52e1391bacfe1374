/**
 * Realistic inputs of the CDEvents transforms, shaped like what the senders put on the wire:
 *  - ApiServerSource (eventing v1.22.2, Resource mode, pkg/adapter/apiserver/events/events.go): binary-mode
 *    CloudEvent, `source` the API server URL, `subject` the object's path, extensions kind/apiversion/name/namespace,
 *    data the whole object as the API server returns it (a Knative Service, serving v1.22.1 field names);
 *  - Tekton's events controller (pipeline v1.15.0, pkg/reconciler/events/cloudevent/cloudevent.go): binary-mode,
 *    random `id`, `subject` the run name, data `{"taskRun": …}` / `{"pipelineRun": …}` as **v1beta1** objects
 *    (results in `status.taskResults[]` / `status.pipelineResults[]`, condition `Succeeded`).
 */
import { HttpMessage, binaryMessage } from '../support/cdevents';

export const API_SERVER = 'https://10.96.0.1:443';
export const UID = '6f1c2b8e-4a5d-4e0f-9b3a-2c7d8e9f0a1b';
const IMAGE_1 = 'ghcr.io/example/score@sha256:' + '1'.repeat(64);
const IMAGE_2 = 'ghcr.io/example/score@sha256:' + '2'.repeat(64);

export interface ServiceStage {
  readonly generation: number;
  readonly observedGeneration: number;
  readonly latestCreated?: string;
  readonly latestReady?: string;
  /** Ready condition status. */
  readonly ready: 'True' | 'False' | 'Unknown';
  readonly resourceVersion: string;
  readonly deleting?: boolean;
}

/** A Knative Service `functions/score` as the API server returns it at a stage of its rollout. */
export function knativeService(stage: ServiceStage): any {
  const image = stage.generation === 1 ? IMAGE_1 : IMAGE_2;
  const condition = (type: string) => ({
    type,
    status: stage.ready,
    lastTransitionTime: '2026-11-29T10:00:0' + stage.generation + 'Z',
    ...(stage.ready === 'True' ? {} : { reason: stage.ready === 'False' ? 'RevisionFailed' : 'RevisionMissing', message: 'Revision "score-0000' + stage.generation + '" is not ready.' }),
  });
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name: 'score',
      namespace: 'functions',
      uid: UID,
      generation: stage.generation,
      resourceVersion: stage.resourceVersion,
      creationTimestamp: '2026-11-29T10:00:00Z',
      ...(stage.deleting ? { deletionTimestamp: '2026-11-29T11:00:00Z' } : {}),
      labels: { 'platform-blueprints.io/cdevents': 'true', 'networking.knative.dev/visibility': 'cluster-local', 'app.kubernetes.io/name': 'score' },
      annotations: { 'serving.knative.dev/creator': 'system:serviceaccount:platform:deployer', 'serving.knative.dev/lastModifier': 'system:serviceaccount:platform:deployer' },
    },
    spec: {
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'score' }, annotations: { 'autoscaling.knative.dev/min-scale': '0' } },
        spec: {
          containerConcurrency: 0,
          timeoutSeconds: 300,
          containers: [{ name: 'user-container', image, ports: [{ containerPort: 8080, protocol: 'TCP' }], readinessProbe: { successThreshold: 1, tcpSocket: { port: 0 } }, resources: {} }],
          enableServiceLinks: false,
        },
      },
      traffic: [{ latestRevision: true, percent: 100 }],
    },
    status: {
      observedGeneration: stage.observedGeneration,
      conditions: [condition('ConfigurationsReady'), condition('Ready'), condition('RoutesReady')],
      ...(stage.latestCreated ? { latestCreatedRevisionName: stage.latestCreated } : {}),
      ...(stage.latestReady ? {
        latestReadyRevisionName: stage.latestReady,
        url: 'http://score.functions.svc.cluster.local',
        address: { url: 'http://score.functions.svc.cluster.local' },
        traffic: [{ revisionName: stage.latestReady, latestRevision: true, percent: 100 }],
      } : {}),
    },
  };
}

let seq = 0;
/** The event an ApiServerSource sends for a change of the object. */
export function apiServerEvent(verb: 'add' | 'update' | 'delete', obj: any): HttpMessage {
  seq += 1;
  return binaryMessage({
    specversion: '1.0',
    id: `7d2a0f3c-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    type: `dev.knative.apiserver.resource.${verb}`,
    source: API_SERVER,
    subject: `/apis/serving.knative.dev/v1/namespaces/${obj.metadata.namespace}/services/${obj.metadata.name}`,
    time: `2026-11-29T10:0${seq % 10}:00.123456789Z`,
    kind: obj.kind,
    apiversion: obj.apiVersion,
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
  }, obj);
}

/** The rollout of `functions/score`, in the order its events arrive. */
export const ROLLOUT = {
  createdNotReady: knativeService({ generation: 1, observedGeneration: 1, latestCreated: 'score-00001', ready: 'Unknown', resourceVersion: '1001' }),
  gen1Ready: knativeService({ generation: 1, observedGeneration: 1, latestCreated: 'score-00001', latestReady: 'score-00001', ready: 'True', resourceVersion: '1002' }),
  gen1ReadyAgain: knativeService({ generation: 1, observedGeneration: 1, latestCreated: 'score-00001', latestReady: 'score-00001', ready: 'True', resourceVersion: '1003' }),
  // The spec changed; the controller has not seen it yet (its status still describes generation 1, Ready).
  gen2Unobserved: knativeService({ generation: 2, observedGeneration: 1, latestCreated: 'score-00001', latestReady: 'score-00001', ready: 'True', resourceVersion: '1004' }),
  gen2Rolling: knativeService({ generation: 2, observedGeneration: 2, latestCreated: 'score-00002', latestReady: 'score-00001', ready: 'Unknown', resourceVersion: '1005' }),
  gen2Ready: knativeService({ generation: 2, observedGeneration: 2, latestCreated: 'score-00002', latestReady: 'score-00002', ready: 'True', resourceVersion: '1006' }),
  gen2ReadyAgain: knativeService({ generation: 2, observedGeneration: 2, latestCreated: 'score-00002', latestReady: 'score-00002', ready: 'True', resourceVersion: '1007' }),
  gen3Failed: knativeService({ generation: 3, observedGeneration: 3, latestCreated: 'score-00003', latestReady: 'score-00002', ready: 'False', resourceVersion: '1008' }),
  deleted: knativeService({ generation: 3, observedGeneration: 3, latestCreated: 'score-00003', latestReady: 'score-00002', ready: 'False', resourceVersion: '1009', deleting: true }),
};

export interface RunOptions {
  readonly name: string;
  readonly namespace?: string;
  readonly uid: string;
  /** `Succeeded` condition status; undefined: no condition yet. */
  readonly succeeded?: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly labels?: { [key: string]: string };
  readonly params?: { [name: string]: string };
  readonly results?: { [name: string]: string };
}

function condition(o: RunOptions): any[] | undefined {
  if (o.succeeded === undefined) return undefined;
  return [{ type: 'Succeeded', status: o.succeeded, reason: o.reason ?? (o.succeeded === 'True' ? 'Succeeded' : o.succeeded === 'False' ? 'Failed' : 'Running'), message: o.message ?? '', lastTransitionTime: '2026-11-29T10:05:00Z' }];
}

/** A run's metadata as the API server returns it. */
function runMetadata(o: RunOptions, labels: { [key: string]: string }): any {
  return {
    name: o.name,
    namespace: o.namespace ?? 'cd',
    uid: o.uid,
    generation: 1,
    resourceVersion: '5001',
    creationTimestamp: '2026-11-29T10:04:00Z',
    labels: { 'app.kubernetes.io/managed-by': 'tekton-pipelines', ...labels, ...o.labels },
  };
}

const params = (o: RunOptions) => Object.entries(o.params ?? {}).map(([name, value]) => ({ name, value }));

/** A TaskRun as Tekton's events controller embeds it (v1beta1). */
export function taskRun(o: RunOptions & { task: string }): any {
  return {
    metadata: { ...runMetadata(o, { 'tekton.dev/task': o.task, 'tekton.dev/taskRun': o.name }), annotations: { 'pipeline.tekton.dev/release': 'v1.15.0' } },
    spec: {
      taskRef: { name: o.task, kind: 'Task' },
      params: params(o),
      serviceAccountName: 'default',
      timeout: '1h0m0s',
    },
    status: {
      ...(condition(o) ? { conditions: condition(o) } : {}),
      podName: `${o.name}-pod`,
      startTime: '2026-11-29T10:04:01Z',
      ...(o.succeeded === 'True' || o.succeeded === 'False' ? { completionTime: '2026-11-29T10:05:00Z' } : {}),
      steps: [{ name: 'run', container: 'step-run', imageID: 'docker.io/grafana/k6@sha256:' + 'c'.repeat(64) }],
      ...(o.results ? { taskResults: Object.entries(o.results).map(([name, value]) => ({ name, type: 'string', value })) } : {}),
      podTemplate: {},
    },
  };
}

/** A PipelineRun as Tekton's events controller embeds it (v1beta1). */
export function pipelineRun(o: RunOptions & { pipeline: string }): any {
  return {
    metadata: runMetadata(o, { 'tekton.dev/pipeline': o.pipeline }),
    spec: {
      pipelineRef: { name: o.pipeline },
      params: params(o),
      timeouts: { pipeline: '1h0m0s' },
    },
    status: {
      ...(condition(o) ? { conditions: condition(o) } : {}),
      startTime: '2026-11-29T10:04:00Z',
      ...(o.results ? { pipelineResults: Object.entries(o.results).map(([name, value]) => ({ name, value })) } : {}),
      childReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: `${o.name}-load-test`, pipelineTaskName: 'load-test' }],
    },
  };
}

/** The event Tekton sends about a run. */
export function tektonEvent(type: string, data: { taskRun?: any; pipelineRun?: any; customRun?: any }): HttpMessage {
  const run = data.taskRun ?? data.pipelineRun ?? data.customRun;
  const kind = data.taskRun ? 'TaskRun' : data.pipelineRun ? 'PipelineRun' : 'CustomRun';
  seq += 1;
  return binaryMessage({
    specversion: '1.0',
    id: `0b7f3e1a-1111-4000-8000-${String(seq).padStart(12, '0')}`,
    type,
    // Objects from the informer carry no selfLink, so Tekton builds the path (group/version/kind of the run).
    source: `/apis/tekton.dev/v1/namespaces/${run.metadata.namespace}/${kind}/${run.metadata.name}`,
    subject: run.metadata.name,
    time: '2026-11-29T10:05:01.5Z',
  }, data);
}
