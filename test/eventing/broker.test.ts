import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  BackoffPolicy, ChannelBroker, CloudEventType, DeployHints, EdgeKind, EventCatalog, EventFilter, KnativeFunction, PingSource, PlatformDocs, PlatformGraph, QueueType,
  Broker, BrokerClass, RabbitmqBroker, RabbitmqCluster, Trigger,
} from '../../constructs';
import { envOf, findObject, synthValid, testChart, validationError } from '../support/k8s';

const SCORE = CloudEventType.of('dev.example.game.score', { description: 'a player scored' });

function setup() {
  const app = Testing.app();
  const events = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
  const fns = new Chart(app, 'fns', { namespace: 'functions', disableResourceNameHashes: true });
  const cluster = new RabbitmqCluster(events, 'rabbitmq');
  const dlq = new KnativeFunction(events, 'dead-letters', { image: 'ghcr.io/example/event-display:1.22.2' });
  const broker = new RabbitmqBroker(events, 'game', { cluster, delivery: { deadLetterSink: dlq, retry: 5, backoffPolicy: BackoffPolicy.LINEAR, backoffDelay: Duration.seconds(2) } });
  const player = new KnativeFunction(fns, 'player', { image: 'quay.io/ruben/cloudevents-player:1.2' });
  const board = new KnativeFunction(fns, 'board', { image: 'ghcr.io/example/board:1' });
  const local = new KnativeFunction(events, 'local', { image: 'ghcr.io/example/local:1' });
  return { app, events, fns, cluster, dlq, broker, player, board, local };
}

const synthAll = (app: ReturnType<typeof Testing.app>) => app.charts.flatMap((c) => synthValid(c));

