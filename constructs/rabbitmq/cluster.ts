import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { PlatformPolicy, PolicyRuleId } from '../policy/policy';
import { Admission, AdmitOptions, IRabbitmqCluster, ObjectRef, PodPeer } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { invalid } from '../core/errors';
import { recommendedLabels } from '../core/labels';
import { IngressPolicy } from '../core/network';
import { requirePositiveQuantity, resourcesToKube, toQuantities } from '../core/quantity';
import { NameFormat, NamespacedResource, ResourceProps, WorkloadResource } from '../core/resource';
import { requireImage, requireInteger, requireName } from '../core/validate';
import {
  RabbitmqCluster as RabbitmqClusterL1,
  RabbitmqClusterSpecPersistenceStorage,
  RabbitmqClusterSpecResourcesLimits,
  RabbitmqClusterSpecResourcesRequests,
} from '../imports/rabbitmq.com';

/** AMQP 0-9-1 over TLS and plain, as the broker data plane and AMQP clients use them. */
export const AMQP_PORTS = [5672, 5671];
const MANAGEMENT_PORTS = [15672, 15671];
/** Erlang distribution (epmd, inter-node) and the CLI tools' range. */
const INTER_NODE_PORTS = [4369, 25672, ...Array.from({ length: 11 }, (_, i) => 35672 + i)];

export interface RabbitmqTlsOptions {
  /** Secret with `tls.crt` and `tls.key` for the server. */
  readonly secretName: string;
  /** Secret with `ca.crt` clients are verified against. @default - no client verification */
  readonly caSecretName?: string;
  /** Serve AMQP over TLS only (5671), closing 5672. @default false */
  readonly disableNonTlsListeners?: boolean;
}

export interface RabbitmqClusterProps {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * Nodes of the cluster; odd, so a quorum survives a node loss.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Resources of each node (the operator's default is 1 CPU and 2Gi).
   * @default - cpu request 250m; memory request and limit 1Gi
   */
  readonly resources?: kplus.ContainerResources;
  /** @default Size.gibibytes(10) */
  readonly storage?: Size;
  /**
   * RabbitMQ server image, pinned by tag or digest (e.g. from a private registry).
   * @default - the cluster operator's default image for its release
   */
  readonly image?: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default - plain AMQP */
  readonly tls?: RabbitmqTlsOptions;
  /**
   * A PodDisruptionBudget (`maxUnavailable: 1`, the operator's production guidance) and a soft spread of the nodes
   * across hosts. Only meaningful with more than one replica.
   * @default - true when replicas > 1
   */
  readonly highAvailability?: boolean;
  /**
   * Namespaces whose topology objects (queues, exchanges, ... of the messaging topology operator) may use this
   * cluster (annotation `rabbitmq.com/topology-allowed-namespaces`).
   * @default - the cluster's own namespace only
   */
  readonly topologyAllowedNamespaces?: string[];
  /** Namespace of the RabbitMQ operators, allowed to the management API. @default 'rabbitmq-system' */
  readonly operatorNamespace?: string;
}

/** A RabbitMQ cluster created elsewhere (another app, another team), run by the RabbitMQ cluster operator. */
export interface RabbitmqClusterAttributes {
  /** Name of the RabbitmqCluster. */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** Serves AMQP over TLS (5671). @default false */
  readonly tls?: boolean;
  /** Plain AMQP (5672) is closed. @default false */
  readonly tlsOnly?: boolean;
  /** Namespaces besides its own whose topology objects may use it. @default - its own namespace only */
  readonly topologyAllowedNamespaces?: string[];
}

const RABBITMQ_API_VERSION = 'rabbitmq.com/v1beta1';


/** Whether something is a RabbitMQ cluster (ours or imported), by its shape. */
export function isRabbitmqCluster(x: unknown): x is IRabbitmqCluster {
  const c = x as Partial<IRabbitmqCluster> | undefined;
  return typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.namespace === 'string' && typeof c.amqpUrl === 'string'
    && Array.isArray(c.topologyAllowedNamespaces) && typeof c.admit === 'function';
}

/** How an object the topology operator reconciles names its RabbitMQ cluster (`rabbitmqClusterReference`). */
export interface RabbitmqClusterReference {
  readonly name: string;
  /** @default - the object's own namespace */
  readonly namespace?: string;
}

/**
 * The cluster reference for an object in `namespace` that the topology operator reconciles (eventing-rabbitmq's
 * queues and exchanges, the topology constructs): across namespaces only where the cluster allows it.
 */
export function clusterReferenceFrom(cluster: IRabbitmqCluster, scope: IConstruct, field: string, namespace: string): RabbitmqClusterReference {
  if (namespace === cluster.namespace) return { name: cluster.name };
  if (!cluster.topologyAllowedNamespaces.includes(namespace)) {
    invalid(scope, field, namespace, `may not use RabbitMQ cluster ${cluster.namespace}/${cluster.name}: the topology operator refuses other namespaces`,
      `add "${namespace}" to the cluster's topologyAllowedNamespaces (EventDrivenPlatform: amqpNamespaces)`);
  }
  return { name: cluster.name, namespace: cluster.namespace };
}

function amqpUrlOf(host: string, tls: boolean): string {
  return `amqp${tls ? 's' : ''}://${host}:${tls ? 5671 : 5672}`;
}

class ImportedRabbitmqCluster extends NamespacedResource implements IRabbitmqCluster {
  public readonly host: string;
  public readonly tls: boolean;
  public readonly tlsOnly: boolean;
  public readonly topologyAllowedNamespaces: string[];
  public readonly objectRef: ObjectRef;

