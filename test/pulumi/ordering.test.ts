/**
 * Ordering edges from references: every object waits, in Pulumi, for what the deployment plan says it references,
 * so `pulumi up` creates a referenced object first and `pulumi destroy` deletes it last (Pulumi deletes dependents
 * before their dependencies). One app uses every reference kind the library emits.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { mockPulumi, settle } from '../support/pulumi';

const mocked = mockPulumi(() => ({ result: 'generated-password-0123456789abcdef' }));
import {
  ApiServerSource, CloudEventType, ContainerSource, ExchangeType, KnativeFunction, PingSource, PlatformPolicy, PolicyRuleId, RabbitmqBroker, RabbitmqCluster,
  RabbitmqUser, RabbitmqVhost, Redis, TeamSpace, PasswordSource, Profile, CrossplaneMode,
} from '../../constructs';
import { Cdk8sDeployment } from '../../src/pulumi/bridge';
import { buildReferencePlatform } from '../../src/reference-platform';

const SCORE = CloudEventType.of('dev.example.game.score');
const TICK = CloudEventType.of('dev.example.game.tick');

function everyReference(): App {
  const app = new App();
  const events = new Chart(app, 'events', { namespace: 'events' });
  const fns = new Chart(app, 'fns', { namespace: 'functions' });
  const cluster = new RabbitmqCluster(events, 'rabbitmq');
  const dlq = new KnativeFunction(events, 'dead-letters', { image: 'ghcr.io/example/event-display:1' });
  const broker = new RabbitmqBroker(events, 'game', { cluster, delivery: { deadLetterSink: dlq, retry: 3 } });
  const player = new KnativeFunction(fns, 'player', { image: 'ghcr.io/example/player:1' });
  const board = new KnativeFunction(fns, 'board', { image: 'ghcr.io/example/board:1' });
  broker.addPublisher(player, { emits: [SCORE] });
  broker.subscribe(board, { name: 'scores', filters: [], delivery: { deadLetterSink: dlq } });
  new PingSource(events, 'tick', { schedule: '* * * * *', data: '{}', sink: broker, emits: [TICK] } as any);
  new ApiServerSource(events, 'watch', { resources: [{ apiVersion: 'v1', kind: 'ConfigMap' }], sink: broker });
  const config = new kplus.ConfigMap(events, 'source-config', { metadata: { name: 'source-config' }, data: { period: '10' } });
  const heartbeats = new ContainerSource(events, 'heartbeats', {
    image: 'ghcr.io/example/heartbeats:1', emits: [CloudEventType.of('dev.example.heartbeat')], sink: broker,
    env: { PERIOD: kplus.EnvValue.fromConfigMap(config, 'period') },
  });
  PlatformPolicy.exempt(heartbeats.resource, PolicyRuleId.PINNED_IMAGES, 'test image');
  const vhost = new RabbitmqVhost(events, 'Orders', { cluster, name: 'orders' });
  const queue = vhost.addQueue('Created', { name: 'orders.created' });
  vhost.addExchange('Events', { name: 'orders', type: ExchangeType.TOPIC }).bind(queue, { routingKey: 'order.created' });
  const user = new RabbitmqUser(events, 'billing', { cluster });
  user.grant(vhost, { read: '.*' });
  user.bind(new KnativeFunction(events, 'billing-worker', { image: 'ghcr.io/example/billing:1' }));
  const cache = new Redis(fns, 'cache', { storage: Size.gibibytes(1), password: PasswordSource.generate() });
  cache.bind(player);
  new TeamSpace(new Chart(app, 'teams'), 'Payments', { team: 'payments', groups: ['team-payments'] });
  return app;
}

/** Checks that every edge of a deployment's plan is a Pulumi dependency; returns the reference kinds it saw. */
function edgesReachPulumi(deployment: Cdk8sDeployment, prefix: string): { edges: number; kinds: string[] } {
  const byKey = new Map(deployment.plan.map((p) => [p.key, p]));
  let edges = 0;
  const kinds = new Set<string>();
  for (const p of deployment.plan) {
    const [group, version] = p.manifest.apiVersion.includes('/') ? p.manifest.apiVersion.split('/') : ['core', p.manifest.apiVersion];
    const names = mocked.get(`kubernetes:${group}/${version}:${p.manifest.kind}`, `${prefix}/${p.name}`).dependencies.map((u) => u.split('::').pop());
    for (const d of p.dependsOn) {
      expect({ waiter: p.key, dependency: names.includes(`${prefix}/${byKey.get(d)!.name}`) ? d : `missing ${d}` }).toEqual({ waiter: p.key, dependency: d });
      edges++;
      if (byKey.get(d)!.manifest.kind !== 'Namespace') kinds.add(`${p.manifest.kind} → ${byKey.get(d)!.manifest.kind}`);
    }
  }
  return { edges, kinds: [...kinds] };
}