describe('RabbitmqBroker', () => {
  const s = setup();
  s.broker.addPublisher(s.player, { emits: [SCORE], envName: 'BROKER_URI' });
  const trigger = s.broker.subscribe(s.board, { filters: [EventFilter.type(SCORE), EventFilter.exact({ source: '/games/1' })], parallelism: 8 });
  s.broker.subscribe(s.local, { name: 'everything', delivery: { timeout: Duration.seconds(10), retry: 0 } });
  const objects = synthAll(s.app);

  test('is a Knative Broker of class RabbitMQBroker, configured by a RabbitmqBrokerConfig in its namespace', () => {
    const broker = findObject(objects, 'Broker', 'game');
    expect(broker.metadata.annotations).toEqual({ 'eventing.knative.dev/broker.class': 'RabbitMQBroker' });
    expect(broker.spec.config).toEqual({ apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'RabbitmqBrokerConfig', name: s.broker.config.name, namespace: 'events' });
    expect(s.broker.config.name).toMatch(/^game-config-[0-9a-f]{8}$/);
    expect(findObject(objects, 'RabbitmqBrokerConfig', s.broker.config.name).spec).toEqual({
      rabbitmqClusterReference: { name: 'rabbitmq', namespace: 'events' }, queueType: 'quorum', vhost: '/',
    });
  });

  test('delivery: retries, backoff as ISO-8601, the dead-letter sink by reference', () => {
    expect(findObject(objects, 'Broker', 'game').spec.delivery).toEqual({
      retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT2S',
      deadLetterSink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'dead-letters' } },
    });
  });

  test('its spec, its class and its config cannot change in place: deployers replace them', () => {
    expect(DeployHints.immutableFields(s.broker.resource)).toEqual(['spec', 'metadata.annotations["eventing.knative.dev/broker.class"]']);
    expect(DeployHints.immutableFields(s.broker.config)).toEqual(['spec']);
    expect(DeployHints.readyCondition(s.broker.resource)).toBe('Ready');
  });

  test('a subscription is a Trigger with exact attributes, the subscriber by address across namespaces, and parallelism', () => {
    const t = findObject(objects, 'Trigger', 'game-to-board');
    expect(t.metadata.annotations).toEqual({ 'rabbitmq.eventing.knative.dev/parallelism': '8' });
    expect(t.spec).toEqual({
      broker: 'game',
      filter: { attributes: { type: 'dev.example.game.score', source: '/games/1' } },
      subscriber: { uri: 'http://board.functions.svc.cluster.local' },
    });
    expect(DeployHints.immutableFields((trigger as Trigger).resource)).toEqual(['spec.broker', 'spec.filter']);
  });

  test('a subscriber in the broker\'s namespace by reference; a subscription\'s own delivery refines the broker\'s', () => {
    // A Trigger's delivery replaces the Broker's whole: what the subscription leaves out is the broker's.
    expect(findObject(objects, 'Trigger', 'everything').spec).toEqual({
      broker: 'game',
      subscriber: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'local' } },
      delivery: {
        retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT2S', timeout: 'PT10S',
        deadLetterSink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'dead-letters' } },
      },
    });
  });

  test('a publisher gets K_SINK through a SinkBinding in its own namespace, and BROKER_URI when asked', () => {
    expect(findObject(objects, 'SinkBinding', 'player-to-game').spec).toEqual({
      subject: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'player' },
      sink: { uri: 'http://game-broker-ingress.events.svc.cluster.local' },
    });
    expect(findObject(objects, 'SinkBinding', 'player-to-game').metadata.namespace).toBe('functions');
    expect(envOf(findObject(objects, 'Service', 'player', 'serving.knative.dev/v1')).BROKER_URI).toBe('http://game-broker-ingress.events.svc.cluster.local');
  });

  test('emits a Knative EventType for every produced type, referencing the broker', () => {
    expect(findObject(objects, 'EventType', 'game-dev.example.game.score')).toMatchObject({
      apiVersion: 'eventing.knative.dev/v1beta3',
      metadata: { namespace: 'events' },
      spec: {
        reference: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'game', namespace: 'events' },
        description: 'a player scored',
        attributes: [{ name: 'type', value: 'dev.example.game.score', required: true }, { name: 'specversion', value: '1.0', required: true }],
      },
    });
  });

  test('network: the ingress admits its dispatchers and the publishers on 8080; RabbitMQ admits the broker\'s pods on AMQP', () => {
    const ingress = findObject(objects, 'NetworkPolicy', 'game-broker-ingress').spec;
    expect(ingress.podSelector).toEqual({ matchLabels: { 'eventing.knative.dev/broker': 'game', 'eventing.knative.dev/brokerRole': 'ingress' } });
    expect(ingress.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'eventing.knative.dev/broker': 'game' } } }], ports: [{ port: 8080, protocol: 'TCP' }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'functions' } }, podSelector: { matchLabels: { 'serving.knative.dev/service': 'player' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
    const rabbit = findObject(objects, 'NetworkPolicy', 'rabbitmq-rabbitmq-ingress').spec.ingress;
    expect(rabbit).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'eventing.knative.dev/broker': 'game' } } }],
      ports: [{ port: 5672, protocol: 'TCP' }, { port: 5671, protocol: 'TCP' }],
    });
  });

  test('records the flows in the platform graph and the event catalog', () => {
    const edges = PlatformGraph.of(s.app).edges.map((e) => `${e.from.node.path} ${e.kind} ${e.to.node.path}: ${e.detail}`);
    expect(edges).toEqual([
      'events/game delivers events events/dead-letters: dead letters (after 5 retries)',
      'events/game binds events/rabbitmq: AMQP (amqp://rabbitmq.events.svc.cluster.local:5672)',
      'fns/player sends events events/game: dev.example.game.score',
      'events/game delivers events fns/board: type=dev.example.game.score & source=/games/1',
      'events/game delivers events events/local: all events',
      'events/game delivers events events/dead-letters: dead letters of everything (after 0 retries)',
    ]);
    expect(EventCatalog.of(s.app).consumers.map((c) => c.subscription.node.path)).toEqual(['events/game/Trigger-game-to-board', 'events/game/Trigger-everything']);
    expect(EventCatalog.of(s.app).types().map((t) => t.type)).toEqual(['dev.example.game.score']);
    expect(PlatformGraph.of(s.app).edges.filter((e) => e.kind === EdgeKind.SENDS_EVENTS)).toHaveLength(1);
  });
});

