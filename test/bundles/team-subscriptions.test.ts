/**
 * Teams own their subscriptions (TeamSpace `events`): a team broker fed from the shared broker with the granted types
 * only, the team's Triggers in its namespace, RBAC evaluated the way the API server does, the event catalog across
 * the hop, and the NetworkPolicies the new edges need.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  CloudEventType, DeploymentPlan, EventCatalog, EventDrivenPlatform, EventFilter, KnativeFunction, PingSource, PlatformGraph, TeamBroker, TeamSpace,
  ValidationError,
} from '../../constructs';
import { releasesDir } from '../support/knative-release';
import { findObject, synthValid, validationError } from '../support/k8s';

const ORDER = CloudEventType.of('dev.shop.order.placed', { description: 'an order was placed' });
const REFUND = CloudEventType.of('dev.shop.payment.refunded');
const AUDIT = CloudEventType.of('dev.shop.audit.logged');

function platform(analyticsGrants: CloudEventType[] = [ORDER]) {
  const app = Testing.app();
  const eventsChart = new Chart(app, 'events', { disableResourceNameHashes: true });
  const events = new EventDrivenPlatform(eventsChart, 'events', { namespace: 'events' });
  const shop = new KnativeFunction(eventsChart, 'Shop', { name: 'shop', namespace: 'events', image: 'ghcr.io/example/shop:1.0.0' });
  events.broker.addPublisher(shop, { emits: [ORDER, REFUND, AUDIT] });
  new PingSource(eventsChart, 'Tick', { name: 'tick', namespace: 'events', schedule: '@hourly', sink: events.broker });
  const teams = new Chart(app, 'teams', { disableResourceNameHashes: true });
  const analytics = new TeamSpace(teams, 'Analytics', { team: 'analytics', groups: ['team-analytics'], events: { broker: events.broker, grants: analyticsGrants } });
  const billing = new TeamSpace(teams, 'Billing', { team: 'billing', groups: ['team-billing'], events: { broker: events.broker, grants: [REFUND, CloudEventType.PING] } });
  const search = new TeamSpace(teams, 'Search', { team: 'search', groups: ['team-search'] });
  return { app, eventsChart, events, teams, analytics, billing, search };
}

/** Every synthesized object of the app, each chart validated strictly against the upstream schemas. */
function synthAll(app: App): any[] {
  return app.charts.flatMap((c) => synthValid(c));
}