describe('ordering edges from references reach Pulumi', () => {
  const events = new Cdk8sDeployment('refs', { root: everyReference(), policy: { rules: [] } });
  const apisApp = new App();
  buildReferencePlatform(apisApp, { profile: Profile.PROD, namespace: 'shop', eventsNamespace: 'shop-events', platformApis: true, crossplaneMode: CrossplaneMode.CLAIMS });
  const apis = new Cdk8sDeployment('apis', { root: apisApp });
  const ready = settle([...Object.values(events.resources), ...Object.values(apis.resources)]);

  test('every edge of the plans is a Pulumi dependency of the waiting object (so destroy deletes the waiter first)', async () => {
    await ready;
    expect(edgesReachPulumi(events, 'refs').edges).toBeGreaterThan(40);
    expect(edgesReachPulumi(apis, 'apis').edges).toBeGreaterThan(40);
  });

  test('the reference kinds the library emits, each one an edge (waiting kind → kind it waits for, besides Namespaces)', async () => {
    await ready;
    const kinds = new Set([...edgesReachPulumi(events, 'refs').kinds, ...edgesReachPulumi(apis, 'apis').kinds]);
    expect([...kinds].sort()).toEqual([
      // sources: their sink, their ServiceAccount and RBAC
      'ApiServerSource → Broker', 'ApiServerSource → EventTransform', 'ApiServerSource → RoleBinding', 'ApiServerSource → ServiceAccount',
      // RabbitMQ topology: the cluster, then vhost, exchange, queue, user
      'Binding → Exchange', 'Binding → Queue', 'Binding → RabbitmqCluster',
      // a Broker: its RabbitmqBrokerConfig (spec.config) and its dead-letter sink
      'Broker → RabbitmqBrokerConfig', 'Broker → Service',
      // Crossplane: RBAC, compositions after their XRD, functions, provider configs and RBAC; claims after XRD and compositions
      'ClusterRoleBinding → ClusterRole', 'Composition → ClusterRole', 'Composition → ClusterRoleBinding', 'Composition → CompositeResourceDefinition',
      'Composition → Function', 'Composition → ProviderConfig',
      'ContainerSource → Broker', 'ContainerSource → ConfigMap',
      // Tekton Triggers: a listener after its ServiceAccount, RBAC and (Tekton) Triggers; those after their binding and
      // template; a template after the Pipeline its runs name
      'EventListener → ClusterRoleBinding', 'EventListener → RoleBinding', 'EventListener → ServiceAccount', 'EventListener → Trigger',
      // an EventTransform: its sink
      'EventTransform → Broker',
      // the broker's EventTypes
      'EventType → Broker',
      'Exchange → RabbitmqCluster', 'Exchange → Vhost',
      'KeyValueStore → CompositeResourceDefinition', 'KeyValueStore → Composition',
      'Permission → RabbitmqCluster', 'Permission → User', 'Permission → Vhost',
      'PingSource → Broker',
      'Provider → DeploymentRuntimeConfig', 'ProviderConfig → Provider',
      'Queue → RabbitmqCluster', 'Queue → Vhost',
      // a RabbitmqBrokerConfig: its cluster
      'RabbitmqBrokerConfig → RabbitmqCluster',
      'RoleBinding → Role', 'RoleBinding → ServiceAccount',
      // functions: their ConfigMaps, claims, Secrets, and the User whose credentials Secret they read
      'Service → ConfigMap', 'Service → KeyValueStore', 'Service → Secret', 'Service → User',
      // a SinkBinding: its sink and its subject
      'SinkBinding → Broker', 'SinkBinding → Service',
      'StatefulSet → ConfigMap', 'StatefulSet → Secret',
      // a Trigger: its broker, its subscriber (and dead-letter sink)
      'Trigger → Broker', 'Trigger → EventListener', 'Trigger → EventTransform', 'Trigger → Service',
      'Trigger → TriggerBinding', 'Trigger → TriggerTemplate', 'TriggerTemplate → Pipeline',
      'User → RabbitmqCluster', 'Vhost → RabbitmqCluster',
    ]);
  });
});
