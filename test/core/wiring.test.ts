/**
 * One wiring mechanism: every verb's side effects, each asserted so that removing it from the verb (or from
 * Wiring.connect) fails a test — environment, network admission, deploy order, graph edge, catalog entry — and the
 * same verbs against objects imported from elsewhere, which apply what they can and say what they cannot.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiGateway, Broker, BrokerClass, ChannelBroker, CloudEventType, DeployHints, DeploymentPlan, EdgeKind, EventCatalog, EventFilter, Frontend,
  KeyValueStoreClaim, KnativeFunction, PingSource, PlatformDocs, PlatformGraph, RabbitmqBroker, RabbitmqCluster, RabbitmqUser, Redis, SinkBinding,
  ContainerSource, ApiServerSource, ApiServerSourceMode, Wiring, RepeatPolicy, MessageBrokerClaim, Trigger,
} from '../../constructs';
import { envOf, findObject, synthValid, validationError } from '../support/k8s';

const SCORE = CloudEventType.of('dev.example.score');

function app() {
  const a = Testing.app();
  const fns = new Chart(a, 'fns', { namespace: 'functions', disableResourceNameHashes: true });
  const events = new Chart(a, 'events', { namespace: 'events', disableResourceNameHashes: true });
  return { app: a, fns, events };
}

/** The ingress rules of a NetworkPolicy, as `namespace/selector ports` lines. */
function rules(objects: any[], policy: string): string[] {
  const spec = findObject(objects, 'NetworkPolicy', policy).spec;
  return (spec.ingress ?? []).map((r: any) => `${r.from.map((f: any) => `${f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? '.'}/${JSON.stringify(f.podSelector.matchLabels ?? {})}`).join(',')} ${(r.ports ?? []).map((p: any) => p.port).join(',')}`);
}

const edgesOf = (scope: Chart | App) => PlatformGraph.of(scope).edges.map((e) => `${e.from.node.path} ${e.kind} ${e.to.node.path}: ${e.detail}`);
const plannedDeps = (root: App, key: string) => DeploymentPlan.of(root).object(key)!.dependsOn;

describe('store.bind', () => {
  test('env (address and the password by reference), admission on the store port, the edge; the function waits for the password Secret', () => {
    const { app: a, fns } = app();
    const redis = new Redis(fns, 'cache');
    const fn = new KnativeFunction(fns, 'orders', { image: 'ghcr.io/example/orders:1' });
    redis.bind(fn);
    redis.bind(fn); // idempotent
    const objects = synthValid(fns);
    expect(envOf(findObject(objects, 'Service', 'orders', 'serving.knative.dev/v1'))).toEqual({
      REDIS_HOST: 'cache.functions.svc.cluster.local', REDIS_PORT: '6379', REDIS_ADDR: 'cache.functions.svc.cluster.local:6379',
      REDIS_PASSWORD: { secretKeyRef: { name: 'cache-auth', key: 'password' } },
    });
    expect(rules(objects, 'cache-ingress')).toEqual(['./{"serving.knative.dev/service":"orders"} 6379']);
    expect(edgesOf(a)).toEqual(['fns/orders binds fns/cache: REDIS_* (redis://cache.functions.svc.cluster.local:6379)']);
    expect(plannedDeps(a, 'serving.knative.dev/v1 Service functions/orders')).toContain('v1 Secret functions/cache-auth');
  });

  test('a RabbitMQ user binds the same way: credentials by reference, AMQP admitted, the workload after the User', () => {
    const { app: a, events } = app();
    const cluster = new RabbitmqCluster(events, 'mq');
    const user = new RabbitmqUser(events, 'worker', { cluster });
    const fn = new KnativeFunction(events, 'worker-fn', { image: 'ghcr.io/example/worker:1' });
    user.bind(fn);
    const objects = synthValid(events);
    expect(envOf(findObject(objects, 'Service', 'worker-fn', 'serving.knative.dev/v1')).AMQP_PASSWORD).toEqual({ secretKeyRef: { name: user.credentialsSecretName, key: 'password' } });
    expect(rules(objects, 'mq-rabbitmq-ingress')).toContain('./{"serving.knative.dev/service":"worker-fn"} 5672,5671');
    expect(edgesOf(a)).toEqual([`events/worker-fn binds events/mq: AMQP_* (amqp://mq.events.svc.cluster.local:5672)`]);
    // The credentials Secret is the operator's, made for the User: the function waits for the User.
    expect(plannedDeps(a, 'serving.knative.dev/v1 Service events/worker-fn')).toContain(`rabbitmq.com/v1beta1 User events/${user.objectName}`);
  });
});