describe('team subscriptions through a team broker', () => {
  const p = platform();
  const stats = p.analytics.addFunction('Stats', { name: 'stats', image: 'ghcr.io/analytics/stats:2.1.0' });
  const ledger = p.billing.addFunction('Ledger', { name: 'ledger', image: 'ghcr.io/billing/ledger:1.4.0' });
  const indexer = p.search.addFunction('Indexer', { name: 'indexer', image: 'ghcr.io/search/indexer:1.0.3' });
  // The calls users already write: on the shared broker.
  const statsSub = p.events.broker.subscribe(stats, { filters: [EventFilter.type(ORDER)] });
  const ledgerSub = p.events.broker.subscribe(ledger, { filters: [EventFilter.type(REFUND)] });
  const ledgerTicks = p.billing.broker!.subscribe(ledger, { name: 'ticks', filters: [EventFilter.type(CloudEventType.PING)] });
  const indexerSub = p.events.broker.subscribe(indexer, { filters: [EventFilter.type(ORDER)] });
  const objects = synthAll(p.app);
  const inNs = (ns: string) => objects.filter((o) => o.metadata.namespace === ns);
  const triggersInto = (uri: string) => objects.filter((o) => o.kind === 'Trigger' && o.spec.subscriber.uri === uri);

  test('each team broker is a channel-based Broker in the team\'s namespace: no pods, no RabbitMQ config or credentials there', () => {
    expect(findObject(inNs('team-analytics'), 'Broker', 'events').metadata.annotations).toEqual({ 'eventing.knative.dev/broker.class': 'MTChannelBasedBroker' });
    expect(p.analytics.broker).toBeInstanceOf(TeamBroker);
    for (const ns of ['team-analytics', 'team-billing']) {
      expect(inNs(ns).filter((o) => ['RabbitmqBrokerConfig', 'Secret', 'Deployment'].includes(o.kind))).toEqual([]);
    }
    // The team's namespace stays under Pod Security "restricted" (eventing-rabbitmq's pods would not run there).
    expect(findObject(objects, 'Namespace', 'team-analytics').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(p.search.broker).toBeUndefined();
  });

  test('the platform forwards exactly the granted types: one Trigger per grant, in the shared broker\'s namespace, filtered by type', () => {
    const address = p.analytics.broker!.address;
    expect(address).toBe('http://broker-ingress.knative-eventing.svc.cluster.local/team-analytics/events');
    const forwards = triggersInto(address);
    expect(forwards.map((t) => [t.metadata.namespace, t.spec.broker, t.spec.filter])).toEqual([
      ['events', 'default', { attributes: { type: 'dev.shop.order.placed' } }],
    ]);
    expect(triggersInto(p.billing.broker!.address).map((t) => t.spec.filter.attributes.type)).toEqual(['dev.shop.payment.refunded', 'dev.knative.sources.ping']);
    expect(p.billing.broker!.forwards.map((f) => f.name)).toEqual(triggersInto(p.billing.broker!.address).map((t) => t.metadata.name));
  });

  test('isolation: of every type produced into the shared broker, a team broker receives only its grants (RabbitMQ header matching of the synthesized filters)', () => {
    const produced = [...new Set(EventCatalog.of(p.app).producers.filter((x) => x.sink === p.events.broker).map((x) => x.type.type))];
    expect(produced).toEqual(expect.arrayContaining(['dev.shop.order.placed', 'dev.shop.payment.refunded', 'dev.shop.audit.logged', 'dev.knative.sources.ping']));
    // eventing-rabbitmq binds a Trigger's queue with x-match all on the filter's attributes: every one must equal.
    const passes = (trigger: any, event: { [k: string]: string }) => Object.entries(trigger.spec.filter?.attributes ?? {}).every(([k, v]) => event[k] === v);
    const received = (broker: TeamBroker) => produced.filter((type) => triggersInto(broker.address).some((t) => passes(t, { type, source: 'any' })));
    expect(received(p.analytics.broker!)).toEqual(['dev.shop.order.placed']);
    expect(received(p.billing.broker!).sort()).toEqual(['dev.knative.sources.ping', 'dev.shop.payment.refunded']);
    // Nothing else posts into a team broker: no Trigger, source or binding of the app names its address.
    expect(JSON.stringify(objects.filter((o) => o.kind !== 'Trigger'))).not.toContain('knative-eventing.svc.cluster.local/team-');
  });

  test('the obvious call routes: sharedBroker.subscribe(teamFunction) makes a Trigger in the team\'s namespace on the team\'s broker', () => {
    expect([statsSub.namespace, statsSub.name]).toEqual(['team-analytics', 'events-to-stats']);
    const trigger = findObject(inNs('team-analytics'), 'Trigger', 'events-to-stats');
    expect(trigger.spec).toEqual({
      broker: 'events',
      filters: [{ exact: { type: 'dev.shop.order.placed' } }],
      subscriber: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'stats' } },
    });
    expect([ledgerSub.namespace, ledgerTicks.namespace]).toEqual(['team-billing', 'team-billing']);
    // No Trigger in the shared namespace delivers to a team function.
    expect(inNs('events').filter((o) => o.kind === 'Trigger' && /stats|ledger/.test(JSON.stringify(o.spec.subscriber)))).toEqual([]);
  });

  test('a team without a broker keeps the platform\'s Trigger in the shared namespace (unchanged behaviour)', () => {
    expect(indexerSub.namespace).toBe('events');
    expect(findObject(inNs('events'), 'Trigger', indexerSub.name).spec.subscriber).toEqual({ uri: 'http://indexer.team-search.svc.cluster.local' });
  });

  test('the catalog stays whole across the hop: each team subscription\'s type reaches its team broker, listed in both Triggers', () => {
    const catalog = EventCatalog.of(p.app);
    const teamConsumers = catalog.consumers.filter((c) => c.broker instanceof TeamBroker);
    expect(teamConsumers.map((c) => `${c.broker.namespace}:${c.subscription.node.id}`)).toEqual([
      'team-analytics:Trigger-events-to-stats', 'team-billing:Trigger-events-to-ledger', 'team-billing:Trigger-ticks',
    ]);
    for (const c of teamConsumers) expect(catalog.unproducedTypes(c)).toEqual([]);
    const md = catalog.renderMarkdown('Catalog');
    expect(md).toContain('| team-analytics/events-to-stats | team-analytics/events | type=dev.shop.order.placed | team-analytics/stats |');
    expect(md).toMatch(/\| events\/team-analytics-order-placed-[0-9a-f]{6} \| events\/default \| type=dev\.shop\.order\.placed \| team-analytics\/events \|/);
    const svg = catalog.renderSvg('flows');
    expect(svg).toContain('>brokers fed by brokers</text>');
    expect(svg).toContain('>team-analytics/events</text>');
  });

  test('network: the new edges need no rule in the isolated namespaces — the team broker\'s ingress and filter run in knative-eventing; the team function admits only the Knative data plane', () => {
    const graph = PlatformGraph.of(p.app);
    const forward = graph.edges.find((e) => e.from === p.events.broker && e.to === p.analytics.broker);
    const deliver = graph.edges.find((e) => e.from === p.analytics.broker && e.to === stats);
    expect([forward?.kind, forward?.notApplied, deliver?.kind, deliver?.notApplied]).toEqual(['delivers events', [], 'delivers events', []]);
    // The team's namespace admits nothing from the events namespace or knative-eventing: its functions are reached through the data plane.
    const peers = inNs('team-analytics').filter((o) => o.kind === 'NetworkPolicy').flatMap((np) => (np.spec.ingress ?? []).flatMap((r: any) => r.from ?? []));
    expect(peers.map((x: any) => x.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']).sort()).toEqual(['knative-serving', 'kourier-system']);
  });

  test('network, against the real mt-channel-broker.yaml: the team broker\'s delivering pods are knative-eventing\'s broker filter, which the shared broker\'s ingress does not admit (a Trigger a team writes by hand cannot post events back: no bounce)', () => {
    const release = parseAllDocuments(fs.readFileSync(path.join(releasesDir(), 'knative-eventing/v1.22.2/5-mt-channel-broker.yaml'), 'utf8')).map((d) => d.toJSON()).filter(Boolean);
    const podsOf = (name: string) => {
      const d = release.find((o: any) => o.kind === 'Deployment' && o.metadata.name === name);
      return { namespace: d.metadata.namespace, labels: d.spec.template.metadata.labels };
    };
    const filter = podsOf('mt-broker-filter');
    const ingressPods = podsOf('mt-broker-ingress');
    // The library's description of the team broker's data plane selects the real filter pods.
    const plane = p.analytics.broker!.dataPlane;
    expect([plane.namespace, Object.entries(plane.podSelector).every(([k, v]) => filter.labels[k] === v)]).toEqual([filter.namespace, true]);
    // Its address is the real ingress Service of knative-eventing.
    expect(release.some((o: any) => o.kind === 'Service' && o.metadata.name === 'broker-ingress' && o.metadata.namespace === 'knative-eventing')).toBe(true);
    const sharedIngressPod = { namespace: 'events', labels: { 'eventing.knative.dev/broker': 'default', 'eventing.knative.dev/brokerRole': 'ingress' } };
    expect([admits(objects, filter, sharedIngressPod, 8080), admits(objects, ingressPods, sharedIngressPod, 8080)]).toEqual([false, false]);
    // The shared broker's own dispatchers still reach it (replies), and the real evaluator says so.
    expect(admits(objects, { namespace: 'events', labels: { 'eventing.knative.dev/broker': 'default', 'eventing.knative.dev/brokerRole': 'dispatcher' } }, sharedIngressPod, 8080)).toBe(true);
  });

  test('deploy order: the forward waits for the team broker; the team\'s Trigger for its broker and its function', () => {
    const plan = DeploymentPlan.of(p.app);
    const key = (apiVersion: string, kind: string, namespace: string, name: string) => DeploymentPlan.objectKey(apiVersion, kind, name, namespace);
    const teamBroker = key('eventing.knative.dev/v1', 'Broker', 'team-analytics', 'events');
    expect(plan.object(key('eventing.knative.dev/v1', 'Trigger', 'events', p.analytics.broker!.forwards[0].name))!.dependsOn).toContain(teamBroker);
    expect(plan.object(key('eventing.knative.dev/v1', 'Trigger', 'team-analytics', 'events-to-stats'))!.dependsOn)
      .toEqual(expect.arrayContaining([teamBroker, key('serving.knative.dev/v1', 'Service', 'team-analytics', 'stats')]));
  });
});

/**
 * Whether the NetworkPolicies let a pod (`from`) reach a pod (`to`) on a port, as Kubernetes reads them: the policies
 * selecting `to` (none: all traffic allowed); a peer without namespaceSelector is the policy's namespace; a missing
 * podSelector, or one with no labels, selects every pod; namespaces carry their `kubernetes.io/metadata.name` label.
 */
function admits(objects: any[], from: { namespace: string; labels: { [k: string]: string } }, to: { namespace: string; labels: { [k: string]: string } }, port: number): boolean {
  const matches = (selector: any, labels: { [k: string]: string }) => {
    if (selector?.matchExpressions?.length) throw new Error('matchExpressions are not evaluated here');
    return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  };
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === to.namespace && matches(o.spec.podSelector, to.labels) &&
    (o.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
  if (policies.length === 0) return true;
  return policies.some((np) => (np.spec.ingress ?? []).some((rule: any) =>
    (rule.ports === undefined || rule.ports.some((x: any) => x.port === port)) &&
    (rule.from === undefined || rule.from.some((peer: any) =>
      (peer.namespaceSelector ? matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': from.namespace }) : from.namespace === np.metadata.namespace) &&
      (peer.podSelector === undefined || matches(peer.podSelector, from.labels))))));
}

/**
 * Whether the API server's RBAC authorizer lets a member of `group` do `verb` on `resource` (group/resource) in
 * `namespace`, given every Role, ClusterRole and binding of the app: Kubernetes' rules (pkg/apis/rbac/v1
 * evaluation_helpers.go) — a RoleBinding grants its role's rules in its own namespace only, a ClusterRoleBinding
 * everywhere; `*` matches any verb, group or resource; `resource/*` any subresource; an empty resourceNames any name.
 */
function rbacAllows(objects: any[], request: { group: string; verb: string; apiGroup: string; resource: string; namespace?: string; name?: string }): boolean {
  const groups = [request.group, 'system:authenticated'];
  const [resource, sub] = request.resource.split('/');
  const ruleAllows = (rule: any) => {
    const verbs: string[] = rule.verbs ?? [];
    const apiGroups: string[] = rule.apiGroups ?? [];
    const resources: string[] = rule.resources ?? [];
    const names: string[] = rule.resourceNames ?? [];
    const resourceMatch = resources.some((r) => r === '*' || r === request.resource || (sub !== undefined && (r === `${resource}/*` || r === `*/${sub}`)));
    return (verbs.includes('*') || verbs.includes(request.verb)) && (apiGroups.includes('*') || apiGroups.includes(request.apiGroup)) && resourceMatch &&
      (names.length === 0 || (request.name !== undefined && names.includes(request.name)));
  };
  const subjectMatches = (b: any) => (b.subjects ?? []).some((s: any) => s.kind === 'Group' && groups.includes(s.name));
  const roleOf = (b: any) => objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name && (b.roleRef.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace));
  return objects.some((b) => {
    if (!subjectMatches(b)) return false;
    if (b.kind === 'RoleBinding' && request.namespace !== b.metadata.namespace) return false;
    if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') return false;
    return (roleOf(b)?.rules ?? []).some(ruleAllows);
  });
}

describe('team RBAC, evaluated like the API server', () => {
  const p = platform();
  p.events.broker.subscribe(p.analytics.addFunction('Stats', { name: 'stats', image: 'ghcr.io/analytics/stats:2.1.0' }), { filters: [EventFilter.type(ORDER)] });
  const objects = synthAll(p.app);
  const can = (verb: string, resource: string, namespace?: string, apiGroup = 'eventing.knative.dev') => rbacAllows(objects, { group: 'team-analytics', verb, apiGroup, resource, namespace });
  const WRITE = ['create', 'update', 'patch', 'delete'];

  test('the evaluator itself: wildcards, subresources and namespaces as Kubernetes reads them', () => {
    const role = { kind: 'Role', metadata: { name: 'r', namespace: 'a' }, rules: [{ apiGroups: ['*'], resources: ['pods/*'], verbs: ['get'] }, { apiGroups: [''], resources: ['secrets'], verbs: ['*'], resourceNames: ['one'] }] };
    const binding = { kind: 'RoleBinding', metadata: { name: 'b', namespace: 'a' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'Group', name: 'g' }] };
    const ask = (verb: string, resource: string, namespace: string, name?: string) => rbacAllows([role, binding], { group: 'g', verb, apiGroup: '', resource, namespace, name });
    expect([ask('get', 'pods/log', 'a'), ask('get', 'pods', 'a'), ask('get', 'pods/log', 'b'), ask('delete', 'secrets', 'a', 'one'), ask('delete', 'secrets', 'a', 'two')])
      .toEqual([true, false, false, true, false]);
  });

  test('the team creates, updates and deletes Triggers in its own namespace, and reads its Broker and EventTypes', () => {
    for (const verb of ['get', 'list', 'watch', ...WRITE]) expect([verb, can(verb, 'triggers', 'team-analytics')]).toEqual([verb, true]);
    for (const verb of ['get', 'list', 'watch']) expect([can(verb, 'brokers', 'team-analytics'), can(verb, 'eventtypes', 'team-analytics')]).toEqual([true, true]);
  });

  test('it cannot change its Broker (a Broker of another class or config could widen its grants) nor make another', () => {
    for (const verb of WRITE) expect([verb, can(verb, 'brokers', 'team-analytics')]).toEqual([verb, false]);
    expect(can('create', 'rabbitmqbrokerconfigs', 'team-analytics')).toBe(false);
  });

  test('it touches nothing in the shared broker\'s namespace (where the forwarding Triggers enforce the grants), another team\'s, or cluster-wide', () => {
    for (const ns of ['events', 'team-billing', 'team-search', 'default']) {
      for (const verb of ['get', ...WRITE]) expect([ns, verb, can(verb, 'triggers', ns), can(verb, 'brokers', ns)]).toEqual([ns, verb, false, false]);
    }
    for (const verb of ['get', 'list', ...WRITE]) expect([verb, can(verb, 'triggers', undefined)]).toEqual([verb, false]);
    expect(objects.filter((o) => o.kind === 'ClusterRoleBinding' && JSON.stringify(o.subjects).includes('team-'))).toEqual([]);
  });

  test('a team without a broker gets no Trigger rights at all', () => {
    expect(rbacAllows(objects, { group: 'team-search', verb: 'create', apiGroup: 'eventing.knative.dev', resource: 'triggers', namespace: 'team-search' })).toBe(false);
  });
});

describe('team subscriptions: refusals', () => {
  test('subscribing a team function to a type the team was not granted names the team, the type and the fix', () => {
    const p = platform();
    const stats = p.analytics.addFunction('Stats', { name: 'stats', image: 'ghcr.io/analytics/stats:2.1.0' });
    const e = validationError(() => p.events.broker.subscribe(stats, { filters: [EventFilter.type(REFUND)] }));
    expect(e.message).toBe('events/events/Broker: subscribe(team-analytics/stats).filters[0] ("dev.shop.payment.refunded") is not granted to team analytics: ' +
      'the team\'s workloads receive the events of events/default through the team\'s broker team-analytics/events, which is fed only the granted types ' +
      '(dev.shop.order.placed); grant it to the team (TeamSpace events.grants), or subscribe to a granted type');
    // Nothing was left behind: the refused subscription made no Trigger.
    expect(synthAll(p.app).filter((o) => o.kind === 'Trigger' && o.metadata.namespace === 'team-analytics')).toEqual([]);
  });

  test('a team Trigger on its own broker for a type neither granted nor published there fails at synth with the grant as the fix; one the team publishes itself is fine', () => {
    const p = platform();
    const stats = p.analytics.addFunction('Stats', { name: 'stats', image: 'ghcr.io/analytics/stats:2.1.0' });
    p.analytics.broker!.subscribe(stats, { filters: [EventFilter.type(AUDIT)] });
    expect(() => Testing.synth(p.teams)).toThrow(ValidationError);
    expect(() => Testing.synth(p.teams)).toThrow('team-analytics/stats to event type "dev.shop.audit.logged", which nothing produces into broker team-analytics/events; ' +
      'the type is not granted to team analytics: grant it (TeamSpace events.grants) so the platform forwards it from events/default, or publish it into the team\'s broker (team.broker.addPublisher(fn, { emits }))');

    const q = platform();
    const own = CloudEventType.of('dev.analytics.report.ready');
    const report = q.analytics.addFunction('Report', { name: 'report', image: 'ghcr.io/analytics/report:1.0.0' });
    q.analytics.broker!.addPublisher(report, { emits: [own] });
    q.analytics.broker!.subscribe(q.analytics.addFunction('Mail', { name: 'mail', image: 'ghcr.io/analytics/mail:1.0.0' }), { filters: [EventFilter.type(own)] });
    expect(synthAll(q.app).filter((o) => o.kind === 'Trigger' && o.metadata.namespace === 'team-analytics').map((o) => o.metadata.name)).toEqual(['events-to-mail']);
  });

  test('granting a type nothing produces into the shared broker fails the catalog check on the platform\'s forward', () => {
    const ghost = CloudEventType.of('dev.shop.ghost');
    const p = platform([ORDER, ghost]);
    expect(() => Testing.synth(p.eventsChart)).toThrow(/Trigger-team-analytics-shop-ghost-[0-9a-f]{6}: filters subscribe team-analytics\/events to event type "dev\.shop\.ghost", which nothing produces into broker events\/default; add its producer \(broker\.addPublisher/);
  });

  test('the forward does not bounce: subscribing the shared broker to a team broker is a loop, refused', () => {
    const p = platform();
    const e = validationError(() => p.analytics.broker!.subscribe(p.events.broker, { name: 'back' }));
    expect(e.message).toMatch(/^teams\/Analytics\/Broker\/Trigger-back: subscriber \("events\/default"\) closes a loop team-analytics\/events → events\/default → \(type=dev\.shop\.order\.placed\) team-analytics\/events: every event would go round it forever/);
  });

  test.each([
    ['no grants', { grants: [] }, 'teams/X/Broker: grants ([]) must grant the team at least one event type; e.g. grants: [CloudEventType.of("dev.example.order.placed")]'],
    ['a type granted twice', { grants: [ORDER, ORDER] }, 'teams/X/Broker: grants[1] ("dev.shop.order.placed") is granted twice; grant each type once'],
    ['a string for a type', { grants: ['dev.shop.order.placed'] }, 'teams/X/Broker: grants[0] ("dev.shop.order.placed") must be a CloudEventType; use CloudEventType.of("dev.example.thing.happened")'],
    ['a function for the broker', { broker: 'fn' }, 'teams/X/Broker: upstream (KnativeFunction events/Shop) must be a broker; pass the platform\'s shared broker (EventDrivenPlatform.broker)'],
  ])('bad input: %s', (_what, change, message) => {
    const p = platform();
    const shop = p.eventsChart.node.findChild('Shop');
    const events: any = { broker: p.events.broker, grants: [ORDER], ...change };
    if (events.broker === 'fn') events.broker = shop;
    expect(validationError(() => new TeamSpace(p.teams, 'X', { team: 'x', groups: ['team-x'], events })).message).toBe(message);
  });

  test('bad input: a shared broker in the team\'s own namespace', () => {
    const p = platform();
    expect(validationError(() => new TeamSpace(p.teams, 'X', { team: 'x', namespace: 'events', shareNamespace: true, groups: ['g'], events: { broker: p.events.broker, grants: [ORDER] } })).message)
      .toBe('teams/X/Broker: upstream ("events/default") lives in the team\'s namespace (events): the team\'s Triggers on it would already be the team\'s, and no grant could hold; ' +
        'give the team a namespace of its own, or subscribe to that broker directly');
  });

  test('bad input: events that is not an object', () => {
    const p = platform();
    expect(validationError(() => new TeamSpace(p.teams, 'X', { team: 'x', groups: ['g'], events: 'events' as any })).message)
      .toBe('teams/X: events ("events") must be an object; e.g. { broker: events.broker, grants: [ORDER_PLACED] }');
  });
});