describe('subscriptions and the event catalog check', () => {
  test('a subscription to a type nothing produces fails synth, naming the trigger and the type', () => {
    const s = setup();
    s.broker.subscribe(s.board, { filters: [EventFilter.type(CloudEventType.of('dev.example.nobody.sends'))] });
    const e = validationError(() => s.app.synth());
    expect(e.message).toBe('events/game/Trigger-game-to-board: filters subscribe functions/board to event type "dev.example.nobody.sends", which nothing produces into broker events/game; ' +
      'add its producer (broker.addPublisher(fn, { emits }), a source with the broker as sink) or declare the type CloudEventType.external(...) if it comes from outside the platform');
    expect(e.field).toBe('filters');
  });

  test('a producer into another broker does not count', () => {
    const s = setup();
    const other = new ChannelBroker(s.events, 'other');
    other.addPublisher(s.player, { emits: [SCORE] });
    s.broker.subscribe(s.board, { filters: [EventFilter.type(SCORE)] });
    expect(() => s.app.synth()).toThrow(/event type "dev\.example\.game\.score", which nothing produces into broker events\/game/);
  });

  test('external types need no producer here; a subscription without a type filter needs none', () => {
    const s = setup();
    s.broker.subscribe(s.board, { filters: [EventFilter.type(CloudEventType.external('com.partner.order.created'))] });
    s.broker.subscribe(s.local, { filters: [EventFilter.exact({ source: '/anywhere' })] });
    expect(() => s.app.synth()).not.toThrow();
  });
});

