/**
 * Uniqueness at synth: two objects with the same group, kind, namespace and name — or names that collide on a
 * cluster (a Knative Service and the v1 Service Knative makes for another; two bundles creating one namespace) — are
 * a ValidationError naming both constructs and the fix, on every path (cdk8s synth, Testing.synth, the plan the
 * Pulumi bridge reads). Namespaces shared on purpose say so, and one Namespace comes out.
 */
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import {
  DeploymentPlan, EventDrivenPlatform, FunctionsPlatform, KnativeFunction, PodSecurityLevel, Profile, RabbitmqCluster, RabbitmqVhost, Redis,
  TeamSpace, ValidationError, CloudEventType, IngressPolicy, ChannelBroker, SinkBinding, RabbitmqBroker, ContainerSource,
} from '../../constructs';
import { findObject, synthValid, validationError } from '../support/k8s';

/** The ValidationError a synthesis throws (Testing.synth, app.synth and the plan must all throw the same). */
function synthError(app: App, chart: Chart): ValidationError {
  const errors = [() => Testing.synth(chart), () => app.synth(), () => DeploymentPlan.of(app)].map((run) => validationError(run));
  expect(new Set(errors.map((e) => e.message)).size).toBe(1);
  return errors[0];
}

function setup() {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'games', disableResourceNameHashes: true });
  return { app, chart };
}