describe('gateway.route and frontend.connect', () => {
  test('route: the nginx route and the edge (the function admits callers through the data plane already)', () => {
    const { app: a, fns } = app();
    const fn = new KnativeFunction(fns, 'score', { image: 'ghcr.io/example/score:1' });
    const gw = new ApiGateway(fns, 'gateway');
    gw.route('/api/score', fn);
    expect(gw.routeTable).toEqual([{ path: '/api/score', host: 'score.functions.svc.cluster.local' }]);
    expect(edgesOf(a)).toEqual(['fns/gateway routes fns/score: /api/score']);
    expect(validationError(() => gw.route('/api/score', fn)).message).toContain('route("/api/score").path ("/api/score") is already routed');
  });

  test('connect: the URL in the frontend\'s environment and the edge', () => {
    const { app: a, fns } = app();
    const fn = new KnativeFunction(fns, 'score', { image: 'ghcr.io/example/score:1' });
    const web = new Frontend(fns, 'web', { image: 'ghcr.io/example/web:1' });
    web.connect(fn);
    expect(envOf(findObject(synthValid(fns), 'Service', 'web', 'serving.knative.dev/v1')).SCORE_URL).toBe('http://score.functions.svc.cluster.local');
    expect(edgesOf(a)).toEqual(['fns/web calls fns/score: SCORE_URL']);
  });
});

describe('broker.subscribe', () => {
  function setup() {
    const s = app();
    const cluster = new RabbitmqCluster(s.events, 'mq');
    const broker = new RabbitmqBroker(s.events, 'game', { cluster });
    new PingSource(s.events, 'tick', { schedule: '* * * * *', sink: broker });
    return { ...s, cluster, broker };
  }

  test('a Trigger after its broker and subscriber, the catalog entry and the edge', () => {
    const { app: a, fns, broker } = setup();
    const fn = new KnativeFunction(fns, 'board', { image: 'ghcr.io/example/board:1' });
    const trigger = broker.subscribe(fn, { filters: [EventFilter.type(CloudEventType.PING)] });
    expect(DeployHints.referencesOf((trigger as Trigger).resource)).toEqual([broker.objectRef, fn.objectRef]);
    expect(plannedDeps(a, 'eventing.knative.dev/v1 Trigger events/game-to-board')).toEqual(expect.arrayContaining([
      'eventing.knative.dev/v1 Broker events/game', 'serving.knative.dev/v1 Service functions/board',
    ]));
    expect(EventCatalog.of(a).consumers.map((c) => [c.subscription, c.broker, c.subscriber])).toEqual([[trigger, broker, fn]]);
    expect(edgesOf(a)).toContain('events/game delivers events fns/board: type=dev.knative.sources.ping');
  });

  test('broker → broker: the subscribing broker\'s ingress admits the other broker\'s dispatchers, across namespaces', () => {
    const { app: a, fns, broker } = setup();
    const team = new ChannelBroker(fns, 'team');
    const teamMq = new RabbitmqCluster(fns, 'team-mq');
    const teamRabbit = new RabbitmqBroker(fns, 'team-rabbit', { cluster: teamMq });
    broker.subscribe(teamRabbit, { filters: [EventFilter.type(CloudEventType.PING)] });
    broker.subscribe(team, { filters: [EventFilter.type(CloudEventType.PING)] });
    const objects = [...synthValid(a.charts[0] as Chart), ...synthValid(a.charts[1] as Chart)];
    expect(rules(objects, 'team-rabbit-broker-ingress')).toEqual([
      './{"eventing.knative.dev/broker":"team-rabbit"} 8080',
      'events/{"eventing.knative.dev/broker":"game"} 8080',
    ]);
    // A channel broker's ingress runs in knative-eventing: nothing to admit, and nothing left undone.
    expect(PlatformGraph.of(a).notApplied).toEqual([]);
    expect(edgesOf(a)).toEqual(expect.arrayContaining([
      'events/game delivers events fns/team-rabbit: type=dev.knative.sources.ping', 'events/game delivers events fns/team: type=dev.knative.sources.ping',
    ]));
  });

  test('dead letters: the sink admits the broker\'s dispatchers, and the broker is created after it', () => {
    const s = app();
    const cluster = new RabbitmqCluster(s.events, 'mq');
    const dlqBroker = new RabbitmqBroker(s.events, 'dlq', { cluster });
    const broker = new RabbitmqBroker(s.events, 'game', { cluster, delivery: { deadLetterSink: dlqBroker } });
    const objects = synthValid(s.events);
    expect(rules(objects, 'dlq-broker-ingress')).toContain('./{"eventing.knative.dev/broker":"game"} 8080');
    expect(DeployHints.referencesOf(broker.resource)).toContainEqual(dlqBroker.objectRef);
    expect(edgesOf(s.app)).toContain('events/game delivers events events/dlq: dead letters (after 3 retries)');
  });
});