  public constructor(scope: Construct, id: string, attrs: RabbitmqClusterAttributes) {
    super(scope, id, { name: attrs?.name, namespace: attrs?.namespace }, { format: NameFormat.DNS1035_LABEL });
    this.host = this.serviceHost();
    this.tlsOnly = attrs.tlsOnly === true;
    this.tls = attrs.tls === true || this.tlsOnly;
    (attrs.topologyAllowedNamespaces ?? []).forEach((ns, i) => requireName(this, `topologyAllowedNamespaces[${i}]`, ns));
    this.topologyAllowedNamespaces = [...attrs.topologyAllowedNamespaces ?? []];
    this.objectRef = { apiVersion: RABBITMQ_API_VERSION, kind: 'RabbitmqCluster', namespace: this.namespace, name: this.name };
  }

  public get amqpUrl(): string {
    return amqpUrlOf(this.host, this.tls);
  }

  public admit(peer: PodPeer, _options?: AdmitOptions): Admission {
    return Admission.notPossible(`RabbitMQ cluster ${this.namespace}/${this.name} is imported and its NetworkPolicy is its owner's; ` +
      `ask them to admit ${peer.description} on ${AMQP_PORTS.join('/')}`);
  }
}

const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(250) },
  memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
};

/**
 * A RabbitMQ cluster run by the RabbitMQ cluster operator, hardened to Pod Security "restricted" through the
 * operator's StatefulSet override, its volumes retained, and its pods reachable only by the clients the wiring
 * admits (brokers, AMQP services), the operators (management API) and its own nodes. Credentials stay in the
 * operator-managed Secret `<name>-default-user`; nothing secret is synthesized.
 */
export class RabbitmqCluster extends WorkloadResource implements IRabbitmqCluster {
  /** A RabbitMQ cluster created elsewhere, for brokers and topology objects to use (its NetworkPolicy stays its owner's). */
  public static fromClusterAttributes(scope: Construct, id: string, attrs: RabbitmqClusterAttributes): IRabbitmqCluster {
    return new ImportedRabbitmqCluster(scope, id, attrs);
  }

  /** In-cluster host of the AMQP Service. */
  public readonly host: string;
  public readonly replicas: number;
  public readonly tls: boolean;
  /** AMQP on 5672 is closed (`tls.disableNonTlsListeners`). */
  public readonly tlsOnly: boolean;
  /** Secret the operator creates with the default user's credentials (`username`, `password`, `host`, `port`). */
  public readonly defaultUserSecretName: string;
  public readonly podSelector: { [key: string]: string };
  /** Namespaces besides its own whose topology objects may use the cluster. */
  public readonly topologyAllowedNamespaces: string[];
  public readonly resource: RabbitmqClusterL1;
  public readonly objectRef: ObjectRef;
  public readonly ingressPolicy: IngressPolicy;

