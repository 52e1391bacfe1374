/**
 * A second `pulumi up` that changes things: what controllers co-own is applied by force, and what the API server
 * (or a webhook) will not change in place is replaced — the old object deleted first, as its name is fixed.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { mockPulumi, settle } from '../support/pulumi';

const mocked = mockPulumi();
import {
  ChannelBroker, EventFilter, ExchangeType, KnativeFunction, RabbitmqBroker, RabbitmqCluster, RabbitmqVhost, SinkBinding,
} from '../../constructs';
import { Cdk8sDeployment, sinkBindingSubjects } from '../../src/pulumi/bridge';
import { DeploymentPlan } from '../../constructs';

const KSVC = 'kubernetes:serving.knative.dev/v1:Service';

function events() {
  const app = new App();
  const chart = new Chart(app, 'c', { namespace: 'games' });
  return { app, chart };
}

describe('SinkBinding subjects', () => {
  test('the subject of a SinkBinding is applied with pulumi.com/patchForce (the webhook co-owns its containers); no other object is', async () => {
    const { app, chart } = events();
    const player = new KnativeFunction(chart, 'player', { image: 'ghcr.io/example/player:1' });
    new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
    new SinkBinding(chart, 'ToGame', { subject: player, sink: new ChannelBroker(chart, 'game') });
    const d = new Cdk8sDeployment('sb', { root: app, policy: { rules: [] } });
    await settle(Object.values(d.resources));
    expect([...d.forcedApply]).toEqual(['serving.knative.dev/v1 Service games/player']);
    expect(mocked.get(KSVC, 'sb/games/player').inputs.metadata.annotations['pulumi.com/patchForce']).toBe('true');
    const others = mocked.registrations.filter((r) => r.name.startsWith('sb/') && r.name !== 'sb/games/player');
    expect(others.filter((r) => r.inputs?.metadata?.annotations?.['pulumi.com/patchForce'])).toEqual([]);
    // The forced object keeps its own annotations and waits, and the SinkBinding still waits for it.
    expect(mocked.get(KSVC, 'sb/games/player').inputs.metadata.annotations['pulumi.com/waitFor']).toBe('condition=Ready');
    expect(mocked.dependencyNames('kubernetes:sources.knative.dev/v1:SinkBinding', 'sb/games/player-to-game')).toContain('sb/games/player');
  });

  test('a subject named by label selector (a SinkBinding written by hand) is found too, in the binding\'s namespace only', () => {
    const { app, chart } = events();
    const deployment = (ns: Chart, name: string, labels: { [k: string]: string }) => new ApiObject(ns, name, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [] } } },
    });
    deployment(chart, 'a', { app: 'publisher', tier: 'web' });
    deployment(chart, 'b', { app: 'publisher', tier: 'batch' });
    deployment(chart, 'c', { app: 'other' });
    deployment(new Chart(app, 'elsewhere', { namespace: 'other' }), 'd', { app: 'publisher', tier: 'web' });
    new ApiObject(chart, 'binding', {
      apiVersion: 'sources.knative.dev/v1', kind: 'SinkBinding', metadata: { name: 'publishers' },
      spec: {
        subject: { apiVersion: 'apps/v1', kind: 'Deployment', selector: { matchLabels: { app: 'publisher' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'batch'] }] } },
        sink: { uri: 'http://sink.games.svc.cluster.local' },
      },
    });
    expect([...sinkBindingSubjects(DeploymentPlan.of(app).objects)]).toEqual(['apps/v1 Deployment games/a', 'apps/v1 Deployment games/b']);
  });
});

describe('fields the plan marks immutable', () => {
  // Each construct that declares immutable fields (DeployHints.replaceOnChanges), the object, and the fields.
  function app() {
    const { app: root, chart } = events();
    const cluster = new RabbitmqCluster(chart, 'mq');
    const broker = new RabbitmqBroker(chart, 'game', { cluster });
    const board = new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
    broker.subscribe(board, { name: 'to-board', filters: [EventFilter.exact({ source: '/games/1' })] });
    const channel = new ChannelBroker(chart, 'plain');
    channel.subscribe(board, { name: 'plain-to-board' });
    const vhost = new RabbitmqVhost(chart, 'Orders', { cluster, name: 'orders' });
    const queue = vhost.addQueue('Created', { name: 'orders.created' });
    vhost.addExchange('Events', { name: 'orders', type: ExchangeType.TOPIC }).bind(queue, { routingKey: 'order.created' });
    return root;
  }
  const deployment = new Cdk8sDeployment('imm', { root: app(), policy: { rules: [] } });
  const ready = settle(Object.values(deployment.resources));
  const marked = deployment.plan.filter((p) => p.replaceOnChanges);

  const CLASS = 'metadata.annotations["eventing.knative.dev/broker.class"]';
  // The fields the messaging topology operator's webhooks (v1.20, internal/webhook/v1beta1) refuse to change.
  const VHOST = ['spec.name', 'spec.rabbitmqClusterReference'];
  const QUEUE = ['spec.name', 'spec.vhost', 'spec.rabbitmqClusterReference', 'spec.type', 'spec.autoDelete', 'spec.durable', 'spec.arguments'];
  const EXCHANGE = ['spec.name', 'spec.vhost', 'spec.rabbitmqClusterReference', 'spec.type', 'spec.autoDelete', 'spec.durable'];
  const BINDING = ['spec.vhost', 'spec.rabbitmqClusterReference', 'spec.source', 'spec.destination', 'spec.destinationType', 'spec.routingKey', 'spec.arguments'];

  test('the plan marks exactly these objects and fields', () => {
    expect(marked.map((p) => [p.manifest.kind, p.replaceOnChanges])).toEqual(expect.arrayContaining([
      ['Broker', ['spec', CLASS]], ['Broker', ['spec.config', CLASS]], ['RabbitmqBrokerConfig', ['spec']], ['Trigger', ['spec.broker', 'spec.filter']], ['Trigger', ['spec.broker']],
      ['Vhost', VHOST], ['Queue', QUEUE], ['Exchange', EXCHANGE], ['Binding', BINDING],
    ]));
    expect(marked).toHaveLength(9);
  });

  test('the class annotation\'s path is a Pulumi property path naming exactly that key (a quoted key, as its dots and slashes require)', () => {
    // Pulumi's grammar (sdk/go/common/resource/property_path.go): `.name` for [A-Za-z_$][A-Za-z0-9_$]*, `["…"]` for any other key.
    const elements = [...CLASS.matchAll(/(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[("(?:[^"\\]|\\.)*")\]/g)].map((m) => m[1] ?? JSON.parse(m[2]));
    expect(elements).toEqual(['metadata', 'annotations', 'eventing.knative.dev/broker.class']);
    const broker = marked.find((p) => p.manifest.kind === 'Broker' && p.name === 'games/plain')!;
    expect(broker.manifest.metadata.annotations[elements[2]]).toBe('MTChannelBasedBroker');
  });

  test.each([
    ['Broker', 'games/game', ['spec', CLASS], 'eventing-rabbitmq refuses any change of a Broker\'s spec or class'],
    ['Broker', 'games/plain', ['spec.config', CLASS], 'Knative refuses a change of a Broker\'s class or spec.config'],
    ['RabbitmqBrokerConfig', 'games/game-config-95608b64', ['spec'], 'its name carries a hash of its content, and the Broker is replaced with it'],
    ['Trigger', 'games/to-board', ['spec.broker', 'spec.filter'], 'eventing-rabbitmq refuses a change of a Trigger\'s broker or filter'],
    ['Trigger', 'games/plain-to-board', ['spec.broker'], 'Knative refuses a change of a Trigger\'s broker'],
    ['Vhost', 'games/mq-vhost-orders', VHOST, 'the topology operator refuses a change of a vhost\'s name or cluster'],
    ['Queue', 'games/mq-orders-queue-orders.created', QUEUE, 'the topology operator refuses changes of a queue but its deletion policy'],
    ['Exchange', 'games/mq-orders-exchange-orders', EXCHANGE, 'the topology operator refuses changes of an exchange'],
    ['Binding', 'games/mq-orders-binding-orders-orders.created-order.created', BINDING, 'the topology operator refuses changes of a binding'],
  ])('%s %s: replaceOnChanges %j and deleteBeforeReplace reach Pulumi (%s; the name is fixed)', async (kind, name, fields) => {
    await ready;
    const entry = marked.find((p) => p.manifest.kind === kind && p.name === name)!;
    expect(entry.manifest.metadata.name).toBeDefined();
    expect(entry.manifest.metadata.generateName).toBeUndefined();
    const [group, version] = entry.manifest.apiVersion.split('/');
    const registration = mocked.get(`kubernetes:${group}/${version}:${kind}`, `imm/${entry.name}`);
    expect([registration.replaceOnChanges, registration.deleteBeforeReplace]).toEqual([fields, true]);
  });

  test('objects without immutable fields are updated in place', async () => {
    await ready;
    const unmarked = mocked.registrations.filter((r) => r.name.startsWith('imm/') && r.custom && !marked.some((p) => `imm/${p.name}` === r.name));
    expect(unmarked.length).toBeGreaterThan(4);
    expect(unmarked.filter((r) => r.replaceOnChanges.length || r.deleteBeforeReplace)).toEqual([]);
  });
});