describe('broker.addPublisher and sources', () => {
  test('addPublisher: K_SINK through a SinkBinding after its subject and sink, the broker ingress admits the publisher, the produced type in the catalog and as an EventType', () => {
    const { app: a, fns, events } = app();
    const broker = new RabbitmqBroker(events, 'game', { cluster: new RabbitmqCluster(events, 'mq') });
    const fn = new KnativeFunction(fns, 'player', { image: 'ghcr.io/example/player:1' });
    const binding = broker.addPublisher(fn, { emits: [SCORE] });
    const objects = [...synthValid(fns), ...synthValid(events)];
    expect(findObject(objects, 'SinkBinding', 'player-to-game').spec.subject).toEqual({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'player' });
    expect(rules(objects, 'game-broker-ingress')).toContain('functions/{"serving.knative.dev/service":"player"} 8080');
    expect(DeployHints.referencesOf((binding as SinkBinding).resource)).toEqual([fn.objectRef, broker.objectRef]);
    expect(Wiring.injection(fn, 'K_SINK')?.events?.realizedBy).toBe(binding);
    expect(EventCatalog.of(a).producers.map((p) => [p.producer, p.via, p.sink, p.type.type])).toEqual([[fn, 'SinkBinding', broker, SCORE.type]]);
    expect(findObject(objects, 'EventType', 'game-dev.example.score').spec.reference.name).toBe('game');
    expect(edgesOf(a)).toContain('fns/player sends events events/game: dev.example.score');
  });

  test('sources: the adapter admitted by the sink, the source after its sink, the catalog entry and the edge', () => {
    const { app: a, events } = app();
    const broker = new RabbitmqBroker(events, 'game', { cluster: new RabbitmqCluster(events, 'mq') });
    const ping = new PingSource(events, 'tick', { schedule: '* * * * *', sink: broker });
    const watch = new ApiServerSource(events, 'watch', { resources: [{ apiVersion: 'v1', kind: 'ConfigMap' }], sink: broker, mode: ApiServerSourceMode.REFERENCE });
    const program = new ContainerSource(events, 'feed', { image: 'ghcr.io/example/feed:1', emits: [SCORE], sink: broker, env: { TOKEN: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(events, 'tok', 'feed-token'), key: 't' }) } });
    const objects = synthValid(events);
    expect(rules(objects, 'game-broker-ingress')).toEqual(expect.arrayContaining([
      'knative-eventing/{"eventing.knative.dev/source":"ping-source-controller","sources.knative.dev/role":"adapter"} 8080',
      './{"eventing.knative.dev/source":"apiserver-source-controller","eventing.knative.dev/sourceName":"watch"} 8080',
      './{"platform-blueprints.io/container-source":"feed"} 8080',
    ]));
    for (const source of [ping, watch, program]) expect(DeployHints.referencesOf(source.resource)).toContainEqual(broker.objectRef);
    // The ContainerSource declares the Secret its program reads (it is not created here: the plan lists it).
    expect(DeploymentPlan.of(a).externalReferences).toEqual([{ from: 'sources.knative.dev/v1 ContainerSource events/feed', ref: { apiVersion: 'v1', kind: 'Secret', namespace: 'events', name: 'feed-token' } }]);
    expect(EventCatalog.of(a).producers.map((p) => `${p.via} ${p.type.type}`)).toEqual([
      'PingSource dev.knative.sources.ping', 'ApiServerSource dev.knative.apiserver.ref.add', 'ApiServerSource dev.knative.apiserver.ref.update',
      'ApiServerSource dev.knative.apiserver.ref.delete', 'ContainerSource dev.example.score',
    ]);
    expect(edgesOf(a).filter((e) => e.includes(EdgeKind.SENDS_EVENTS))).toHaveLength(3);
  });
});

