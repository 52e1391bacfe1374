import { Chart, Testing } from 'cdk8s';
import { CloudEventType, EventDrivenPlatform, EventFilter, KnativeFunction, Profile, QueueType } from '../../constructs';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';

describe('EventDrivenPlatform', () => {
  test('dev: a namespace (baseline enforced, restricted audited), one RabbitMQ node, quorum queues (as in prod: the broker spec is immutable), a dead-letter function', () => {
    const { chart } = testChart(null);
    const platform = new EventDrivenPlatform(chart, 'events', { namespace: 'events' });
    const objects = synthValid(chart);
    expect(objects[0]).toEqual({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: {
        name: 'events',
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'app.kubernetes.io/managed-by': 'platform-blueprints',
          'platform-blueprints.io/profile': 'dev',
        },
      },
    });
    expect(findObject(objects, 'NetworkPolicy', 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(findObject(objects, 'RabbitmqCluster', 'rabbitmq').spec).toMatchObject({ replicas: 1, persistence: { storage: '2Gi' } });
    expect(findObject(objects, 'RabbitmqBrokerConfig', platform.broker.config.name).spec.queueType).toBe('quorum');
    expect(findObject(objects, 'Broker', 'default').spec.delivery.deadLetterSink).toEqual({ ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'dead-letters' } });
    expect(findObject(objects, 'Service', 'dead-letters', 'serving.knative.dev/v1').spec.template.spec.containers[0].image)
      .toBe('gcr.io/knative-releases/knative.dev/eventing/cmd/event_display:latest');
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(platform.broker.address).toBe('http://default-broker-ingress.events.svc.cluster.local');
  });

  test('prod: three RabbitMQ nodes with a disruption budget, quorum queues; your own dead-letter sink', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'events', { disableResourceNameHashes: true });
    const sink = new KnativeFunction(new Chart(app, 'fns', { namespace: 'ops' }), 'dlq', { image: 'ghcr.io/example/dlq:1' });
    const platform = new EventDrivenPlatform(chart, 'p', { namespace: 'events', profile: Profile.PROD, deadLetterSink: sink, broker: { name: 'orders', retry: 10 } });
    const objects = synthValid(chart);
    expect(findObject(objects, 'RabbitmqCluster', 'rabbitmq').spec).toMatchObject({ replicas: 3, persistence: { storage: '20Gi' } });
    expect(findObject(objects, 'PodDisruptionBudget', 'rabbitmq').spec.maxUnavailable).toBe(1);
    expect(findObject(objects, 'RabbitmqBrokerConfig', platform.broker.config.name).spec.queueType).toBe('quorum');
    expect(findObject(objects, 'Broker', 'orders').spec.delivery).toMatchObject({ retry: 10, deadLetterSink: { uri: 'http://dlq.ops.svc.cluster.local' } });
    expect(objects.find((o) => o.metadata.name === 'dead-letters')).toBeUndefined();
  });

  test('explicit choices win over the profile', () => {
    const { chart } = testChart(null);
    const platform = new EventDrivenPlatform(chart, 'p', {
      namespace: 'events', profile: Profile.PROD, rabbitmq: { replicas: 1 }, broker: { queueType: QueueType.CLASSIC },
      deadLetterImage: `registry.example.com/event-display@sha256:${'e'.repeat(64)}`,
    });
    const objects = synthValid(chart);
    expect(findObject(objects, 'RabbitmqCluster', 'rabbitmq').spec.replicas).toBe(1);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(findObject(objects, 'RabbitmqBrokerConfig', platform.broker.config.name).spec.queueType).toBe('classic');
  });

  test('functions of another chart subscribe and publish; the catalog check runs at synth', () => {
    const app = Testing.app();
    const platform = new EventDrivenPlatform(new Chart(app, 'events', { disableResourceNameHashes: true }), 'p', { namespace: 'events' });
    const fn = new KnativeFunction(new Chart(app, 'fns', { namespace: 'functions' }), 'fn', { image: 'ghcr.io/example/fn:1' });
    platform.broker.subscribe(fn, { filters: [EventFilter.type(CloudEventType.of('dev.example.orphan'))] });
    expect(() => app.synth()).toThrow(/event type "dev\.example\.orphan", which nothing produces into broker events\/default/);
  });

  test.each([
    [{ namespace: 'Events' }, 'test/p: namespace ("Events") must be a DNS-1123 label'],
    [{ namespace: 'events', profile: 'qa' }, 'test/p: profile ("qa") must be one of dev, prod'],
    [{ namespace: 'events', rabbitmq: { replicas: 4 } }, 'test/p/RabbitMQ: replicas (4) must be odd'],
    [{ namespace: 'events', broker: { name: 'Game' } }, 'test/p/Broker: name ("Game") must be a DNS-1035 label'],
    [{ namespace: 'events', broker: { retry: -1 } }, 'test/p/Broker: delivery.retry (-1) must be >= 0'],
  ])('rejects %j', (props, message) => {
    const { chart } = testChart(null);
    expect(validationError(() => new EventDrivenPlatform(chart, 'p', props as any)).message).toContain(message);
  });
});
