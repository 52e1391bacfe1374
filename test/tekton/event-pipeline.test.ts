import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  ChannelBroker, CloudEventType, DeployHints, DeploymentPlan, EdgeKind, EventCatalog, EventFilter, EventTriggeredPipeline, EventValue, KnativeFunction, PlatformGraph,
  RabbitmqBroker, RabbitmqCluster,
} from '../../constructs';
import { findObject, synthValid, validationError } from '../support/k8s';
import { fixturePipeline, pipelineRunValidator, renderTemplate, templateParamsUsed } from '../support/tekton-triggers';

const DEPLOYED = CloudEventType.of('dev.cdevents.service.deployed.0.3.0', { description: 'a service was deployed' });
const UPGRADED = CloudEventType.of('dev.cdevents.service.upgraded.0.3.0', { description: 'a service was upgraded' });
const ACCEPTED = 'dev.tekton.event.triggers.accepted.v1';

function setup() {
  const app = Testing.app();
  const events = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
  const ci = new Chart(app, 'ci', { namespace: 'ci', disableResourceNameHashes: true });
  const cluster = new RabbitmqCluster(events, 'rabbitmq');
  const broker = new RabbitmqBroker(events, 'delivery', { cluster });
  const lifecycle = new KnativeFunction(events, 'lifecycle', { image: 'ghcr.io/example/lifecycle:1.0.0' });
  broker.addPublisher(lifecycle, { emits: [DEPLOYED, UPGRADED] });
  const pipeline = new EventTriggeredPipeline(ci, 'load-test', {
    pipeline: fixturePipeline('ci', 'load-test', ['url', 'revision', 'image']),
    consumes: [DEPLOYED, UPGRADED],
    params: { url: EventValue.attribute('ksvcurl'), revision: EventValue.attribute('subject'), image: EventValue.data('subject.content.artifactId') },
    runServiceAccountName: 'load-tester',
    runTimeout: Duration.minutes(20),
  });
  return { app, events, ci, broker, lifecycle, pipeline };
}

const synthAll = (app: App) => app.charts.flatMap((c) => synthValid(c));