describe('wiring to objects made elsewhere (fromXxx)', () => {
  test('an imported broker: subscriptions and publishers work; its ingress policy is its owner\'s, and the docs say so', () => {
    const { app: a, fns } = app();
    const shared = Broker.fromBrokerAttributes(fns, 'Shared', { name: 'game', namespace: 'events', brokerClass: BrokerClass.RABBITMQ });
    const fn = new KnativeFunction(fns, 'stats', { image: 'ghcr.io/example/stats:1' });
    const publisher = new KnativeFunction(fns, 'player', { image: 'ghcr.io/example/player:1' });
    shared.addPublisher(publisher, { emits: [SCORE] });
    const trigger = shared.subscribe(fn, { filters: [EventFilter.type(SCORE)] });
    const objects = synthValid(fns);
    expect(findObject(objects, 'Trigger', 'game-to-stats').metadata.namespace).toBe('events');
    expect(findObject(objects, 'SinkBinding', 'player-to-game').spec.sink).toEqual({ uri: 'http://game-broker-ingress.events.svc.cluster.local' });
    expect(EventCatalog.of(a).consumers.map((c) => [c.subscription, c.broker])).toEqual([[trigger, shared]]);
    expect(PlatformGraph.of(a).notApplied).toEqual([
      'network: fns/Shared cannot admit functions/player — broker events/game is imported and its ingress NetworkPolicy is its owner\'s; ask them to admit functions/player on port 8080',
    ]);
    const docs = PlatformDocs.render({ title: 't', source: 's', charts: [fns] });
    expect(docs).toContain('### Not applied by the wiring');
    expect(docs).toContain('ask them to admit functions/player on port 8080');
    // Nothing of the imported broker is deployed: the Trigger's reference to it is a prerequisite.
    expect(DeploymentPlan.of(a).externalReferences.map((x) => `${x.from} → ${x.ref.kind} ${x.ref.namespace}/${x.ref.name}`)).toEqual(expect.arrayContaining([
      'eventing.knative.dev/v1 Trigger events/game-to-stats → Broker events/game',
    ]));
  });

  test('an imported RabbitMQ cluster backs a broker; the admission of the broker\'s pods is left to its owner', () => {
    const { app: a, events } = app();
    const cluster = RabbitmqCluster.fromClusterAttributes(events, 'Shared', { name: 'shared-mq', namespace: 'mq', topologyAllowedNamespaces: ['events'] });
    const broker = new RabbitmqBroker(events, 'game', { cluster });
    expect(findObject(synthValid(events), 'RabbitmqBrokerConfig', broker.config.name).spec.rabbitmqClusterReference).toEqual({ name: 'shared-mq', namespace: 'mq' });
    expect(PlatformGraph.of(a).notApplied).toEqual([
      'network: events/Shared cannot admit broker game data plane — RabbitMQ cluster mq/shared-mq is imported and its NetworkPolicy is its owner\'s; ask them to admit broker game data plane on 5672/5671',
    ]);
    const refused = RabbitmqCluster.fromClusterAttributes(events, 'Closed', { name: 'closed', namespace: 'mq' });
    expect(validationError(() => new RabbitmqBroker(events, 'other', { cluster: refused })).message)
      .toContain('events/other: namespace ("events") may not use RabbitMQ cluster mq/closed');
  });

  test('an imported Redis and an imported claim bind workloads by their Secrets; an imported function is routed to and subscribed', () => {
    const { app: a, fns, events } = app();
    const redis = Redis.fromRedisAttributes(fns, 'Cache', { name: 'cache' });
    const claimed = KeyValueStoreClaim.fromClaimAttributes(fns, 'Claimed', { name: 'sessions' });
    const fn = new KnativeFunction(fns, 'orders', { image: 'ghcr.io/example/orders:1' });
    redis.bind(fn);
    claimed.bind(fn, { envPrefix: 'SESSIONS' });
    const env = envOf(findObject(synthValid(fns), 'Service', 'orders', 'serving.knative.dev/v1'));
    expect(env.REDIS_PASSWORD).toEqual({ secretKeyRef: { name: 'cache-auth', key: 'password' } });
    expect(env.SESSIONS_HOST).toEqual({ secretKeyRef: { name: 'sessions-connection', key: 'host' } });
    expect(findObject(synthValid(fns), 'Service', 'orders', 'serving.knative.dev/v1').spec.template.metadata.labels['bind.platform-blueprints.io/sessions']).toBe('client');
    expect(PlatformGraph.of(a).notApplied).toEqual([
      'network: fns/Cache cannot admit functions/orders — Redis functions/cache is imported and its NetworkPolicy is its owner\'s; ask them to admit functions/orders on port 6379',
    ]);

    const remote = KnativeFunction.fromFunctionAttributes(events, 'Remote', { name: 'legacy', namespace: 'team-b' });
    const gw = new ApiGateway(fns, 'gateway');
    gw.route('/legacy', remote);
    const broker = new RabbitmqBroker(events, 'game', { cluster: new RabbitmqCluster(events, 'mq') });
    new PingSource(events, 'tick', { schedule: '* * * * *', sink: broker });
    broker.subscribe(remote, { filters: [EventFilter.type(CloudEventType.PING)] });
    expect(gw.routeTable).toEqual([{ path: '/legacy', host: 'legacy.team-b.svc.cluster.local' }]);
    expect(findObject(synthValid(events), 'Trigger', 'game-to-legacy').spec.subscriber).toEqual({ uri: 'http://legacy.team-b.svc.cluster.local' });
    // A function of another namespace is reached through its data plane: nothing to admit, nothing undone.
    expect(PlatformGraph.of(a).notApplied).toHaveLength(1);
  });

  test('an imported MessageBroker claim binds AMQP credentials from its connection Secret and labels the pods its policy admits', () => {
    const { app: a, fns } = app();
    const claimed = MessageBrokerClaim.fromClaimAttributes(fns, 'Orders', { name: 'orders-mq', connectionSecretName: 'orders-amqp' });
    const fn = new KnativeFunction(fns, 'worker', { image: 'ghcr.io/example/worker:1' });
    claimed.bind(fn);
    const ksvc = findObject(synthValid(fns), 'Service', 'worker', 'serving.knative.dev/v1');
    expect(envOf(ksvc)).toEqual({
      AMQP_HOST: { secretKeyRef: { name: 'orders-amqp', key: 'host' } }, AMQP_PORT: { secretKeyRef: { name: 'orders-amqp', key: 'port' } },
      AMQP_USERNAME: { secretKeyRef: { name: 'orders-amqp', key: 'username' } }, AMQP_PASSWORD: { secretKeyRef: { name: 'orders-amqp', key: 'password' } },
    });
    expect(ksvc.spec.template.metadata.labels['bind.platform-blueprints.io/orders-mq']).toBe('client');
    expect(edgesOf(a)).toEqual(['fns/worker binds fns/Orders: AMQP_* (Secret orders-amqp)']);
    // The Secret is not created here: the plan says it must exist.
    expect(DeploymentPlan.of(a).externalReferences.map((x) => x.ref.name)).toEqual(['orders-amqp']);
    // The claim exists: a name longer than creating one allows (42) is fine; one no label key can carry is not.
    expect(() => MessageBrokerClaim.fromClaimAttributes(fns, 'Long', { name: 'a'.repeat(50) })).not.toThrow();
    expect(validationError(() => MessageBrokerClaim.fromClaimAttributes(fns, 'TooLong', { name: 'a'.repeat(64) })).message)
      .toBe(`fns/TooLong: name ("${'a'.repeat(64)}") must be at most 63 characters; bound pods carry it in a label key (bind.platform-blueprints.io/<name>)`);
  });

  test('an imported broker: its name only as Kubernetes and its data plane\'s labels require; its class is required', () => {
    const { fns } = app();
    // Creating a broker allows 40 characters (its data-plane objects' names derive from it); one made elsewhere can be longer.
    const long = Broker.fromBrokerAttributes(fns, 'Long', { name: 'b'.repeat(50), namespace: 'events', brokerClass: BrokerClass.RABBITMQ });
    expect(long.dataPlane.podSelector).toEqual({ 'eventing.knative.dev/broker': 'b'.repeat(50) });
    expect(validationError(() => Broker.fromBrokerAttributes(fns, 'Dotted', { name: 'Game', namespace: 'events', brokerClass: BrokerClass.CHANNEL })).message)
      .toContain('fns/Dotted: name ("Game")');
    expect(validationError(() => Broker.fromBrokerAttributes(fns, 'NoClass', { name: 'game', namespace: 'events' } as any)).message)
      .toBe('fns: brokerClass (undefined) is required: the class decides the broker\'s address and data plane; pass BrokerClass.RABBITMQ or BrokerClass.CHANNEL');
  });

  test('a publisher needs a workload of this app to set its variable', () => {
    const { events } = app();
    const broker = new ChannelBroker(events, 'game');
    const remote = KnativeFunction.fromFunctionAttributes(events, 'Remote', { name: 'legacy' });
    expect(validationError(() => new SinkBinding(events, 'b', { subject: remote, sink: broker, envName: 'BROKER_URI' })).message)
      .toBe('events/b: envName ("BROKER_URI") needs a workload of this app, and events/legacy is imported; let the workload read K_SINK, or set the variable where it is defined');
    // Without a variable, an imported workload publishes through its SinkBinding.
    broker.addPublisher(remote, { emits: [SCORE] });
  });
});