describe('ChannelBroker and the filters dialect', () => {
  test('renders exact, prefix, suffix, all, any, not and CESQL with Knative\'s field names', () => {
    const { chart } = testChart('events');
    const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1' });
    const broker = new ChannelBroker(chart, 'lab');
    broker.addPublisher(fn, { emits: [SCORE] });
    broker.subscribe(fn, {
      filters: [
        EventFilter.type(SCORE),
        EventFilter.exact({ source: '/games/1', subject: 'alice' }),
        EventFilter.any([EventFilter.prefix('source', '/games/'), EventFilter.suffix('subject', '-bot')]),
        EventFilter.not(EventFilter.all([EventFilter.exact({ level: '0' }), EventFilter.cesql("subject = 'test'")])),
        EventFilter.cesql("level > 3 AND source LIKE '%/games/%'"),
      ],
    });
    const objects = synthValid(chart);
    expect(findObject(objects, 'Broker', 'lab').metadata.annotations).toEqual({ 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' });
    expect(findObject(objects, 'Broker', 'lab').spec.config).toBeUndefined();
    expect(findObject(objects, 'Trigger', 'lab-to-fn').spec.filters).toEqual([
      { exact: { type: 'dev.example.game.score' } },
      { exact: { source: '/games/1' } },
      { exact: { subject: 'alice' } },
      { any: [{ prefix: { source: '/games/' } }, { suffix: { subject: '-bot' } }] },
      { not: { all: [{ exact: { level: '0' } }, { cesql: "subject = 'test'" }] } },
      { cesql: "level > 3 AND source LIKE '%/games/%'" },
    ]);
    expect(findObject(objects, 'Trigger', 'lab-to-fn').spec.filter).toBeUndefined();
    expect(broker.address).toBe('http://broker-ingress.knative-eventing.svc.cluster.local/events/lab');
    // Its data plane is not part of the event stack the Pulumi program installs: the generated docs say so.
    expect(PlatformDocs.render({ title: 't', source: 's', charts: [chart] })).toContain('Knative\'s channel-based broker and a channel implementation');
  });
});

describe('broker bad input', () => {
  const exactOnly = 'is not an exact attribute match, the only filtering a RabbitMQ broker does (RabbitMQ header bindings); ' +
    'filter by exact attributes (EventFilter.type / EventFilter.exact), or use a ChannelBroker for prefix, suffix, any, not and CESQL';
  test.each([
    ['prefix on a RabbitMQ broker', [EventFilter.prefix('source', '/x')], `filters[0] ("source prefix /x") ${exactOnly}`],
    ['CESQL on a RabbitMQ broker', [EventFilter.cesql('a = 1')], `filters[0] ("sql(a = 1)") ${exactOnly}`],
    ['contradictory exact filters', [EventFilter.exact({ source: 'a' }), EventFilter.exact({ source: 'b' })], 'filters[1] ("source=b") requires source=b while another filter requires source=a: no event can match'],
    ['a bad attribute name', [EventFilter.exact({ 'Source': 'a' })], 'filters[0].exact ("Source") is not a CloudEvents attribute name'],
    ['exact on type', [EventFilter.exact({ type: 'x' })], 'filters[0].exact ("type") filters on the event type; use EventFilter.type(CloudEventType.of(...))'],
    ['an empty type', [EventFilter.type(CloudEventType.of(''))], 'filters[0].type ("") must be a non-empty CloudEvents type'],
    ['a type with spaces', [EventFilter.type(CloudEventType.of('game score'))], 'filters[0].type ("game score") must be a non-empty CloudEvents type'],
    ['an empty any', [EventFilter.any([])], 'filters[0].any ([]) must hold at least one filter'],
    ['an unbalanced CESQL', [EventFilter.not(EventFilter.cesql("(a = 'x'"))], 'filters[0].not.cesql ("(a = \'x\'") has unbalanced quotes or parentheses'],
  ])('%s', (_case, filters, message) => {
    const s = setup();
    const broker = _case.includes('CESQL') && _case.includes('unbalanced') ? new ChannelBroker(s.events, 'lab') : s.broker;
    expect(validationError(() => broker.subscribe(s.board, { filters })).message).toContain(message);
  });

  test.each([
    ['parallelism 0', { parallelism: 0 }, 'parallelism (0) must be >= 1'],
    ['parallelism above 1000', { parallelism: 1001 }, 'parallelism (1001) must be <= 1000'],
    ['a negative retry', { delivery: { retry: -1 } }, 'delivery.retry (-1) must be >= 0'],
    ['a zero backoff delay', { delivery: { backoffDelay: Duration.millis(0) } }, 'delivery.backoffDelay ("0s") must be at least 0.1s'],
    ['a sub-second timeout', { delivery: { timeout: Duration.millis(200) } }, 'delivery.timeout ("0.2s") must be at least 1s'],
    ['an invalid trigger name', { name: 'Bad_Name' }, 'name ("Bad_Name") must be a DNS-1123 label'],
    ['a non-filter', { filters: ['type=x'] as any }, 'filters[0] ("type=x") must be an EventFilter'],
  ])('subscribe with %s', (_case, options, message) => {
    const s = setup();
    expect(validationError(() => s.broker.subscribe(s.board, options)).message).toContain(message);
  });

  test('a rejected subscription leaves the broker as it was', () => {
    const s = setup();
    expect(validationError(() => s.broker.subscribe(s.board, { parallelism: 1001 })).message).toContain('parallelism (1001) must be <= 1000');
    s.broker.subscribe(s.board, { parallelism: 10, filters: [EventFilter.type(SCORE)] });
    s.broker.addPublisher(s.player, { emits: [SCORE] });
    const triggers = synthValid(s.events).filter((o) => o.kind === 'Trigger');
    expect(triggers.map((t) => [t.metadata.name, t.metadata.annotations['rabbitmq.eventing.knative.dev/parallelism']])).toEqual([['game-to-board', '10']]);
  });

  test('the same subscriber twice needs a name; parallelism is RabbitMQ-only; a timeout is per subscription', () => {
    const s = setup();
    s.broker.subscribe(s.board);
    expect(validationError(() => s.broker.subscribe(s.board)).message)
      .toBe('events/game: subscribe.name ("game-to-board") is already a subscription of this broker; give the second subscription of the same subscriber a name');
    const lab = new ChannelBroker(s.events, 'lab');
    expect(validationError(() => lab.subscribe(s.board, { parallelism: 2 })).message).toContain('parallelism (2) is a RabbitMQ broker setting');
    expect(validationError(() => new RabbitmqBroker(s.events, 'b2', { cluster: s.cluster, delivery: { timeout: Duration.seconds(5) } })).message)
      .toContain('events/b2: delivery.timeout ("5s") is set per subscription, not on the broker');
  });

  test('broker props', () => {
    const s = setup();
    expect(validationError(() => new RabbitmqBroker(s.events, 'x', { cluster: {} as any })).message).toContain('events/x: cluster ({}) must be a RabbitMQ cluster; pass a RabbitmqCluster, or RabbitmqCluster.fromClusterAttributes(...) for one made elsewhere');
    expect(validationError(() => new RabbitmqBroker(s.events, 'y', { cluster: s.cluster, vhost: 'a b' })).message).toContain('vhost ("a b") must be 1 to 64 printable characters');
    expect(validationError(() => new RabbitmqBroker(s.events, 'z'.repeat(41), { cluster: s.cluster })).message).toContain('must be at most 40 characters');
    expect(validationError(() => s.broker.addPublisher(s.player, {} as any)).message).toContain('addPublisher.emits (undefined) must list the CloudEvent types the publisher emits');
    expect(validationError(() => s.broker.addPublisher(s.player, { emits: [], envName: 'broker-uri' })).message).toContain('addPublisher.envName ("broker-uri") is not a valid environment variable name');
  });

  test('the config\'s name follows its content, so a new queue type or vhost replaces the Broker (its spec is immutable)', () => {
    const configName = (props: { queueType?: QueueType; vhost?: string }) => {
      const { chart } = testChart('events');
      return new RabbitmqBroker(chart, 'b', { cluster: new RabbitmqCluster(chart, 'mq'), ...props }).config.name;
    };
    expect(configName({})).toBe(configName({ queueType: QueueType.QUORUM, vhost: '/' }));
    expect(new Set([configName({}), configName({ queueType: QueueType.CLASSIC }), configName({ vhost: 'games' })]).size).toBe(3);
  });

  test('a broker outside its cluster\'s namespace needs the cluster\'s permission (eventing-rabbitmq declares topology there)', () => {
    const app = Testing.app();
    const events = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
    const team = new Chart(app, 'team', { namespace: 'team-a', disableResourceNameHashes: true });
    const closed = new RabbitmqCluster(events, 'closed');
    expect(validationError(() => new RabbitmqBroker(team, 'b', { cluster: closed })).message)
      .toContain('team/b: namespace ("team-a") may not use RabbitMQ cluster events/closed: the topology operator refuses other namespaces; add "team-a" to the cluster\'s topologyAllowedNamespaces');
    const open = new RabbitmqCluster(events, 'open', { topologyAllowedNamespaces: ['team-a'] });
    const broker = new RabbitmqBroker(team, 'b2', { cluster: open });
    expect(findObject(synthValid(team), 'RabbitmqBrokerConfig', broker.config.name).spec.rabbitmqClusterReference).toEqual({ name: 'open', namespace: 'events' });
    expect(findObject(synthValid(events), 'NetworkPolicy', 'open-rabbitmq-ingress').spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } }, podSelector: { matchLabels: { 'eventing.knative.dev/broker': 'b2' } } }],
      ports: [{ port: 5672, protocol: 'TCP' }, { port: 5671, protocol: 'TCP' }],
    });
  });

  test('a cluster that closed plain AMQP cannot back a broker (eventing-rabbitmq connects on 5672)', () => {
    const { chart } = testChart('events');
    const cluster = new RabbitmqCluster(chart, 'mq', { tls: { secretName: 'mq-tls', disableNonTlsListeners: true } });
    expect(validationError(() => new RabbitmqBroker(chart, 'b', { cluster })).message)
      .toContain('cluster ("events/mq") accepts AMQP over TLS only, and eventing-rabbitmq connects on plain AMQP (5672)');
  });

  test('event types with long or unusual names give valid object names and labels', () => {
    const s = setup();
    const long = CloudEventType.of('com.mycompany.platform.orders.fulfillment.shipment.dispatched.v1');
    const odd = CloudEventType.of('com.example.-x_Y');
    s.broker.addPublisher(s.player, { emits: [long, odd] });
    const types = synthValid(s.events).filter((o) => o.kind === 'EventType');
    expect(types.map((t) => t.metadata.name)).toEqual([
      'game-com.mycompany.platform.orders.fulfillment.shipment.dispatched.v1',
      expect.stringMatching(/^game-com\.example\.x-y-[0-9a-f]{8}$/),
    ]);
    expect(types[0].metadata.labels['app.kubernetes.io/instance']).toMatch(/^game-com\.mycompany\.platform\.orders\.fulfil[a-z.]*-[0-9a-f]{8}$/);
  });

  test('an event type produced from several sources does not pin the EventType to one source', () => {
    const s = setup();
    new PingSource(s.events, 'a', { schedule: '* * * * *', sink: s.broker });
    new PingSource(s.events, 'b', { schedule: '0 * * * *', sink: s.broker });
    const type = findObject(synthValid(s.events), 'EventType', 'game-dev.knative.sources.ping');
    expect(type.spec.attributes.map((a: any) => a.name)).toEqual(['type', 'specversion']);
  });

  test('classic queues on request', () => {
    const { chart } = testChart('events');
    const cluster = new RabbitmqCluster(chart, 'mq');
    const broker = new RabbitmqBroker(chart, 'b', { cluster, queueType: QueueType.CLASSIC, vhost: 'games' });
    expect(findObject(synthValid(chart), 'RabbitmqBrokerConfig', broker.config.name).spec).toMatchObject({ queueType: 'classic', vhost: 'games' });
  });

  test('a publisher that already sets the variable is a clear error', () => {
    const s = setup();
    s.player.addEnv('BROKER_URI', kplus.EnvValue.fromValue('x'));
    expect(validationError(() => s.broker.addPublisher(s.player, { emits: [SCORE], envName: 'BROKER_URI' })).message).toContain('fns/player: env.BROKER_URI ("BROKER_URI") is already set');
  });
});