describe('EventTriggeredPipeline', () => {
  const s = setup();
  const deployed = s.broker.subscribe(s.pipeline, { filters: [EventFilter.type(DEPLOYED)] });
  s.broker.subscribe(s.pipeline, { name: 'delivery-upgraded', filters: [EventFilter.type(UPGRADED)] });
  const objects = synthAll(s.app);

  test('emits an EventListener, a Trigger, a TriggerBinding and a TriggerTemplate, strictly valid against the schemas typed from the Go types', () => {
    const kinds = objects.filter((o) => o.apiVersion === 'triggers.tekton.dev/v1beta1').map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(['EventListener/load-test', 'Trigger/load-test', 'TriggerBinding/load-test', 'TriggerTemplate/load-test']);
  });

  test('the EventListener runs as its own ServiceAccount, serves the Trigger, on Service port 80, with a restricted pod and resources', () => {
    const el = findObject(objects, 'EventListener', 'load-test');
    expect(el.spec.serviceAccountName).toBe('el-load-test');
    expect(el.spec.triggers).toEqual([{ triggerRef: 'load-test' }]);
    const k8sResource = el.spec.resources.kubernetesResource;
    expect(k8sResource.servicePort).toBe(80);
    const pod = k8sResource.spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers).toEqual([{ name: 'event-listener', resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } } }]);
    expect(DeployHints.readyCondition(s.pipeline.resource)).toBe('Ready');
    expect(DeployHints.impliedObjects(s.pipeline.resource).map((i) => `${i.ref.kind}/${i.ref.name}`)).toEqual(['Deployment/el-load-test', 'Service/el-load-test']);
  });

  test('the Trigger runs two CEL interceptors (type filter and overlays, then the run name) and binds by reference', () => {
    const t = findObject(objects, 'Trigger', 'load-test');
    expect(t.spec.bindings).toEqual([{ ref: 'load-test', kind: 'TriggerBinding' }]);
    expect(t.spec.template).toEqual({ ref: 'load-test' });
    expect(t.spec.interceptors.map((i: any) => [i.name, i.ref, i.params.map((p: any) => p.name)])).toEqual([
      ['event-type', { name: 'cel', kind: 'ClusterInterceptor' }, ['filter', 'overlays']],
      ['run-name', { name: 'cel', kind: 'ClusterInterceptor' }, ['overlays']],
    ]);
    expect(t.spec.interceptors[0].params[0].value).toBe(s.pipeline.celFilter);
  });

  test('the binding takes every parameter from the interceptor overlays; the template declares every parameter it uses', () => {
    const tb = findObject(objects, 'TriggerBinding', 'load-test');
    expect(tb.spec.params).toEqual([
      { name: 'cloudevent-run-id', value: '$(extensions.runname.suffix)' },
      { name: 'url', value: '$(extensions.cloudevent.ksvcurl)' },
      { name: 'revision', value: '$(extensions.cloudevent.subject)' },
      { name: 'image', value: '$(extensions.cloudevent.data.subject.content.artifactId)' },
    ]);
    const tt = findObject(objects, 'TriggerTemplate', 'load-test');
    const declared = tt.spec.params.map((p: any) => p.name);
    expect(new Set(templateParamsUsed(tt.spec.resourcetemplates))).toEqual(new Set(declared));
    expect(tt.spec.params.every((p: any) => p.default === undefined)).toBe(true);
  });

  test('the template is the pipeline\'s v1 PipelineRun with a name from the event; rendered, it validates against the pinned PipelineRun CRD', () => {
    const tt = findObject(objects, 'TriggerTemplate', 'load-test');
    expect(tt.spec.resourcetemplates).toEqual([{
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'load-test-$(tt.params.cloudevent-run-id)' },
      spec: {
        pipelineRef: { name: 'load-test' },
        params: [{ name: 'url', value: '$(tt.params.url)' }, { name: 'revision', value: '$(tt.params.revision)' }, { name: 'image', value: '$(tt.params.image)' }],
        taskRunTemplate: { serviceAccountName: 'load-tester' },
        timeouts: { pipeline: '1200s' },
      },
    }]);
    const [run] = renderTemplate(tt.spec.resourcetemplates, {
      'cloudevent-run-id': '4f7c1e2a-9b8d-4c3e-a1f0-5d6e7f8a9b0c-score-00002', url: 'http://score.functions.svc.cluster.local', revision: 'score-00002', image: 'ghcr.io/example/score@sha256:abc',
    });
    run.metadata.namespace = 'ci';
    expect(run.metadata.name.length).toBeLessThanOrEqual(63);
    expect(pipelineRunValidator().validate(run)).toEqual([]);
    // A misspelt field of the run would be caught: the pinned PipelineRun schema is strict.
    expect(pipelineRunValidator().validate({ ...run, spec: { ...run.spec, pipelineRefs: run.spec.pipelineRef } }).join('\n')).toMatch(/pipelineRefs/);
  });

  test('least privilege: a Role to read Triggers objects and create PipelineRuns only, a ClusterRole for the cluster-scoped Triggers kinds; no Secrets, no impersonation', () => {
    const role = findObject(objects, 'Role', 'el-load-test');
    expect(role.metadata.namespace).toBe('ci');
    expect(role.rules).toEqual([
      { apiGroups: ['triggers.tekton.dev'], resources: ['eventlisteners', 'triggers', 'triggerbindings', 'triggertemplates', 'interceptors'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['create'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
    const clusterRole = findObject(objects, 'ClusterRole', 'ci-el-load-test-cluster-read');
    expect(clusterRole.metadata.namespace).toBeUndefined();
    expect(clusterRole.rules).toEqual([{ apiGroups: ['triggers.tekton.dev'], resources: ['clustertriggerbindings', 'clusterinterceptors'], verbs: ['get', 'list', 'watch'] }]);
    const rbac = objects.filter((o) => ['Role', 'ClusterRole'].includes(o.kind));
    const granted = rbac.flatMap((r) => r.rules.flatMap((rule: any) => rule.resources.flatMap((res: string) => rule.verbs.map((v: string) => `${res}:${v}`))));
    expect(granted.filter((g) => g.startsWith('secrets:') || g.endsWith(':impersonate') || g.startsWith('taskruns:'))).toEqual([]);
    const bindings = objects.filter((o) => ['RoleBinding', 'ClusterRoleBinding'].includes(o.kind));
    expect(bindings.map((b) => [b.kind, b.roleRef.kind, b.roleRef.name, b.subjects])).toEqual([
      ['RoleBinding', 'Role', 'el-load-test', [{ kind: 'ServiceAccount', name: 'el-load-test', namespace: 'ci' }]],
      ['ClusterRoleBinding', 'ClusterRole', 'ci-el-load-test-cluster-read', [{ kind: 'ServiceAccount', name: 'el-load-test', namespace: 'ci' }]],
    ]);
    expect(bindings.some((b) => b.roleRef.name.startsWith('tekton-triggers-'))).toBe(false);
  });

  test('broker.subscribe(pipeline): a Knative Trigger to the listener\'s address across namespaces (port 80, no port in the URL)', () => {
    const t = findObject(objects, 'Trigger', 'delivery-to-load-test', 'eventing.knative.dev/v1');
    expect(t.spec.subscriber).toEqual({ uri: 'http://el-load-test.ci.svc.cluster.local' });
    expect(t.spec.filter).toEqual({ attributes: { type: DEPLOYED.type } });
    expect(deployed.subscriber).toBe(s.pipeline);
    // Within its namespace the subscriber is the listener's Service by reference: Knative resolves a core Service to
    // http://<name>.<namespace>.svc.<domain>/ (no port), which the Service's port 80 serves.
    expect(s.pipeline.destinationFrom('ci')).toEqual({ ref: { apiVersion: 'v1', kind: 'Service', name: 'el-load-test' } });
  });

  test('admission: the listener\'s NetworkPolicy lets the broker\'s dispatchers in on the container port 8080', () => {
    const np = findObject(objects, 'NetworkPolicy', 'el-load-test-ingress');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'eventlistener': 'load-test', 'app.kubernetes.io/managed-by': 'EventListener' } });
    expect(np.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'events' } }, podSelector: { matchLabels: s.broker.dataPlane.podSelector } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('deploy order: the listener after its ServiceAccount, RBAC and Trigger; the Trigger after its binding and template; the subscription after the listener', () => {
    const plan = DeploymentPlan.of(s.app);
    const deps = (key: string) => plan.object(key)!.dependsOn;
    expect(deps('triggers.tekton.dev/v1beta1 EventListener ci/load-test')).toEqual(expect.arrayContaining([
      'v1 ServiceAccount ci/el-load-test', 'triggers.tekton.dev/v1beta1 Trigger ci/load-test',
      'rbac.authorization.k8s.io/v1 RoleBinding ci/el-load-test', 'rbac.authorization.k8s.io/v1 ClusterRoleBinding ci-el-load-test-cluster-read',
    ]));
    expect(deps('triggers.tekton.dev/v1beta1 Trigger ci/load-test')).toEqual(expect.arrayContaining([
      'triggers.tekton.dev/v1beta1 TriggerBinding ci/load-test', 'triggers.tekton.dev/v1beta1 TriggerTemplate ci/load-test',
    ]));
    expect(deps('eventing.knative.dev/v1 Trigger events/delivery-to-load-test')).toContain('triggers.tekton.dev/v1beta1 EventListener ci/load-test');
    // The Pipeline is not this construct's: the template refers to it, and the plan lists it as needed on the cluster.
    expect(plan.externalReferences.map((r) => `${r.ref.kind} ${r.ref.namespace}/${r.ref.name}`)).toContain('Pipeline ci/load-test');
  });

  test('graph edge and catalog: the broker delivers to the pipeline, and the listener\'s replies are produced into the broker', () => {
    const edges = PlatformGraph.of(s.app).edges;
    expect(edges.filter((e) => e.to === s.pipeline).map((e) => [e.kind, e.detail])).toEqual([
      [EdgeKind.DELIVERS_EVENTS, `type=${DEPLOYED.type}`], [EdgeKind.DELIVERS_EVENTS, `type=${UPGRADED.type}`],
    ]);
    expect(edges.filter((e) => e.from === s.pipeline).map((e) => [e.kind, e.to, e.detail])).toEqual([[EdgeKind.SENDS_EVENTS, s.broker, `replies (${ACCEPTED})`]]);
    const catalog = EventCatalog.of(s.app);
    expect(catalog.consumers.filter((c) => c.subscriber === s.pipeline).map((c) => c.filters.map(String))).toEqual([[`type=${DEPLOYED.type}`], [`type=${UPGRADED.type}`]]);
    expect(catalog.producers.filter((p) => p.producer === s.pipeline).map((p) => [p.type.type, p.via, p.sink])).toEqual([[ACCEPTED, 'reply', s.broker]]);
    // The broker declares the reply type as a Knative EventType, like any type produced into it.
    expect(objects.filter((o) => o.kind === 'EventType').map((o) => o.spec.attributes[0].value)).toContain(ACCEPTED);
    expect(catalog.renderMarkdown('events')).toContain(`| \`${ACCEPTED}\``);
  });
});

describe('EventTriggeredPipeline in the broker\'s namespace', () => {
  test('the Knative Trigger refers to the listener\'s Service', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'ci', { namespace: 'ci', disableResourceNameHashes: true });
    const broker = new ChannelBroker(chart, 'ci-events');
    const p = new EventTriggeredPipeline(chart, 'smoke', { pipeline: fixturePipeline('ci', 'smoke-test', []), consumes: [CloudEventType.external('dev.example.release')] });
    broker.subscribe(p, { filters: [EventFilter.type(CloudEventType.external('dev.example.release'))] });
    const objects = synthValid(chart);
    expect(findObject(objects, 'Trigger', 'ci-events-to-smoke', 'eventing.knative.dev/v1').spec.subscriber).toEqual({ ref: { apiVersion: 'v1', kind: 'Service', name: 'el-smoke' } });
    // No parameter: the template's run has only the run id, and its name from the default prefix (the pipeline's name).
    const tt = findObject(objects, 'TriggerTemplate', 'smoke');
    expect(tt.spec.params.map((x: any) => x.name)).toEqual(['cloudevent-run-id']);
    expect(tt.spec.resourcetemplates[0].metadata).toEqual({ name: 'smoke-test-$(tt.params.cloudevent-run-id)' });
  });
});

