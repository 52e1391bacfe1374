/**
 * RabbitMQ topology for services that speak AMQP directly, as messaging-topology-operator objects: vhosts, queues,
 * exchanges, bindings, users and permissions. Each is wired to its cluster, vhost, exchange or user by the object,
 * never by typing a name; a user's credentials stay in the Secret the operator generates.
 */
import * as kplus from 'cdk8s-plus-27';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { bindCredentials, peerOf } from '../core/binding';
import { resolveNamespace } from '../core/context';
import { AmqpBindOptions, IAmqpBroker, IRabbitmqCluster, IWorkload, ObjectRef } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { invalid } from '../core/errors';
import { toObjectName } from '../core/k8s-rules';
import { recommendedLabels } from '../core/labels';
import {
  Binding as BindingL1, BindingSpecDestinationType, Exchange as ExchangeL1, Permission as PermissionL1, Queue as QueueL1,
  QueueSpecDeletionPolicy, User as UserL1, UserSpecTags, Vhost as VhostL1, VhostSpecDefaultQueueType, VhostSpecDeletionPolicy,
} from '../imports/rabbitmq.com';
import { AMQP_PORTS, clusterReferenceFrom } from './cluster';

export enum RabbitmqQueueType {
  /** Replicated (Raft), durable: the default for data that matters. */
  QUORUM = 'quorum',
  CLASSIC = 'classic',
  /** Append-only log with replay. */
  STREAM = 'stream',
}

export enum ExchangeType {
  DIRECT = 'direct',
  FANOUT = 'fanout',
  TOPIC = 'topic',
  HEADERS = 'headers',
}

export enum UserTag {
  MANAGEMENT = 'management',
  POLICYMAKER = 'policymaker',
  MONITORING = 'monitoring',
  ADMINISTRATOR = 'administrator',
}

/** RabbitMQ entity names: printable, at most 255 bytes. */
function requireEntityName(scope: Construct, field: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(name)) {
    invalid(scope, field, name, 'must be 1 to 255 printable characters without spaces', 'e.g. "orders.created"');
  }
  return name as string;
}

/** A Kubernetes object name for a RabbitMQ entity: readable, unique, stable. */
function objectName(...parts: string[]): string {
  return toObjectName(parts.join('-'));
}


/** A topology object waits for its cluster; `refs` are the other topology objects it names. */
function dependsOnCluster(obj: ApiObject, cluster: IRabbitmqCluster, ...refs: ApiObject[]): void {
  DeployHints.references(obj, cluster.objectRef);
  for (const r of refs) DeployHints.dependsOn(obj, r);
}

export interface RabbitmqVhostProps {
  /** The cluster (a RabbitmqCluster, or one imported with RabbitmqCluster.fromClusterAttributes). */
  readonly cluster: IRabbitmqCluster;
  /** The vhost's name in RabbitMQ. */
  readonly name: string;
  /** @default - the cluster's namespace */
  readonly namespace?: string;
  /** Queue type for queues declared without one. @default RabbitmqQueueType.QUORUM */
  readonly defaultQueueType?: RabbitmqQueueType;
}

/** A RabbitMQ vhost; declare its queues and exchanges through it. */
export class RabbitmqVhost extends Construct {
  public readonly cluster: IRabbitmqCluster;
  private readonly entities = new Map<string, string>();
  public readonly name: string;
  public readonly namespace: string;
  public readonly resource: VhostL1;