describe('wiring that loops (Knative resets its hop limit at every broker)', () => {
  function brokers() {
    const app = Testing.app();
    const events = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
    const a = new ChannelBroker(events, 'a');
    const b = new ChannelBroker(events, 'b');
    const c = new ChannelBroker(events, 'c');
    const fn = new KnativeFunction(events, 'fn', { image: 'ghcr.io/example/fn:1' });
    return { app, events, a, b, c, fn };
  }
  const ORDER = CloudEventType.external('dev.example.order');
  const REFUND = CloudEventType.external('dev.example.refund');

  test('a broker subscribed to itself, also through an imported handle of it', () => {
    const { events, a } = brokers();
    expect(validationError(() => a.subscribe(a)).message).toBe('events/a/Trigger-a-to-a: subscriber ("events/a") is the broker itself: every event it delivers would ' +
      'come back into it and be delivered again, forever; subscribe the functions that handle the events; to fan events out, subscribe another broker');
    const same = Broker.fromBrokerAttributes(events, 'same', { name: 'a', brokerClass: BrokerClass.CHANNEL });
    expect(validationError(() => a.subscribe(same, { filters: [EventFilter.type(ORDER)] })).message).toContain('subscriber ("events/a") is the broker itself');
    expect(a.node.tryFindChild('Trigger-a-to-a')).toBeUndefined();
  });

  test('dead letters that go back into the broker, or to the subscriber that just refused them', () => {
    const { events, a, fn } = brokers();
    const self = Broker.fromBrokerAttributes(events, 'self', { name: 'loopy', brokerClass: BrokerClass.CHANNEL });
    expect(validationError(() => new ChannelBroker(events, 'loopy', { delivery: { deadLetterSink: self } })).message).toBe('events/loopy: delivery.deadLetterSink ("events/loopy") ' +
      'is the broker itself: an event a subscriber refuses would be delivered to every subscription again, and dead-lettered again, forever; send dead letters to a function or another broker that keeps them');
    expect(validationError(() => a.subscribe(fn, { delivery: { deadLetterSink: a } })).message).toBe('events/a/Trigger-a-to-fn: delivery.deadLetterSink ("events/a") ' +
      'is the broker itself: an event the subscriber refuses would be delivered to every subscription again, and dead-lettered again, forever; send dead letters to a function or another broker that keeps them');
    expect(validationError(() => a.subscribe(fn, { delivery: { deadLetterSink: fn } })).message).toBe('events/a/Trigger-a-to-fn: delivery.deadLetterSink ("events/fn") ' +
      'is the subscriber itself: events it failed to take would go back to it once more, and then be lost; send dead letters to a function or broker that keeps them for inspection');
    // An imported broker's own dead letters pointing at itself reach its subscriptions too.
    const imported = Broker.fromBrokerAttributes(events, 'imported', { name: 'shared', brokerClass: BrokerClass.CHANNEL, delivery: { deadLetterSink: self } });
    expect(validationError(() => Broker.fromBrokerAttributes(events, 'loopy2', { name: 'loopy', brokerClass: BrokerClass.CHANNEL, delivery: { deadLetterSink: self } })
      .subscribe(fn, { delivery: { retry: 1 } })).message).toContain('delivery.deadLetterSink ("events/loopy") is the broker itself');
    expect(() => imported.subscribe(fn, { delivery: { retry: 1 } })).not.toThrow();
  });

  test('a cycle of broker→broker subscriptions that every event, or some event, passes', () => {
    const { a, b, c } = brokers();
    a.subscribe(b);
    b.subscribe(c, { filters: [EventFilter.type(ORDER)] });
    expect(validationError(() => c.subscribe(a)).message).toBe('events/c/Trigger-c-to-a: subscriber ("events/a") closes a loop events/c → events/a → (all events) events/b → ' +
      '(type=dev.example.order) events/c: every event would go round it forever, as Knative\'s channel-based broker drops its hop limit (knativebrokerttl) when a Trigger delivers, so the next broker counts anew; ' +
      'filter one of the subscriptions so that no event passes them all, or remove one');
    expect(validationError(() => c.subscribe(a, { filters: [EventFilter.exact({ source: '/shop' })] })).message)
      .toContain('every event with source=/shop would go round it forever');
  });

  test('a cycle no event can pass all of is allowed: contradictory exact filters, or filters beyond exact matches', () => {
    const { app, a, b, c } = brokers();
    a.subscribe(b, { filters: [EventFilter.type(ORDER)] });
    b.subscribe(a, { filters: [EventFilter.type(REFUND)] });
    b.subscribe(c);
    c.subscribe(a, { filters: [EventFilter.prefix('source', '/eu/')] });
    expect(() => app.synth()).not.toThrow();
  });

  test('dead letters into a broker that forwards them back', () => {
    const { a, b, fn } = brokers();
    b.subscribe(a);
    expect(validationError(() => a.subscribe(fn, { delivery: { deadLetterSink: b } })).message).toBe('events/a/Trigger-a-to-fn: delivery.deadLetterSink ("events/b") ' +
      'closes a loop events/a → (dead letters) events/b → (all events) events/a: an event the subscriber refuses would come back to it, fail again and go round again, ' +
      'as Knative\'s channel-based broker drops its hop limit (knativebrokerttl) when a Trigger delivers, so the next broker counts anew; send dead letters to a sink that does not forward them back to this broker');
    const { events, a: a2, b: b2 } = brokers();
    const withDeadLetters = new ChannelBroker(events, 'd', { delivery: { deadLetterSink: a2 } });
    b2.subscribe(withDeadLetters);
    expect(validationError(() => a2.subscribe(b2)).message).toContain('closes a loop events/a → events/b → (all events) events/d → (dead letters) events/a');
  });

  test('a subscription\'s dead letters are only the events its filters select: no loop unless some event passes every hop', () => {
    // a: type=order → fn, dead letters → b; b: type=refund → a. A refund never fails at a's order subscription.
    const { app, a, b, fn } = brokers();
    a.subscribe(fn, { filters: [EventFilter.type(ORDER)], delivery: { deadLetterSink: b } });
    b.subscribe(a, { filters: [EventFilter.type(REFUND)] });
    expect(() => app.synth()).not.toThrow();
    // An order that fails at a goes to b, and b sends orders back to a: a loop.
    expect(validationError(() => b.subscribe(a, { name: 'orders-back', filters: [EventFilter.type(ORDER)] })).message).toBe('events/b/Trigger-orders-back: subscriber ("events/a") ' +
      'closes a loop events/b → events/a → (dead letters of type=dev.example.order) events/b: every event with type=dev.example.order would go round it forever, ' +
      'as Knative\'s channel-based broker drops its hop limit (knativebrokerttl) when a Trigger delivers, so the next broker counts anew; ' +
      'filter one of the subscriptions so that no event passes them all, or remove one');
    // The other order: b's subscription first, then the dead letters.
    const { app: app2, a: a2, b: b2, fn: fn2 } = brokers();
    b2.subscribe(a2, { filters: [EventFilter.type(REFUND)] });
    a2.subscribe(fn2, { filters: [EventFilter.type(ORDER)], delivery: { deadLetterSink: b2 } });
    expect(() => app2.synth()).not.toThrow();
    expect(validationError(() => a2.subscribe(fn2, { name: 'refunds', filters: [EventFilter.type(REFUND)], delivery: { deadLetterSink: b2 } })).message)
      .toContain('closes a loop events/a → (dead letters) events/b → (type=dev.example.refund) events/a');
  });

  test('a loop of dead letters alone: Knative\'s channel-based broker ends it after 255 turns, with full retries each', () => {
    const { events, a, b, fn } = brokers();
    const other = new KnativeFunction(events, 'other', { image: 'ghcr.io/example/fn:1' });
    a.subscribe(fn, { delivery: { deadLetterSink: b } });
    expect(validationError(() => b.subscribe(other, { delivery: { deadLetterSink: a } })).message).toBe('events/b/Trigger-b-to-other: delivery.deadLetterSink ("events/a") ' +
      'closes a loop events/b → (dead letters) events/a → (dead letters of all events) events/b: an event the subscriber refuses would come back to it, fail again and go round again, ' +
      'as Knative\'s channel-based broker stops dead letters going round only after 255 turns (knativebrokerttl), each with its full retries; ' +
      'send dead letters to a sink that does not forward them back to this broker');
  });

  test('eventing-rabbitmq keeps no hop limit: the refusal says so', () => {
    const app = Testing.app();
    const events = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
    const cluster = new RabbitmqCluster(events, 'rabbitmq');
    const a = new RabbitmqBroker(events, 'a', { cluster });
    const b = new RabbitmqBroker(events, 'b', { cluster });
    a.subscribe(b);
    expect(validationError(() => b.subscribe(a)).message).toBe('events/b/Trigger-b-to-a: subscriber ("events/a") closes a loop events/b → events/a → (all events) events/b: ' +
      'every event would go round it forever, as eventing-rabbitmq keeps no hop limit (its dispatchers post events and replies on without knativebrokerttl); ' +
      'filter one of the subscriptions so that no event passes them all, or remove one');
    // A loop across both classes names both.
    const c = new ChannelBroker(events, 'c');
    b.subscribe(c, { filters: [EventFilter.type(ORDER)] });
    expect(validationError(() => c.subscribe(a)).message).toContain('as Knative\'s channel-based broker drops its hop limit (knativebrokerttl) when a Trigger delivers, ' +
      'so the next broker counts anew; eventing-rabbitmq keeps no hop limit');
  });
});