describe('EventTriggeredPipeline refuses', () => {
  const pipeline = (ns = 'ci') => fixturePipeline(ns, 'load-test', ['url']);
  const chart = () => {
    const app = Testing.app();
    return new Chart(app, 'ci', { namespace: 'ci', disableResourceNameHashes: true });
  };

  test('subscriptions that would deliver its own replies back to it', () => {
    const c = chart();
    const broker = new ChannelBroker(c, 'events');
    const p = new EventTriggeredPipeline(c, 'lt', { pipeline: pipeline(), consumes: [CloudEventType.external('dev.example.release')] });
    expect(validationError(() => broker.subscribe(p)).message).toMatch(
      /ci\/events\/Trigger-events-to-lt: filters \("all events"\) would deliver the replies of ci\/lt \(dev\.tekton\.event\.triggers\.accepted\.v1\) back to it.*filters that do not pin the event type.*EventFilter\.type/);
    expect(validationError(() => broker.subscribe(p, { filters: [EventFilter.prefix('type', 'dev.example')] })).message).toMatch(/filters other than exact matches let it through/);
    expect(validationError(() => broker.subscribe(p, { filters: [EventFilter.type(EventTriggeredPipeline.ACCEPTED)] })).message).toMatch(/a filter on its own reply type/);
  });

  test('subscriptions on types it does not consume (its listener would drop them), at synth', () => {
    const c = chart();
    const broker = new ChannelBroker(c, 'events');
    const p = new EventTriggeredPipeline(c, 'lt', { pipeline: pipeline(), consumes: [CloudEventType.external('dev.example.release')] });
    broker.subscribe(p, { filters: [EventFilter.type(CloudEventType.external('dev.example.other'))] });
    expect(validationError(() => Testing.synth(c)).message).toMatch(/filters \("dev\.example\.other"\) select events ci\/lt does not consume \(its listener's filter admits dev\.example\.release\)/);
  });

  test('bad props, naming the field and the fix', () => {
    const release = [CloudEventType.external('dev.example.release')];
    const cases: Array<[any, RegExp]> = [
      [{ pipeline: undefined, consumes: release }, /ci\/lt: pipeline \(undefined\) must be a Tekton pipeline; pass a TektonPipeline/],
      [{ pipeline: pipeline('other'), consumes: release }, /pipeline \("other\/load-test"\) is in another namespace than the listener \(ci\)/],
      [{ pipeline: pipeline(), consumes: [] }, /consumes \(\[\]\) must list at least one CloudEvent type/],
      [{ pipeline: pipeline(), consumes: [EventTriggeredPipeline.ACCEPTED] }, /consumes \("dev\.tekton\.event\.triggers\.accepted\.v1"\) is the listener's own reply/],
      [{ pipeline: pipeline(), consumes: release, params: { uri: EventValue.attribute('ksvcurl') } }, /params\.uri \("uri"\) is not a parameter of pipeline load-test \(url\)/],
      [{ pipeline: pipeline(), consumes: release, params: { url: 'http://x' } }, /params\.url \("http:\/\/x"\) must be an EventValue/],
      [{ pipeline: pipeline(), consumes: release, params: { url: EventValue.attribute('KsvcUrl') } }, /params\.url \("KsvcUrl"\) is not a CloudEvents attribute name/],
      [{ pipeline: pipeline(), consumes: release, params: { url: EventValue.data('a..b') } }, /params\.url \("a\.\.b"\) is not a path into the event data/],
      [{ pipeline: pipeline(), consumes: release, runNameAttribute: 'Ce-Id' }, /runNameAttribute \("Ce-Id"\) is not a CloudEvents attribute name/],
      [{ pipeline: pipeline(), consumes: release, runNamePrefix: 'a-very-long-prefix-for-every-run-name' }, /runNamePrefix \("a-very-long-prefix-for-every-run-name"\) must be at most 30 characters/],
      [{ pipeline: pipeline(), consumes: release, replicas: 0 }, /replicas \(0\) must be/],
    ];
    const oddParams = fixturePipeline('ci', 'load-test', ['9lives', 'cloudevent-run-id']);
    cases.push(
      [{ pipeline: oddParams, consumes: release, params: { '9lives': EventValue.attribute('id') } }, /params\.9lives \("9lives"\) cannot be a TriggerTemplate parameter/],
      [{ pipeline: oddParams, consumes: release, params: { 'cloudevent-run-id': EventValue.attribute('id') } }, /params\.cloudevent-run-id \("cloudevent-run-id"\) cannot be a TriggerTemplate parameter .*not cloudevent-run-id/],
    );
    for (const [props, message] of cases) expect(validationError(() => new EventTriggeredPipeline(chart(), 'lt', props)).message).toMatch(message);
    expect(validationError(() => new EventTriggeredPipeline(chart(), 'l'.repeat(61), { pipeline: pipeline(), consumes: release })).message)
      .toMatch(/name \("l{61}"\) must be at most 60 characters; the listener's Service is named el-<name>/);
  });
});
