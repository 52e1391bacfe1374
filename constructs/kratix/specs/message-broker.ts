/**
 * A RabbitMQ message broker offered as an API (`AmqpBroker`, platform.platform-blueprints.io/v1alpha1), built
 * directly as this library's RabbitmqCluster: restricted pods, a network policy admitting only the namespaces the
 * request names, a disruption budget when it runs several nodes, credentials in the operator's Secret.
 *
 * Directly, not through the Crossplane MessageBroker claim: the Promise already is the platform API, and a claim
 * would stack a second one under it (Crossplane, provider-kubernetes and the composition functions installed, the
 * XRD published) while offering only `size` and `highAvailability` — the replicas, storage, resources and TLS a
 * request sets here could not reach the cluster through it.
 *
 * The kind is `AmqpBroker`, not `MessageBroker`: with the Crossplane API installed too, `kubectl get messagebrokers`
 * would name two APIs of different groups; `RabbitmqCluster` and `Broker` are taken by the RabbitMQ operator and
 * Knative. AMQP is what it offers (the library's IAmqpBroker contract).
 */
import { Construct } from 'constructs';
import { PodSecurityLevel, declareNamespace } from '../../bundles/namespace';
import { AMQP_PORTS, RabbitmqCluster, RabbitmqClusterProps } from '../../rabbitmq/cluster';
import { SchemaField } from '../../crossplane/schema';
import { BundleBuildResult, BundleRequest, IBundleSpec } from '../bundle-spec';
import { DNS1123_LABEL, defined, imageField, nameField, requestSpec, resourcesField, storageClassField, storageField, toResources, toSize } from './fields';
import { requireName } from '../../core/validate';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** Most namespaces one broker admits clients from. */
export const MAX_CLIENT_NAMESPACES = 32;

/**
 * What a broker gets when the request leaves it out: one node, 10Gi, 250m CPU and 1Gi — the RabbitmqCluster
 * construct's own defaults (resources are given explicitly because the API states them).
 */
const DEFAULT_RESOURCES: kplus.ContainerResources = { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } };

function schema(): SchemaField {
  return SchemaField.object({
    namespace: nameField('Namespace the broker runs in; the bundle creates it (default: the request\'s namespace, which must exist).', { pattern: DNS1123_LABEL }),
    replicas: SchemaField.integer({ description: 'Nodes (odd: 1, 3, 5, 7 or 9); may grow, not shrink (the operator does not scale a cluster down).', minimum: 1, maximum: 9, default: 1 }),
    storage: storageField('Volume size per node (default 10Gi).'),
    storageClassName: storageClassField(),
    image: imageField('RabbitMQ image, pinned by tag or digest (default: the cluster operator\'s).'),
    resources: resourcesField('CPU and memory per node (default 250m CPU, 1Gi); the memory limit sizes RabbitMQ\'s high watermark.'),
    tls: SchemaField.object({
      secretName: SchemaField.string({ description: 'Secret (tls.crt, tls.key) in the broker\'s namespace.', required: true, minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' }),
      caSecretName: SchemaField.string({ description: 'Secret with ca.crt clients are verified against.', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' }),
      disableNonTlsListeners: SchemaField.boolean({ description: 'Serve AMQP over TLS only (5671).', default: false }),
    }, { description: 'AMQP over TLS (default: plain AMQP).' }),
    clientNamespaces: SchemaField.array(SchemaField.string({ minLength: 1, maxLength: 63, pattern: DNS1123_LABEL }), {
      description: 'Namespaces whose pods may connect over AMQP (default: the broker\'s own namespace).', maxItems: MAX_CLIENT_NAMESPACES, set: true,
    }),
  });
}

/** RabbitMQ as a self-service API (see the module comment). */
export class MessageBrokerSpec implements IBundleSpec {
  public readonly kind = 'AmqpBroker';
  public readonly group = 'platform.platform-blueprints.io';
  public readonly version = 'v1alpha1';
  public readonly plural = 'amqpbrokers';
  public readonly description = 'A RabbitMQ (AMQP 0-9-1) message broker: a hardened RabbitmqCluster reachable from the namespaces the request names.';
  public readonly schema: SchemaField = schema();
  public readonly example: { [field: string]: unknown } = {
    namespace: 'orders-messaging',
    replicas: 3,
    storage: '20Gi',
    resources: { cpu: { request: '1' }, memory: { request: '2Gi', limit: '2Gi' } },
    clientNamespaces: ['orders-messaging', 'orders'],
  };

  /** The RabbitmqCluster props a request stands for. */
  public props(request: BundleRequest): RabbitmqClusterProps {
    const s = request.spec ?? {};
    return defined({
      name: request.name,
      namespace: s.namespace ?? request.namespace,
      replicas: s.replicas,
      storage: toSize(s.storage),
      storageClassName: s.storageClassName,
      image: s.image,
      resources: toResources(s.resources) ?? DEFAULT_RESOURCES,
      tls: s.tls === undefined ? undefined : defined({ secretName: s.tls.secretName, caSecretName: s.tls.caSecretName, disableNonTlsListeners: s.tls.disableNonTlsListeners }),
    }) as RabbitmqClusterProps;
  }

  public buildBundle(scope: Construct, request: BundleRequest): BundleBuildResult {
    const s = requestSpec(scope, this, request);
    const props = this.props(request);
    if (s.namespace !== undefined) {
      // The RabbitMQ pods meet "restricted" (the cluster construct overrides the operator's StatefulSet).
      declareNamespace(scope, requireName(scope, 'namespace', s.namespace), { podSecurity: PodSecurityLevel.RESTRICTED });
    }
    const cluster = new RabbitmqCluster(scope, 'RabbitMQ', props);
    const clients: string[] = s.clientNamespaces ?? [cluster.namespace];
    clients.forEach((ns, i) => requireName(cluster, `clientNamespaces[${i}]`, ns));
    const ports = cluster.tlsOnly ? [AMQP_PORTS[1]] : cluster.tls ? AMQP_PORTS : [AMQP_PORTS[0]];
    if (clients.length) cluster.ingressPolicy.admitNamespaces(clients as string[], { ports });
    return {
      message: `AMQP broker ${cluster.namespace}/${cluster.name}: ${cluster.replicas} node${cluster.replicas === 1 ? '' : 's'} at ${cluster.amqpUrl}, `
        + `credentials in Secret ${cluster.defaultUserSecretName}`,
      outputs: {
        namespace: cluster.namespace,
        cluster: cluster.name,
        host: cluster.host,
        amqpUrl: cluster.amqpUrl,
        credentialsSecret: cluster.defaultUserSecretName,
        clientNamespaces: (clients as string[]).join(','),
      },
    };
  }
}