describe('Wiring.connect itself', () => {
  test('a repeated connection is idempotent unless the verb refuses repeats; every refusal names both calls', () => {
    const { fns } = app();
    const a = new KnativeFunction(fns, 'a', { image: 'ghcr.io/example/a:1' });
    const b = new KnativeFunction(fns, 'b', { image: 'ghcr.io/example/b:1' });
    const first = Wiring.connect({ kind: EdgeKind.CALLS, from: a, to: b, detail: 'B_URL' });
    expect(Wiring.connect({ kind: EdgeKind.CALLS, from: a, to: b, detail: 'B_URL' })).toBe(first);
    expect(validationError(() => Wiring.connect({ kind: EdgeKind.CALLS, from: a, to: b, detail: 'B_URL', repeat: RepeatPolicy.REFUSE })).message)
      .toBe('fns/b: connect ("B_URL") repeats an existing connection (calls fns/a → fns/b (B_URL)); make each connection once');
  });

  test('a new kind of edge is a few lines: it gets env, admission, order and the graph like every verb', () => {
    const { app: a, fns } = app();
    const redis = new Redis(fns, 'cache');
    const job = new KnativeFunction(fns, 'job', { image: 'ghcr.io/example/job:1' });
    Wiring.connect({
      kind: EdgeKind.BINDS, from: job, to: redis, detail: 'backup',
      env: { workload: job, variables: { BACKUP_TARGET: kplus.EnvValue.fromValue(redis.host) } },
      admit: [{ into: redis, peer: job.peer }],
      order: [{ waiter: job.resource, waitsFor: redis.objectRef }],
    });
    const objects = synthValid(fns);
    expect(envOf(findObject(objects, 'Service', 'job', 'serving.knative.dev/v1')).BACKUP_TARGET).toBe('cache.functions.svc.cluster.local');
    expect(rules(objects, 'cache-ingress')).toEqual(['./{"serving.knative.dev/service":"job"} 6379']);
    expect(plannedDeps(a, 'serving.knative.dev/v1 Service functions/job')).toContain('apps/v1 StatefulSet functions/cache');
  });
});