describe('collisions are refused at synth, naming both constructs', () => {
  test('a function named like its Redis: the v1 Service Knative would create for it is the Redis Service', () => {
    const { app, chart } = setup();
    new Redis(chart, 'cache');
    new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1', name: 'cache' });
    const e = synthError(app, chart);
    expect(e.message).toBe('c/cache/Service: metadata.name ("cache") is taken: Service games/cache is also what Knative Serving creates for Service games/cache (c/fn/Resource); ' +
      'two objects of one kind cannot share a namespace and a name on a cluster; rename one of them (the name prop of the construct that makes it)');
    expect(e.field).toBe('metadata.name');
  });

  test('two NetworkPolicies of one name (a hand-written IngressPolicy next to the store\'s own)', () => {
    const { app, chart } = setup();
    new Redis(chart, 'cache');
    new IngressPolicy(chart, 'mine', { name: 'cache-ingress', namespace: 'games', podSelector: { app: 'x' } });
    expect(synthError(app, chart).message).toBe('c/mine: metadata.name ("cache-ingress") is taken: networking.k8s.io NetworkPolicy games/cache-ingress is also made by ' +
      'c/cache/IngressPolicy; two objects of one kind cannot share a namespace and a name on a cluster; rename one of them (the name prop of the construct that makes it)');
  });

  test('a Knative Service and a v1 Service of the same name in one namespace (Knative creates a v1 Service per Knative Service)', () => {
    const { app, chart } = setup();
    new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1', name: 'api' });
    new Redis(chart, 'store', { name: 'api' });
    expect(synthError(app, chart).message).toMatch(/^c\/store\/Service: metadata.name \("api"\) is taken: Service games\/api is also what Knative Serving creates for Service games\/api \(c\/fn\/Resource\)/);
  });

  test('one function name in two charts of one namespace', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'games' });
    const b = new Chart(app, 'b', { namespace: 'games' });
    new KnativeFunction(a, 'score', { image: 'ghcr.io/example/score:1' });
    new KnativeFunction(b, 'score', { image: 'ghcr.io/example/score:2' });
    expect(synthError(app, b).message).toContain('b/score/Resource: metadata.name ("score") is taken: serving.knative.dev Service games/score is also made by a/score/Resource');
  });

  test('objects the RabbitMQ operator creates are taken too (its StatefulSet `<name>-server`)', () => {
    const { app, chart } = setup();
    new RabbitmqCluster(chart, 'mq');
    new Redis(chart, 'mq-server');
    expect(synthError(app, chart).message).toContain('c/mq-server/Resource: metadata.name ("mq-server") is taken: apps StatefulSet games/mq-server is also what RabbitMQ cluster operator creates for RabbitmqCluster games/mq (c/mq/Resource)');
  });

  test('two bundles on one namespace, and two team spaces on one namespace, without saying so', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    new FunctionsPlatform(chart, 'fp', { namespace: 'games', functions: [{ name: 'score', image: 'ghcr.io/example/score:1' }] });
    expect(validationError(() => new EventDrivenPlatform(chart, 'ep', { namespace: 'games' })).message).toBe(
      'c/ep: namespace ("games") is already created by c/fp; two constructs cannot both create it; set shareNamespace: true on the one that joins it (one Namespace then serves both)');
    new TeamSpace(chart, 'a', { team: 'a', namespace: 'shared', groups: ['a'] });
    expect(validationError(() => new TeamSpace(chart, 'b', { team: 'b', namespace: 'shared', groups: ['b'] })).message)
      .toContain('c/b: namespace ("shared") is already created by c/a');
  });

  test('a Namespace written by hand next to a bundle that creates it', () => {
    const { app, chart } = setup();
    new FunctionsPlatform(chart, 'fp', { namespace: 'games', functions: [{ name: 'score', image: 'ghcr.io/example/score:1' }] });
    const other = new Chart(app, 'other', { disableResourceNameHashes: true });
    new ApiObject(other, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'games' } });
    expect(synthError(app, other).message).toContain('create a namespace once; bundles that share one say so with shareNamespace: true');
  });

  test('a publisher added twice, and one publisher on two brokers (a workload has one K_SINK)', () => {
    const { chart } = setup();
    const events = new EventDrivenPlatform(chart, 'ep', { namespace: 'events' });
    const other = new EventDrivenPlatform(chart, 'ep2', { namespace: 'events2' });
    const fn = new KnativeFunction(chart, 'player', { image: 'ghcr.io/example/player:1' });
    const score = CloudEventType.of('dev.example.score');
    events.broker.addPublisher(fn, { emits: [score] });
    const twice = validationError(() => events.broker.addPublisher(fn, { emits: [score] }));
    expect(twice.message).toBe('c/ep/Broker: addPublisher ("games/player") already publishes to c/ep/Broker (its K_SINK, through c/ep/Broker/Publisher-games-player); ' +
      'a workload has one K_SINK: publish to one broker, and subscribe the other brokers to it (broker.subscribe(otherBroker))');
    expect(validationError(() => other.broker.addPublisher(fn, { emits: [score] })).message).toContain('c/ep2/Broker: addPublisher ("games/player") already publishes to c/ep/Broker');
  });

  test('two SinkBindings of one workload made by hand: a workload has one K_SINK', () => {
    const { chart } = setup();
    const fn = new KnativeFunction(chart, 'player', { image: 'ghcr.io/example/player:1' });
    const a = new ChannelBroker(chart, 'a');
    const b = new ChannelBroker(chart, 'b');
    new SinkBinding(chart, 'ToA', { subject: fn, sink: a });
    expect(validationError(() => new SinkBinding(chart, 'ToB', { subject: fn, sink: b })).message).toBe(
      'c/ToB: K_SINK ("player") is already given to this workload by c/ToA (sends events c/player → c/a (K_SINK)); ' +
      'a workload has one K_SINK: publish to one broker, and subscribe the other brokers to it (broker.subscribe(otherBroker))');
  });

  test('one workload through two handles (ours and an imported one of the same Knative Service) still has one K_SINK', () => {
    const { chart } = setup();
    const fn = new KnativeFunction(chart, 'player', { image: 'ghcr.io/example/player:1' });
    const same = KnativeFunction.fromFunctionAttributes(chart, 'PlayerAgain', { name: 'player', namespace: 'games' });
    new SinkBinding(chart, 'ToA', { subject: fn, sink: new ChannelBroker(chart, 'a') });
    expect(validationError(() => new SinkBinding(chart, 'ToB', { subject: same, sink: new ChannelBroker(chart, 'b') })).message)
      .toMatch(/^c\/ToB: K_SINK \("player"\) is already given to this workload by c\/ToA/);
    // Another function of the same name in another namespace is another workload.
    const elsewhere = KnativeFunction.fromFunctionAttributes(chart, 'PlayerElsewhere', { name: 'player', namespace: 'arcade' });
    expect(() => new SinkBinding(chart, 'ToC', { subject: elsewhere, sink: new ChannelBroker(chart, 'c') })).not.toThrow();
  });

  test('scope by group and kind: two Compositions of one name in two charts collide; a custom Node in two namespaces does not', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'team-a', disableResourceNameHashes: true });
    const b = new Chart(app, 'b', { namespace: 'team-b', disableResourceNameHashes: true });
    for (const chart of [a, b]) {
      new ApiObject(chart, 'node', { apiVersion: 'example.com/v1', kind: 'Node', metadata: { name: 'n1' } });
    }
    expect(() => DeploymentPlan.of(app)).not.toThrow();
    new ApiObject(a, 'comp', { apiVersion: 'apiextensions.crossplane.io/v1', kind: 'Composition', metadata: { name: 'redis' } });
    new ApiObject(b, 'comp', { apiVersion: 'apiextensions.crossplane.io/v1', kind: 'Composition', metadata: { name: 'redis' } });
    expect(validationError(() => DeploymentPlan.of(app)).message).toContain('metadata.name ("redis") is taken: apiextensions.crossplane.io Composition redis is also made by a/comp');
  });

  test('what eventing-rabbitmq and the ContainerSource controller create is taken: dead-letter dispatchers, the source\'s Deployment and SinkBinding', () => {
    const { app, chart } = setup();
    const cluster = new RabbitmqCluster(chart, 'mq');
    const dlq = new KnativeFunction(chart, 'dlq', { image: 'ghcr.io/example/dlq:1' });
    const board = new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
    const broker = new RabbitmqBroker(chart, 'game', { cluster, delivery: { deadLetterSink: dlq } });
    broker.subscribe(board, { name: 'scores', delivery: { retry: 5 } });
    new ContainerSource(chart, 'feed', { image: 'ghcr.io/example/feed:1', sink: broker, emits: [CloudEventType.of('dev.example.feed')] });
    expect(() => DeploymentPlan.of(app)).not.toThrow();
    const deployment = (name: string) => new ApiObject(chart, `d-${name}`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name } });
    // The broker's dead letters have a dispatcher of their own; the Trigger's delivery carries the broker's sink, so it has one too.
    for (const [name, creator] of [['game-dlq-dispatcher', 'Broker games/game'], ['scores-dlx-dispatcher', 'Trigger games/scores'], ['feed-deployment', 'ContainerSource games/feed']]) {
      const d = deployment(name);
      expect(synthError(app, chart).message).toContain(`metadata.name ("${name}") is taken: apps Deployment games/${name} is also what`);
      expect(synthError(app, chart).message).toContain(`what ${creator.startsWith('Container') ? 'the Knative ContainerSource controller' : 'eventing-rabbitmq'} creates for ${creator}`);
      chart.node.tryRemoveChild(d.node.id);
    }
    new ApiObject(chart, 'sb', { apiVersion: 'sources.knative.dev/v1', kind: 'SinkBinding', metadata: { name: 'feed-sinkbinding' } });
    expect(synthError(app, chart).message).toContain('metadata.name ("feed-sinkbinding") is taken: sources.knative.dev SinkBinding games/feed-sinkbinding is also what the Knative ContainerSource controller creates for ContainerSource games/feed');
  });

  test('a name only synthesis reveals (a JSON patch renaming an object) is caught on every path', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'games', disableResourceNameHashes: true });
    new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } });
    b.addJsonPatch(JsonPatch.replace('/metadata/name', 'settings'));
    new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1' }); // a library construct: the app is checked
    expect(synthError(app, chart).message).toContain('c/b: metadata.name ("settings") is taken: ConfigMap games/settings is also made by c/a');
  });

  test('a plan of one chart checks the whole app (names in other charts, subscriptions)', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'games' });
    const b = new Chart(app, 'b', { namespace: 'games' });
    new Redis(a, 'cache');
    new KnativeFunction(b, 'fn', { image: 'ghcr.io/example/fn:1', name: 'cache' });
    expect(validationError(() => DeploymentPlan.of(b)).message).toContain('metadata.name ("cache") is taken');
  });

  test('a queue or an exchange name twice in one vhost', () => {
    const { chart } = setup();
    const vhost = new RabbitmqVhost(chart, 'orders', { cluster: new RabbitmqCluster(chart, 'mq'), name: 'orders' });
    vhost.addQueue('Created', { name: 'orders.created' });
    expect(validationError(() => vhost.addQueue('Again', { name: 'orders.created' })).message)
      .toBe('c/orders/Again: name ("orders.created") is already a queue of vhost "orders" (c/orders/Created); give each queue of a vhost its own name');
    vhost.addExchange('Events', { name: 'orders' });
    expect(validationError(() => vhost.addExchange('Events2', { name: 'orders' })).message).toContain('is already a exchange of vhost "orders"');
    // A queue and an exchange may share a name (RabbitMQ keeps them apart).
    vhost.addQueue('Same', { name: 'orders' });
  });
});

