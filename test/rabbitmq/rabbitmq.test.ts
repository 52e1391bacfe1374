import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DeployHints, ExchangeType, KnativeFunction, RabbitmqCluster, RabbitmqQueueType, RabbitmqUser, RabbitmqVhost, UserTag,
} from '../../constructs';
import { envOf, findObject, synthValid, testChart, validationError } from '../support/k8s';

describe('RabbitmqCluster', () => {
  test('one node by default, restricted through the operator override, stateful for Pulumi, operators allowed to the API', () => {
    const { chart } = testChart('events');
    const cluster = new RabbitmqCluster(chart, 'rabbitmq');
    const objects = synthValid(chart);
    const spec = findObject(objects, 'RabbitmqCluster', 'rabbitmq').spec;
    expect(spec.replicas).toBe(1);
    expect(spec.resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(spec.persistence).toEqual({ storage: '10Gi' });
    const pod = spec.override.statefulSet.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    const restricted = { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    expect(pod.containers).toEqual([{ name: 'rabbitmq', securityContext: restricted }]);
    expect(pod.initContainers).toEqual([{ name: 'setup-container', securityContext: restricted }]);
    // Only the fields the operator copies from the override: the token stays (peer discovery before RabbitMQ 4.1).
    expect(Object.keys(spec.override.statefulSet.spec)).toEqual(['template']);
    expect(pod.automountServiceAccountToken).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    const ingress = findObject(objects, 'NetworkPolicy', 'rabbitmq-rabbitmq-ingress').spec.ingress;
    expect(ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'rabbitmq' } } }]);
    expect(ingress[0].ports.map((p: any) => p.port)).toEqual([4369, 25672, 35672, 35673, 35674, 35675, 35676, 35677, 35678, 35679, 35680, 35681, 35682]);
    expect(ingress[1]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'rabbitmq-system' } }, podSelector: {} }],
      ports: [{ port: 15672, protocol: 'TCP' }, { port: 15671, protocol: 'TCP' }],
    });
    expect(DeployHints.statefulReason(cluster.resource)).toBe('holds the queues of the RabbitMQ cluster');
    expect(DeployHints.readyCondition(cluster.resource)).toBe('AllReplicasReady');
    expect([cluster.defaultUserSecretName, cluster.amqpUrl]).toEqual(['rabbitmq-default-user', 'amqp://rabbitmq.events.svc.cluster.local:5672']);
  });

  test('three nodes: a disruption budget the operator documents, a soft spread across hosts; TLS', () => {
    const { chart } = testChart('events');
    const cluster = new RabbitmqCluster(chart, 'mq', {
      replicas: 3, storage: Size.gibibytes(50), storageClassName: 'fast', image: 'registry.example.com/rabbitmq:4.1.4-management', tls: { secretName: 'mq-tls', caSecretName: 'mq-ca', disableNonTlsListeners: true },
      topologyAllowedNamespaces: ['functions'],
    });
    const objects = synthValid(chart);
    const mq = findObject(objects, 'RabbitmqCluster', 'mq');
    expect(mq.metadata.annotations).toEqual({
      'rabbitmq.com/topology-allowed-namespaces': 'functions',
      // The platform policy's exemption, with its reason.
      'policy.platform-blueprints.io/exempt-pb003': 'RabbitMQ and the operator\'s setup container write their configuration and Erlang cookie under the root filesystem',
    });
    expect(mq.spec.image).toBe('registry.example.com/rabbitmq:4.1.4-management');
    expect(mq.spec.tls).toEqual({ secretName: 'mq-tls', caSecretName: 'mq-ca', disableNonTLSListeners: true });
    expect(mq.spec.persistence).toEqual({ storage: '50Gi', storageClassName: 'fast' });
    expect(mq.spec.override.statefulSet.spec.template.spec.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'mq' } },
    }]);
    expect(findObject(objects, 'PodDisruptionBudget', 'mq').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'mq' } } });
    expect(cluster.amqpUrl).toBe('amqps://mq.events.svc.cluster.local:5671');
  });

  test.each([
    [{ replicas: 2 }, 'replicas (2) must be odd'],
    [{ replicas: 0 }, 'replicas (0) must be >= 1'],
    [{ replicas: 1, highAvailability: true }, 'highAvailability (true) needs at least 3 replicas'],
    [{ resources: { cpu: { request: kplus.Cpu.millis(100) } } }, 'resources.memory.limit (undefined) is required'],
    [{ storage: Size.gibibytes(0) }, 'storage ("0Gi") must be greater than zero'],
    [{ tls: { secretName: 'Bad Secret' } }, 'tls.secretName ("Bad Secret") must be a DNS-1123 subdomain'],
    [{ topologyAllowedNamespaces: ['Bad_NS'] }, 'topologyAllowedNamespaces[0] ("Bad_NS") must be a DNS-1123 label'],
    [{ image: 'rabbitmq' }, 'image ("rabbitmq") has neither a tag nor a digest'],
  ])('rejects %j', (props, message) => {
    const { chart } = testChart('events');
    expect(validationError(() => new RabbitmqCluster(chart, 'mq', props as any)).message).toContain(message);
  });
});