  public constructor(scope: Construct, id: string, props: RabbitmqVhostProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.name = requireEntityName(this, 'name', props.name);
    this.namespace = resolveNamespace(this, props.namespace ?? props.cluster.namespace);
    this.resource = new VhostL1(this, 'Resource', {
      metadata: { name: objectName(this.cluster.name, 'vhost', this.name), namespace: this.namespace, labels: topologyLabels(this.cluster) },
      spec: {
        name: this.name,
        defaultQueueType: ((props.defaultQueueType ?? RabbitmqQueueType.QUORUM) as string) as VhostSpecDefaultQueueType,
        // Deleting the object keeps the vhost and its messages.
        deletionPolicy: VhostSpecDeletionPolicy.RETAIN,
        rabbitmqClusterReference: clusterReferenceFrom(this.cluster, this, 'namespace', this.namespace),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    dependsOnCluster(this.resource, this.cluster);
  }

  /** Claims a queue or exchange name in this vhost (RabbitMQ has one of each name per vhost). @internal */
  public _claimEntity(kind: string, name: string, by: Construct): void {
    const key = `${kind}:${name}`;
    const other = this.entities.get(key);
    if (other !== undefined) {
      invalid(by, 'name', name, `is already a ${kind} of vhost "${this.name}" (${other})`, `give each ${kind} of a vhost its own name`);
    }
    this.entities.set(key, by.node.path);
  }

  public addQueue(id: string, props: RabbitmqQueueOptions): RabbitmqQueue {
    return new RabbitmqQueue(this, id, { ...props, vhost: this });
  }

  public addExchange(id: string, props: RabbitmqExchangeOptions): RabbitmqExchange {
    return new RabbitmqExchange(this, id, { ...props, vhost: this });
  }
}

export interface RabbitmqQueueOptions {
  /** The queue's name in RabbitMQ. */
  readonly name: string;
  /** @default RabbitmqQueueType.QUORUM */
  readonly type?: RabbitmqQueueType;
  /** Queue arguments (`x-max-length`, `x-message-ttl`, ...). @default - none */
  readonly arguments?: { [key: string]: string | number | boolean };
}

export interface RabbitmqQueueProps extends RabbitmqQueueOptions {
  readonly vhost: RabbitmqVhost;
}

/** A durable queue; deleting the object keeps the queue and its messages (deletion policy `retain`). */
export class RabbitmqQueue extends Construct {
  public readonly name: string;
  public readonly vhost: RabbitmqVhost;
  public readonly resource: QueueL1;

  public constructor(scope: Construct, id: string, props: RabbitmqQueueProps) {
    super(scope, id);
    this.vhost = props.vhost;
    this.name = requireEntityName(this, 'name', props.name);
    this.vhost._claimEntity('queue', this.name, this);
    for (const key of Object.keys(props.arguments ?? {})) if (!key.startsWith('x-')) invalid(this, 'arguments', key, 'is not a queue argument', 'queue arguments start with "x-"');
    const type = props.type ?? RabbitmqQueueType.QUORUM;
    this.resource = new QueueL1(this, 'Resource', {
      metadata: { name: objectName(this.vhost.cluster.name, this.vhost.name, 'queue', this.name), namespace: this.vhost.namespace, labels: topologyLabels(this.vhost.cluster) },
      spec: {
        name: this.name,
        vhost: this.vhost.name,
        type,
        durable: true,
        autoDelete: false,
        arguments: props.arguments,
        deletionPolicy: QueueSpecDeletionPolicy.RETAIN,
        rabbitmqClusterReference: clusterReferenceFrom(this.vhost.cluster, this, 'namespace', this.vhost.namespace),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    dependsOnCluster(this.resource, this.vhost.cluster, this.vhost.resource);
  }
}

export interface RabbitmqExchangeOptions {
  /** The exchange's name in RabbitMQ. */
  readonly name: string;
  /** @default ExchangeType.DIRECT */
  readonly type?: ExchangeType;
}

export interface RabbitmqExchangeProps extends RabbitmqExchangeOptions {
  readonly vhost: RabbitmqVhost;
}

export interface BindOptions {
  /** @default '' (every message for fanout/headers; the empty key for direct/topic) */
  readonly routingKey?: string;
  /** Binding arguments (headers exchanges: the headers to match). @default - none */
  readonly arguments?: { [key: string]: string | number | boolean };
}

/** A durable exchange; `bind(queue)` routes its messages to a queue. */
export class RabbitmqExchange extends Construct {
  public readonly name: string;
  public readonly vhost: RabbitmqVhost;
  public readonly resource: ExchangeL1;
  private bindings = 0;

  public constructor(scope: Construct, id: string, props: RabbitmqExchangeProps) {
    super(scope, id);
    this.vhost = props.vhost;
    this.name = requireEntityName(this, 'name', props.name);
    if (this.name.startsWith('amq.')) invalid(this, 'name', this.name, 'is reserved by RabbitMQ (amq.*)');
    this.vhost._claimEntity('exchange', this.name, this);
    this.resource = new ExchangeL1(this, 'Resource', {
      metadata: { name: objectName(this.vhost.cluster.name, this.vhost.name, 'exchange', this.name), namespace: this.vhost.namespace, labels: topologyLabels(this.vhost.cluster) },
      spec: {
        name: this.name,
        vhost: this.vhost.name,
        type: props.type ?? ExchangeType.DIRECT,
        durable: true,
        autoDelete: false,
        rabbitmqClusterReference: clusterReferenceFrom(this.vhost.cluster, this, 'namespace', this.vhost.namespace),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    dependsOnCluster(this.resource, this.vhost.cluster, this.vhost.resource);
  }

  /** Routes messages of this exchange to a queue of the same vhost. */
  public bind(queue: RabbitmqQueue, options: BindOptions = {}): BindingL1 {
    if (queue.vhost !== this.vhost) invalid(this, 'bind', queue.name, `is in vhost "${queue.vhost.name}", the exchange in "${this.vhost.name}"`);
    const routingKey = options.routingKey ?? '';
    if (routingKey.length > 255) invalid(this, 'bind.routingKey', routingKey, 'must be at most 255 characters');
    this.bindings++;
    const binding = new BindingL1(this, `Binding${this.bindings}`, {
      metadata: {
        name: objectName(this.vhost.cluster.name, this.vhost.name, 'binding', this.name, queue.name, routingKey),
        namespace: this.vhost.namespace,
        labels: topologyLabels(this.vhost.cluster),
      },
      spec: {
        source: this.name,
        destination: queue.name,
        destinationType: BindingSpecDestinationType.QUEUE,
        routingKey,
        arguments: options.arguments,
        vhost: this.vhost.name,
        rabbitmqClusterReference: clusterReferenceFrom(this.vhost.cluster, this, 'namespace', this.vhost.namespace),
      },
    });
    DeployHints.awaitCondition(binding, 'Ready');
    dependsOnCluster(binding, this.vhost.cluster, this.resource, queue.resource);
    return binding;
  }
}

export interface RabbitmqUserProps {
  /** The cluster (a RabbitmqCluster, or one imported). */
  readonly cluster: IRabbitmqCluster;
  /** @default - the cluster's namespace */
  readonly namespace?: string;
  /** @default - none (an application user) */
  readonly tags?: UserTag[];
}

export interface PermissionOptions {
  /** Regex of resources the user may configure (declare/delete). @default '' (none) */
  readonly configure?: string;
  /** Regex of resources the user may write to (publish). @default '' (none) */
  readonly write?: string;
  /** Regex of resources the user may read from (consume). @default '' (none) */
  readonly read?: string;
}

/** @deprecated use AmqpBindOptions */
// An interface of its own (not a type alias) keeps the name for jsii languages.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface UserBindOptions extends AmqpBindOptions {}

/**
 * An AMQP user. The operator generates its password into the Secret `<object>-user-credentials`; `bind(workload)`
 * passes it by reference and lets the workload reach the cluster; `grant(vhost, ...)` gives it permissions.
 */
export class RabbitmqUser extends Construct implements IAmqpBroker {
  public readonly cluster: IRabbitmqCluster;
  public readonly namespace: string;
  /** Name of the User object (the operator names the credentials Secret after it). */
  public readonly objectName: string;
  /** Secret with `username` and `password`, generated by the topology operator. */
  public readonly credentialsSecretName: string;
  public readonly resource: UserL1;
  private secretRef?: kplus.ISecret;

  public constructor(scope: Construct, id: string, props: RabbitmqUserProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.namespace = resolveNamespace(this, props.namespace ?? props.cluster.namespace);
    this.objectName = objectName(this.cluster.name, 'user', id);
    this.credentialsSecretName = `${this.objectName}-user-credentials`;
    this.resource = new UserL1(this, 'Resource', {
      metadata: { name: this.objectName, namespace: this.namespace, labels: topologyLabels(this.cluster) },
      spec: {
        tags: (props.tags ?? []).map((t) => t as string as UserSpecTags),
        rabbitmqClusterReference: clusterReferenceFrom(this.cluster, this, 'namespace', this.namespace),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    dependsOnCluster(this.resource, this.cluster);
    // The operator writes the credentials Secret: workloads reading it wait for the User.
    DeployHints.implies(this.resource, { apiVersion: 'v1', kind: 'Secret', namespace: this.namespace, name: this.credentialsSecretName }, 'the RabbitMQ messaging topology operator');
  }

  /** Grants the user permissions on a vhost (regexes over resource names). */
  public grant(vhost: RabbitmqVhost, permissions: PermissionOptions): PermissionL1 {
    if (vhost.cluster !== this.cluster) invalid(this, 'grant', vhost.name, 'is a vhost of another cluster');
    for (const [k, v] of Object.entries(permissions)) {
      try {
        new RegExp(v as string);
      } catch {
        invalid(this, `grant.${k}`, v, 'is not a regular expression');
      }
    }
    const permission = new PermissionL1(this, `Permission-${vhost.node.id}`, {
      metadata: { name: objectName(this.objectName, 'on', vhost.name), namespace: this.namespace, labels: topologyLabels(this.cluster) },
      spec: {
        vhost: vhost.name,
        userReference: { name: this.objectName },
        permissions: { configure: permissions.configure ?? '', write: permissions.write ?? '', read: permissions.read ?? '' },
        rabbitmqClusterReference: clusterReferenceFrom(this.cluster, this, 'namespace', this.namespace),
      },
    });
    DeployHints.awaitCondition(permission, 'Ready');
    dependsOnCluster(permission, this.cluster, this.resource, vhost.resource);
    return permission;
  }

  /** Gives a workload the cluster address and this user's credentials (by reference), and lets it reach AMQP. */
  public bind(workload: IWorkload, options: AmqpBindOptions = {}): void {
    const cluster = this.cluster;
    bindCredentials({
      service: this,
      target: cluster,
      workload,
      prefix: options.envPrefix ?? 'AMQP',
      secretNamespace: this.namespace,
      secretHolder: 'the user\'s credentials',
      namespaceFix: 'create the user in the workload\'s namespace (topologyAllowedNamespaces on the cluster)',
      variables: (prefix) => {
        this.secretRef ??= kplus.Secret.fromSecretName(this, 'CredentialsRef', this.credentialsSecretName);
        const secret = this.secretRef;
        return {
          [`${prefix}_HOST`]: kplus.EnvValue.fromValue(cluster.host),
          [`${prefix}_PORT`]: kplus.EnvValue.fromValue(String(cluster.tls ? 5671 : 5672)),
          [`${prefix}_USERNAME`]: kplus.EnvValue.fromSecretValue({ secret, key: 'username' }),
          [`${prefix}_PASSWORD`]: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }),
        };
      },
      detail: (prefix) => `${prefix}_* (${cluster.amqpUrl})`,
      admit: [{ into: cluster, peer: peerOf(workload), options: { ports: AMQP_PORTS } }],

    });
  }

  /** The User object. */
  public get objectRef(): ObjectRef {
    return { apiVersion: 'rabbitmq.com/v1beta1', kind: 'User', namespace: this.namespace, name: this.objectName };
  }
}

function topologyLabels(cluster: IRabbitmqCluster): { [key: string]: string } {
  return recommendedLabels({ name: 'rabbitmq-topology', instance: cluster.name, component: 'message-topology' });
}
