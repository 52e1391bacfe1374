/**
 * One deployment plan, in the library: objects with their construct paths, dependencies from the constructs' own
 * references (every kind below), the installs the cluster needs with their pinned versions, the longest request
 * timeout, and the objects referenced but not created. Every entry point reads it (dist/README.md, the Pulumi bridge).
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiServerSource, ChannelBroker, ClusterInstall, DeployHints, DeploymentPlan, KnativeFunction, PlatformDocs, Profile, RabbitmqCluster, RabbitmqUser,
  RabbitmqVhost, StoreBackend, ValidationError,
} from '../../constructs';
import { buildReferencePlatform } from '../../src/reference-platform';
import { validationError } from '../support/k8s';

function reference(profile: Profile = Profile.DEV) {
  const app = Testing.app();
  const platform = buildReferencePlatform(app, { profile, store: profile === Profile.PROD ? StoreBackend.CLAIM : undefined });
  return { app, platform, plan: DeploymentPlan.of(app) };
}

// Keys written namespace before name, as they read.
const key = (apiVersion: string, kind: string, namespace: string | undefined, name: string) => DeploymentPlan.objectKey(apiVersion, kind, name, namespace);

describe('the plan of the reference platform', () => {
  const { plan, platform } = reference();
  const deps = (k: string) => {
    const o = plan.object(k);
    if (!o) throw new Error(`no ${k} in the plan`);
    return o.dependsOn;
  };

  test('names the installs the objects need, in install order, with the versions pinned in upstream.yaml', () => {
    expect(plan.installs.map((i) => i.id)).toEqual([
      'crossplane', 'knative-serving', 'net-kourier', 'knative-eventing', 'cert-manager', 'rabbitmq-cluster-operator', 'rabbitmq-topology-operator', 'eventing-rabbitmq',
      // The analytics team's own broker is channel-based (constructs/eventing/team-broker.ts).
      'channel-broker', 'tekton-pipelines', 'tekton-triggers', 'kratix',
    ]);
    for (const [i, install] of plan.installs.entries()) for (const before of install.after) expect(plan.installs.indexOf(before)).toBeLessThan(i);
    expect(plan.versions).toMatchObject({ 'knative-serving': '1.22.1', 'net-kourier': '1.22.1', 'knative-eventing': '1.22.2', 'eventing-rabbitmq': '1.22.1', crossplane: '2.3.4' });
    expect(plan.object(key('serving.knative.dev/v1', 'Service', 'functions', 'hello'))!.installs).toEqual(['knative-serving']);
    expect(plan.object(key('eventing.knative.dev/v1', 'Broker', 'events', 'game'))!.installs).toEqual(['knative-eventing', 'eventing-rabbitmq']);
    expect(plan.object(key('eventing.knative.dev/v1', 'Broker', 'team-analytics', 'events'))!.installs).toEqual(['knative-eventing', 'channel-broker']);
    expect(plan.object(key('rabbitmq.com/v1beta1', 'RabbitmqCluster', 'events', 'rabbitmq'))!.installs).toEqual(['rabbitmq-cluster-operator']);
    expect(plan.object(key('tekton.dev/v1', 'Pipeline', 'delivery', 'verify'))!.installs).toEqual(['tekton-pipelines']);
    expect(plan.object(key('triggers.tekton.dev/v1beta1', 'EventListener', 'delivery', 'verify-on-deploy'))!.installs).toEqual(['tekton-triggers']);
    expect(plan.object(key('eventing.knative.dev/v1alpha1', 'EventTransform', 'delivery', 'tekton-cdevents'))!.installs).toEqual(['knative-eventing']);
    expect(plan.object(key('platform.kratix.io/v1alpha1', 'Promise', undefined, 'functions-platform'))!.installs).toEqual(['kratix']);
  });

  test('the longest request timeout the cluster must allow (the gateway\'s, for WebSockets), and nothing referenced that is not created', () => {
    expect(plan.maxRequestTimeoutSeconds).toBe(3600);
    expect(KnativeFunction.maxTimeoutSeconds(platform.functions)).toBe(3600);
    expect(plan.externalReferences).toEqual([]);
  });

  test('every object carries the construct that made it', () => {
    expect(plan.object(key('networking.k8s.io/v1', 'NetworkPolicy', 'functions', 'redis-ingress'))!.constructPath).toBe('functions-platform/Platform/Redis/IngressPolicy');
    expect(plan.object(key('v1', 'Secret', 'functions', 'redis-auth'))!.constructPath).toBe('functions-platform/Platform/Redis/Password');
    expect(plan.objects.every((o) => o.constructPath !== '')).toBe(true);
  });

  test('dependencies from every kind of reference', () => {
    // Secrets and ConfigMaps a workload reads.
    expect(deps(key('serving.knative.dev/v1', 'Service', 'functions', 'hello'))).toContain(key('v1', 'Secret', 'functions', 'redis-auth'));
    expect(deps(key('serving.knative.dev/v1', 'Service', 'functions', 'gateway'))).toContain(key('v1', 'ConfigMap', 'functions', 'gateway-nginx'));
    expect(deps(key('apps/v1', 'StatefulSet', 'functions', 'redis'))).toEqual(expect.arrayContaining([key('v1', 'Secret', 'functions', 'redis-auth'), key('v1', 'ConfigMap', 'functions', 'redis-config')]));
    // spec.config, and the cluster the config names.
    const broker = platform.events.broker;
    expect(deps(key('eventing.knative.dev/v1', 'Broker', 'events', 'game'))).toEqual(expect.arrayContaining([
      key('eventing.knative.dev/v1alpha1', 'RabbitmqBrokerConfig', 'events', broker.config.name),
      key('serving.knative.dev/v1', 'Service', 'events', 'dead-letters'),
    ]));
    expect(deps(key('eventing.knative.dev/v1alpha1', 'RabbitmqBrokerConfig', 'events', broker.config.name))).toContain(key('rabbitmq.com/v1beta1', 'RabbitmqCluster', 'events', 'rabbitmq'));
    // Knative refs: a Trigger's broker and subscriber (across namespaces too), a source's sink, an EventType's broker.
    expect(deps(key('eventing.knative.dev/v1', 'Trigger', 'events', 'game-to-leaderboard'))).toEqual(expect.arrayContaining([
      key('eventing.knative.dev/v1', 'Broker', 'events', 'game'), key('serving.knative.dev/v1', 'Service', 'functions', 'leaderboard'),
    ]));
    expect(deps(key('sources.knative.dev/v1', 'PingSource', 'events', 'game-tick'))).toContain(key('eventing.knative.dev/v1', 'Broker', 'events', 'game'));
    expect(deps(key('eventing.knative.dev/v1beta3', 'EventType', 'events', 'game-dev.platform-blueprints.game.score'))).toContain(key('eventing.knative.dev/v1', 'Broker', 'events', 'game'));
    // A SinkBinding's subject and sink.
    expect(deps(key('sources.knative.dev/v1', 'SinkBinding', 'functions', 'player-to-game'))).toEqual(expect.arrayContaining([
      key('serving.knative.dev/v1', 'Service', 'functions', 'player'), key('eventing.knative.dev/v1', 'Broker', 'events', 'game'),
    ]));
    // A team's RoleBinding and its Role.
    expect(deps(key('rbac.authorization.k8s.io/v1', 'RoleBinding', 'team-analytics', 'team-developer'))).toContain(key('rbac.authorization.k8s.io/v1', 'Role', 'team-analytics', 'team-developer'));
    // Compositions after their XRD; everything after its namespace.
    const xrd = plan.objects.find((o) => o.manifest.kind === 'CompositeResourceDefinition')!;
    expect(plan.objects.filter((o) => o.manifest.kind === 'Composition').every((c) => c.dependsOn.includes(xrd.key) || c.dependsOn.some((d) => d.includes('CompositeResourceDefinition')))).toBe(true);
    for (const o of plan.objects.filter((x) => x.manifest.metadata.namespace === 'functions')) expect(o.dependsOn).toContain(key('v1', 'Namespace', undefined, 'functions'));
  });

  test('is in dependency order: everything comes after what it waits for', () => {
    const index = new Map(plan.objects.map((o, i) => [o.key, i]));
    for (const o of plan.objects) for (const d of o.dependsOn) expect({ o: o.key, d, before: index.get(d)! < index.get(o.key)! }).toEqual({ o: o.key, d, before: true });
  });

  test('dist/README.md is rendered from it: the installs and the timeout come from the plan', () => {
    const { app } = reference();
    const docs = PlatformDocs.render({ title: 't', source: 's', charts: app.charts as Chart[] });
    for (const install of [ClusterInstall.CROSSPLANE, ClusterInstall.KNATIVE_SERVING, ClusterInstall.EVENTING_RABBITMQ, ClusterInstall.RABBITMQ_TOPOLOGY_OPERATOR]) {
      expect(docs).toContain(install.docs!);
    }
    expect(docs).toContain('"max-revision-timeout-seconds":"3600"');
  });
});

describe('the plan with a claimed store (profile prod)', () => {
  const { plan } = reference(Profile.PROD);
  test('functions bound to the claim wait for it; the claim for its compositions', () => {
    const claim = plan.objects.find((o) => o.manifest.kind === 'KeyValueStore')!;
    expect(plan.object(key('serving.knative.dev/v1', 'Service', 'functions', 'hello'))!.dependsOn).toContain(claim.key);
    expect(claim.dependsOn.filter((d) => d.includes(' Composition '))).toHaveLength(1);
    // The connection Secret is Crossplane's: a reference to it is a reference to the claim, not an unmet prerequisite.
    expect(plan.externalReferences).toEqual([]);
  });
});

describe('other references', () => {
  test('topology objects after their cluster and vhost; a workload bound to a RabbitMQ user after the User (whose operator writes its Secret)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'mq', disableResourceNameHashes: true });
    const cluster = new RabbitmqCluster(chart, 'mq');
    const vhost = new RabbitmqVhost(chart, 'orders', { cluster, name: 'orders' });
    const queue = vhost.addQueue('Created', { name: 'orders.created' });
    const user = new RabbitmqUser(chart, 'worker', { cluster });
    const permission = user.grant(vhost, { read: '.*' });
    const fn = new KnativeFunction(chart, 'worker-fn', { image: 'ghcr.io/example/w:1' });
    user.bind(fn);
    const plan = DeploymentPlan.of(app);
    const clusterKey = key('rabbitmq.com/v1beta1', 'RabbitmqCluster', 'mq', 'mq');
    expect(plan.object(key(queue.resource.apiVersion, 'Queue', 'mq', queue.resource.name))!.dependsOn).toEqual(expect.arrayContaining([clusterKey, key(vhost.resource.apiVersion, 'Vhost', 'mq', vhost.resource.name)]));
    expect(plan.object(key(permission.apiVersion, 'Permission', 'mq', permission.name))!.dependsOn).toEqual(expect.arrayContaining([
      clusterKey, key(user.resource.apiVersion, 'User', 'mq', user.objectName),
    ]));
    expect(plan.object(key('serving.knative.dev/v1', 'Service', 'mq', 'worker-fn'))!.dependsOn).toContain(key(user.resource.apiVersion, 'User', 'mq', user.objectName));
    expect(plan.externalReferences).toEqual([]);
  });

  test('a ServiceAccount a function runs as, and an ApiServerSource after its account and its bindings', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'x', disableResourceNameHashes: true });
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'runner' } });
    new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1', serviceAccount: sa });
    const sink = new ChannelBroker(chart, 'b');
    new ApiServerSource(chart, 'watch', { resources: [{ apiVersion: 'v1', kind: 'Pod' }], sink });
    const plan = DeploymentPlan.of(app);
    expect(plan.object(key('serving.knative.dev/v1', 'Service', 'x', 'fn'))!.dependsOn).toContain(key('v1', 'ServiceAccount', 'x', 'runner'));
    expect(plan.object(key('sources.knative.dev/v1', 'ApiServerSource', 'x', 'watch'))!.dependsOn).toEqual(expect.arrayContaining([
      key('v1', 'ServiceAccount', 'x', 'watch-apiserver-source'), key('rbac.authorization.k8s.io/v1', 'RoleBinding', 'x', 'watch-apiserver-source'),
      key('eventing.knative.dev/v1', 'Broker', 'x', 'b'),
    ]));
    // A channel broker needs Knative's channel-based broker, which the Pulumi program does not install: the plan says so.
    expect(plan.requires(ClusterInstall.CHANNEL_BROKER)).toBe(true);
  });

  test('a reference cycle is a ValidationError naming the cycle', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'x' });
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    DeployHints.references(a, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'b' });
    DeployHints.references(b, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'x', name: 'a' });
    const e = validationError(() => DeploymentPlan.of(app));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('c/a: dependsOn forms a dependency cycle: v1 ConfigMap x/a → v1 ConfigMap x/b → v1 ConfigMap x/a; remove one of the references');
  });
});
