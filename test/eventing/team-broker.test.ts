import { Chart, Testing } from 'cdk8s';
import { Broker, BrokerClass, ChannelBroker, CloudEventType, EventFilter, KnativeFunction, PingSource, TeamBroker } from '../../constructs';
import { findObject, synthValid, validationError } from '../support/k8s';

const SIGNUP = CloudEventType.of('dev.example.user.signup');

function build() {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
  // A channel-based shared broker: the forwards use the filters dialect.
  const shared = new ChannelBroker(chart, 'shared', { namespace: 'platform' });
  const other = new ChannelBroker(chart, 'other', { namespace: 'audit' });
  const signups = new KnativeFunction(chart, 'signups', { namespace: 'platform', image: 'ghcr.io/example/signups:1.0.0' });
  shared.addPublisher(signups, { emits: [SIGNUP] });
  new PingSource(chart, 'tick', { namespace: 'audit', schedule: '@hourly', sink: other });
  const team = new TeamBroker(chart, 'team', { team: 'growth', namespace: 'team-growth', upstream: shared, grants: [SIGNUP] });
  const fn = new KnativeFunction(chart, 'welcome', { namespace: 'team-growth', image: 'ghcr.io/growth/welcome:1.0.0' });
  return { app, chart, shared, other, team, fn };
}

describe('TeamBroker', () => {
  test('on its own: the forwards follow the upstream broker\'s class (filters dialect for a channel-based broker); the team broker is channel-based', () => {
    const { chart, team } = build();
    const objects = synthValid(chart);
    expect(findObject(objects, 'Trigger', team.forwards[0].name).spec).toEqual({
      broker: 'shared',
      filters: [{ exact: { type: 'dev.example.user.signup' } }],
      subscriber: { uri: 'http://broker-ingress.knative-eventing.svc.cluster.local/team-growth/team' },
    });
    expect(team.forwards[0].name).toMatch(/^team-growth-user-signup-[0-9a-f]{6}$/);
    expect([team.brokerClass, team.isGranted(SIGNUP), team.isGranted(CloudEventType.PING)]).toEqual([BrokerClass.CHANNEL.name, true, false]);
  });

  test('a routed subscription keeps its options: its name, its delivery merged over the team broker\'s; a second one of that name is refused by the team broker', () => {
    const { chart, shared, fn } = build();
    const sub = shared.subscribe(fn, { name: 'welcome-signups', filters: [EventFilter.type(SIGNUP)], delivery: { retry: 7 } });
    expect([sub.namespace, sub.name]).toEqual(['team-growth', 'welcome-signups']);
    expect(findObject(synthValid(chart), 'Trigger', 'welcome-signups').spec.delivery).toEqual({ retry: 7, backoffPolicy: 'exponential', backoffDelay: 'PT0.5S' });
    expect(validationError(() => shared.subscribe(fn, { name: 'welcome-signups', filters: [EventFilter.type(SIGNUP)] })).message)
      .toBe('c/team: subscribe.name ("welcome-signups") is already a subscription of this broker; give the second subscription of the same subscriber a name');
  });

  test('routing is per upstream broker: a team workload subscribed to another broker stays that broker\'s Trigger', () => {
    const { chart, other, fn } = build();
    const sub = other.subscribe(fn, { filters: [EventFilter.type(CloudEventType.PING)] });
    expect([sub.namespace, findObject(synthValid(chart), 'Trigger', sub.name).spec.subscriber]).toEqual(['audit', { uri: 'http://welcome.team-growth.svc.cluster.local' }]);
  });

  test('an imported shared broker is fed like one of this app (its forwarding Triggers are this app\'s, in its namespace)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    const external = CloudEventType.external('com.partner.order');
    const shared = Broker.fromBrokerAttributes(chart, 'shared', { name: 'default', namespace: 'platform', brokerClass: BrokerClass.RABBITMQ });
    const team = new TeamBroker(chart, 'team', { team: 'ops', namespace: 'team-ops', upstream: shared, grants: [external] });
    const trigger = findObject(synthValid(chart), 'Trigger', team.forwards[0].name);
    expect([trigger.metadata.namespace, trigger.spec.broker, trigger.spec.filter]).toEqual(['platform', 'default', { attributes: { type: 'com.partner.order' } }]);
  });
});