describe('RabbitMQ topology', () => {
  function setup(allowed: string[] = []) {
    const { chart } = testChart('events');
    const cluster = new RabbitmqCluster(chart, 'mq', { topologyAllowedNamespaces: allowed });
    const vhost = new RabbitmqVhost(chart, 'Orders', { cluster, name: 'orders' });
    return { chart, cluster, vhost };
  }

  test('vhost, quorum queue, exchange and binding, wired by objects; deleting the objects keeps the data', () => {
    const { chart, vhost } = setup();
    const queue = vhost.addQueue('Created', { name: 'orders.created', arguments: { 'x-max-length': 10000 } });
    const exchange = vhost.addExchange('Events', { name: 'orders', type: ExchangeType.TOPIC });
    exchange.bind(queue, { routingKey: 'order.created' });
    const objects = synthValid(chart);
    expect(findObject(objects, 'Vhost', 'mq-vhost-orders').spec).toEqual({
      name: 'orders', defaultQueueType: 'quorum', deletionPolicy: 'retain', rabbitmqClusterReference: { name: 'mq' },
    });
    expect(findObject(objects, 'Queue', 'mq-orders-queue-orders.created').spec).toEqual({
      name: 'orders.created', vhost: 'orders', type: 'quorum', durable: true, autoDelete: false, arguments: { 'x-max-length': 10000 },
      deletionPolicy: 'retain', rabbitmqClusterReference: { name: 'mq' },
    });
    expect(findObject(objects, 'Exchange', 'mq-orders-exchange-orders').spec).toEqual({
      name: 'orders', vhost: 'orders', type: 'topic', durable: true, autoDelete: false, rabbitmqClusterReference: { name: 'mq' },
    });
    expect(objects.find((o) => o.kind === 'Binding').spec).toEqual({
      source: 'orders', destination: 'orders.created', destinationType: 'queue', routingKey: 'order.created', vhost: 'orders', rabbitmqClusterReference: { name: 'mq' },
    });
    // The topology operator's queue webhook (v1.20) refuses changes of these; the deletion policy changes in place.
    expect(DeployHints.immutableFields(queue.resource)).toEqual(['spec.name', 'spec.vhost', 'spec.rabbitmqClusterReference', 'spec.type', 'spec.autoDelete', 'spec.durable', 'spec.arguments']);
  });

  test('a user gets its permission by reference and its credentials reach a workload by Secret reference', () => {
    const { chart, cluster, vhost } = setup();
    const user = new RabbitmqUser(chart, 'billing', { cluster, tags: [UserTag.MONITORING] });
    user.grant(vhost, { read: '^orders\\..*', write: '^billing\\..*' });
    const fn = new KnativeFunction(chart, 'billing-fn', { image: 'ghcr.io/example/billing:1' });
    user.bind(fn);
    const objects = synthValid(chart);
    expect(findObject(objects, 'User', 'mq-user-billing').spec).toEqual({ tags: ['monitoring'], rabbitmqClusterReference: { name: 'mq' } });
    expect(findObject(objects, 'Permission', 'mq-user-billing-on-orders').spec).toEqual({
      vhost: 'orders', userReference: { name: 'mq-user-billing' },
      permissions: { configure: '', write: '^billing\\..*', read: '^orders\\..*' }, rabbitmqClusterReference: { name: 'mq' },
    });
    expect(envOf(findObject(objects, 'Service', 'billing-fn', 'serving.knative.dev/v1'))).toEqual({
      AMQP_HOST: 'mq.events.svc.cluster.local',
      AMQP_PORT: '5672',
      AMQP_USERNAME: { secretKeyRef: { name: 'mq-user-billing-user-credentials', key: 'username' } },
      AMQP_PASSWORD: { secretKeyRef: { name: 'mq-user-billing-user-credentials', key: 'password' } },
    });
    expect(findObject(objects, 'NetworkPolicy', 'mq-rabbitmq-ingress').spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'serving.knative.dev/service': 'billing-fn' } } }],
      ports: [{ port: 5672, protocol: 'TCP' }, { port: 5671, protocol: 'TCP' }],
    });
  });

  test('topology in another namespace needs the cluster\'s permission', () => {
    const { cluster } = setup();
    const { chart: other } = testChart('functions');
    expect(validationError(() => new RabbitmqVhost(other, 'V', { cluster, name: 'x', namespace: 'functions' })).message)
      .toBe('test/V: namespace ("functions") may not use RabbitMQ cluster events/mq: the topology operator refuses other namespaces; ' +
        'add "functions" to the cluster\'s topologyAllowedNamespaces (EventDrivenPlatform: amqpNamespaces)');
    const allowed = setup(['functions']).cluster;
    new RabbitmqVhost(other, 'W', { cluster: allowed, name: 'x', namespace: 'functions' });
    expect(findObject(synthValid(other), 'Vhost', 'mq-vhost-x').spec.rabbitmqClusterReference).toEqual({ name: 'mq', namespace: 'events' });
  });

  test.each([
    ['a queue name with spaces', (v: RabbitmqVhost) => v.addQueue('Q', { name: 'my queue' }), 'name ("my queue") must be 1 to 255 printable characters without spaces'],
    ['a non-x queue argument', (v: RabbitmqVhost) => v.addQueue('Q', { name: 'q', arguments: { 'max-length': 1 } }), 'arguments ("max-length") is not a queue argument'],
    ['a reserved exchange', (v: RabbitmqVhost) => v.addExchange('E', { name: 'amq.topic' }), 'name ("amq.topic") is reserved by RabbitMQ (amq.*)'],
  ])('rejects %s', (_case, make, message) => {
    const { vhost } = setup();
    expect(validationError(() => make(vhost)).message).toContain(message);
  });

  test('stream queues', () => {
    const { chart, vhost } = setup();
    vhost.addQueue('Log', { name: 'audit', type: RabbitmqQueueType.STREAM });
    expect(findObject(synthValid(chart), 'Queue', 'mq-orders-queue-audit').spec.type).toBe('stream');
  });

  test('binding across vhosts and granting a regex that does not compile are errors', () => {
    const { chart, cluster, vhost } = setup();
    const other = new RabbitmqVhost(chart, 'Other', { cluster, name: 'other' });
    const queue = other.addQueue('Q', { name: 'q' });
    expect(validationError(() => vhost.addExchange('E', { name: 'e' }).bind(queue)).message).toContain('bind ("q") is in vhost "other", the exchange in "orders"');
    const user = new RabbitmqUser(chart, 'u', { cluster });
    expect(validationError(() => user.grant(vhost, { read: '(' })).message).toContain('grant.read ("(") is not a regular expression');
  });
});