  public constructor(scope: Construct, id: string, props: RabbitmqClusterProps = {}) {
    super(scope, id, props as ResourceProps, { format: NameFormat.DNS1035_LABEL, maxLength: 42, maxLengthReason: 'the operator derives longer names from it' });
    this.host = this.serviceHost();
    this.objectRef = { apiVersion: RABBITMQ_API_VERSION, kind: 'RabbitmqCluster', namespace: this.namespace, name: this.name };
    this.replicas = requireInteger(this, 'replicas', props.replicas ?? 1, { min: 1, max: 9 });
    if (this.replicas % 2 === 0) invalid(this, 'replicas', this.replicas, 'must be odd', 'a quorum of an even number of nodes tolerates no more failures than one node fewer');
    const storage = (props.storage ?? Size.gibibytes(10)).asString();
    requirePositiveQuantity(this, 'storage', storage);
    if (props.storageClassName !== undefined) requireName(this, 'storageClassName', props.storageClassName, 'dns1123-subdomain');
    if (props.image !== undefined) requireImage(this, 'image', props.image);
    const resources = resourcesToKube(this, 'resources', props.resources ?? DEFAULT_RESOURCES);
    if (!resources.limits?.memory) invalid(this, 'resources.memory.limit', undefined, 'is required', 'RabbitMQ sizes its memory high watermark from it');
    if (props.tls) {
      requireName(this, 'tls.secretName', props.tls.secretName, 'dns1123-subdomain');
      if (props.tls.caSecretName !== undefined) requireName(this, 'tls.caSecretName', props.tls.caSecretName, 'dns1123-subdomain');
    }
    this.tls = props.tls !== undefined;
    this.tlsOnly = props.tls?.disableNonTlsListeners === true;
    const allowed = props.topologyAllowedNamespaces ?? [];
    allowed.forEach((ns, i) => requireName(this, `topologyAllowedNamespaces[${i}]`, ns));
    this.topologyAllowedNamespaces = [...allowed];
    const highAvailability = props.highAvailability ?? this.replicas > 1;
    this.defaultUserSecretName = `${this.name}-default-user`;
    this.podSelector = { 'app.kubernetes.io/name': this.name };
    const labels = recommendedLabels({ name: 'rabbitmq', instance: this.name, component: 'message-broker' });

    const restricted = {
      allowPrivilegeEscalation: false,
      privileged: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    this.resource = new RabbitmqClusterL1(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels,
        annotations: allowed.length ? { 'rabbitmq.com/topology-allowed-namespaces': allowed.join(',') } : undefined,
      },
      spec: {
        image: props.image,
        replicas: this.replicas,
        resources: {
          requests: toQuantities(resources.requests, (v) => RabbitmqClusterSpecResourcesRequests.fromString(v)),
          limits: toQuantities(resources.limits, (v) => RabbitmqClusterSpecResourcesLimits.fromString(v)),
        },
        persistence: { storage: RabbitmqClusterSpecPersistenceStorage.fromString(storage), storageClassName: props.storageClassName },
        tls: props.tls ? {
          secretName: props.tls.secretName,
          caSecretName: props.tls.caSecretName,
          disableNonTlsListeners: props.tls.disableNonTlsListeners,
        } : undefined,
        override: {
          statefulSet: {
            // The operator copies only some StatefulSet fields from the override (not a PVC retention policy) and
            // owns the volume claims through the RabbitmqCluster: deleting it deletes them. Pulumi protects it.
            spec: {
              template: {
                spec: {
                  // The ServiceAccount token stays mounted, as the operator sets it: RabbitMQ before 4.1 discovers
                  // its peers through the Kubernetes API (the operator's Role allows only that).
                  securityContext: {
                    runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' },
                  },
                  containers: [{ name: 'rabbitmq', securityContext: restricted }],
                  initContainers: [{ name: 'setup-container', securityContext: restricted }],
                  ...(highAvailability ? {
                    topologySpreadConstraints: [{
                      maxSkew: 1,
                      topologyKey: 'kubernetes.io/hostname',
                      whenUnsatisfiable: 'ScheduleAnyway',
                      labelSelector: { matchLabels: this.podSelector },
                    }],
                  } : {}),
                },
              },
            },
          },
        },
      },
    });
    DeployHints.markStateful(this.resource, 'holds the queues of the RabbitMQ cluster');
    PlatformPolicy.exempt(this.resource, PolicyRuleId.READ_ONLY_ROOT,
      'RabbitMQ and the operator\'s setup container write their configuration and Erlang cookie under the root filesystem');
    DeployHints.awaitCondition(this.resource, 'AllReplicasReady');

    if (highAvailability) {
      if (this.replicas < 3) invalid(this, 'highAvailability', true, 'needs at least 3 replicas');
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podSelector } },
      });
    }

    this.ingressPolicy = new IngressPolicy(this, 'IngressPolicy', {
      name: `${this.name}-rabbitmq-ingress`,
      namespace: this.namespace,
      podSelector: this.podSelector,
      labels,
      servingPorts: AMQP_PORTS,
    });
    // Nodes talk to each other; the cluster and topology operators use the management API.
    this.ingressPolicy.admit({ namespace: this.namespace, podSelector: this.podSelector, description: `rabbitmq ${this.name} nodes` }, { ports: INTER_NODE_PORTS });
    this.ingressPolicy.admitNamespaces([requireName(this, 'operatorNamespace', props.operatorNamespace ?? 'rabbitmq-system')], { ports: MANAGEMENT_PORTS });
  }

  /** The AMQP URL of the cluster (credentials separate, in the default-user Secret or a topology User's). */
  public get amqpUrl(): string {
    return amqpUrlOf(this.host, this.tls);
  }

  /**
   * The cluster reference for an object in `namespace` that the topology operator reconciles (eventing-rabbitmq's
   * queues and exchanges, the topology constructs): across namespaces only where the cluster allows it.
   */
  public referenceFrom(scope: Construct, field: string, namespace: string): RabbitmqClusterReference {
    return clusterReferenceFrom(this, scope, field, namespace);
  }

  /** Lets pods connect over AMQP (5672/5671 unless other ports are given). */
  public admit(peer: PodPeer, options?: AdmitOptions): Admission {
    return this.ingressPolicy.admit(peer, options);
  }
}