describe('namespaces shared on purpose', () => {
  test('two bundles that say so: one Namespace, enforcing the less strict level its members need, one default deny', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    new FunctionsPlatform(chart, 'fp', { namespace: 'games', profile: Profile.DEV, functions: [{ name: 'score', image: 'ghcr.io/example/score:1' }], namespaceLabels: { team: 'games' } });
    new EventDrivenPlatform(chart, 'ep', { namespace: 'games', shareNamespace: true });
    const objects = synthValid(chart);
    expect(objects.filter((o) => o.kind === 'Namespace')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-ingress')).toHaveLength(1);
    expect(findObject(objects, 'Namespace', 'games').metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': PodSecurityLevel.BASELINE,
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'app.kubernetes.io/managed-by': 'platform-blueprints',
      'platform-blueprints.io/profile': 'dev',
      team: 'games',
    });
  });

  test('a team space inside a platform namespace: the team label joins the namespace, still restricted', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    new TeamSpace(chart, 'team', { team: 'analytics', namespace: 'games', groups: ['analytics'], shareNamespace: true });
    new FunctionsPlatform(chart, 'fp', { namespace: 'games', functions: [{ name: 'score', image: 'ghcr.io/example/score:1' }] });
    const ns = synthValid(chart).filter((o) => o.kind === 'Namespace');
    expect(ns).toHaveLength(1);
    expect(ns[0].metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'platform-blueprints.io/team': 'analytics', 'platform-blueprints.io/profile': 'dev' });
  });

  test('members that disagree: two profiles, one label with two values', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    new FunctionsPlatform(chart, 'fp', { namespace: 'games', functions: [{ name: 'score', image: 'ghcr.io/example/score:1' }], namespaceLabels: { tier: 'gold' } });
    expect(validationError(() => new EventDrivenPlatform(chart, 'ep', { namespace: 'games', profile: Profile.PROD, shareNamespace: true })).message)
      .toBe('c/ep: profile ("prod") differs from the dev profile of c/fp, which shares namespace games; a namespace has one profile: give both the same, or use two namespaces');
    expect(validationError(() => new EventDrivenPlatform(chart, 'ep2', { namespace: 'games', shareNamespace: true, namespaceLabels: { tier: 'silver' } })).message)
      .toBe('c/ep2: namespaceLabels.tier ("silver") differs from "gold" set by c/fp on the shared namespace games');
  });
});
