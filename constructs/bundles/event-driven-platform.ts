import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PlatformPolicy, PolicyRuleId } from '../policy/policy';
import { IEventSink } from '../core/contracts';
import { requireName } from '../core/validate';
import { DeliveryOptions } from '../core/delivery';
import { QueueType, RabbitmqBroker } from '../eventing/broker';
import { KnativeFunction } from '../knative/function';
import { KnativeDataPlane, Language } from '../knative/types';
import { RabbitmqCluster, RabbitmqTlsOptions } from '../rabbitmq/cluster';
import { PodSecurityLevel, declareNamespace, requireProfile } from './namespace';
import { Profile, profileDefaults } from './profile';
import { EVENT_DISPLAY_IMAGE, defaultImageFor } from './default-images';

export interface PlatformRabbitmqProps {
  /** @default 'rabbitmq' */
  readonly name?: string;
  /** @default - the profile's (dev 1, prod 3) */
  readonly replicas?: number;
  /** @default - the profile's (dev: 250m CPU, 768Mi; prod: 1 CPU, 2Gi) */
  readonly resources?: kplus.ContainerResources;
  /** @default - the profile's (dev 2Gi, prod 20Gi) */
  readonly storage?: Size;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** RabbitMQ server image, pinned by tag or digest. @default - the cluster operator's default */
  readonly image?: string;
  /** @default - plain AMQP */
  readonly tls?: RabbitmqTlsOptions;
}

export interface PlatformBrokerProps {
  /** @default 'default' */
  readonly name?: string;
  /**
   * Quorum in both profiles: the broker's spec is immutable, so a queue type that changed with the profile would
   * replace the broker (and drop its queued events) on the move from dev to prod. Quorum queues run on one node too.
   * @default QueueType.QUORUM
   */
  readonly queueType?: QueueType;
  /** @default '/' */
  readonly vhost?: string;
  /** Retry and backoff; the dead-letter sink is the platform's. @default - 3 retries, exponential from 500ms */
  readonly retry?: number;
}

export interface EventDrivenPlatformProps {
  /** Namespace of the event infrastructure (RabbitMQ, broker, triggers, sources); the bundle creates it. */
  readonly namespace: string;
  /** @default Profile.DEV */
  readonly profile?: Profile;
  /** @default - a RabbitmqCluster sized by the profile */
  readonly rabbitmq?: PlatformRabbitmqProps;
  /** @default - a RabbitMQ broker named `default` */
  readonly broker?: PlatformBrokerProps;
  /**
   * Where events go when delivery keeps failing.
   * @default - a `dead-letters` function (Knative's event_display) in this namespace that logs each such event
   */
  readonly deadLetterSink?: IEventSink;
  /**
   * Image of the default dead-letter function. Required in a prod namespace (unless `deadLetterSink` is given): the
   * default is published only as `latest`.
   * @default EVENT_DISPLAY_IMAGE - Knative's event_display (dev profile only)
   */
  readonly deadLetterImage?: string;
  /**
   * Namespaces whose workloads bind to this platform's RabbitMQ directly (topology objects there may use it).
   * @default - none
   */
  readonly amqpNamespaces?: string[];
  /** @default KnativeDataPlane.KOURIER */
  readonly dataPlane?: KnativeDataPlane;
  /** Extra labels on the namespace. @default - none */
  readonly namespaceLabels?: { [key: string]: string };
  /**
   * Share the namespace with another construct of the app that creates it (e.g. a FunctionsPlatform on the same
   * namespace): one Namespace object then serves both, enforcing the less strict Pod Security level.
   * @default false - the bundle creates the namespace, and another construct creating it is an error
   */
  readonly shareNamespace?: boolean;
}



/**
 * Event infrastructure in one construct: a namespace, a RabbitMQ cluster, a RabbitMQ-backed Knative Broker with
 * retries and a dead-letter sink, and default-deny ingress. Functions and sources are wired to `broker` with its
 * methods (`addPublisher`, `subscribe`) and by passing it as a sink.
 *
 * The namespace enforces Pod Security "baseline" and warns/audits "restricted": eventing-rabbitmq's ingress and
 * dispatcher pods set no seccomp profile, which "restricted" rejects. Every pod this library creates there still
 * meets "restricted".
 */
export class EventDrivenPlatform extends Construct {
  public readonly namespace: string;
  public readonly profile: Profile;
  public readonly cluster: RabbitmqCluster;
  public readonly broker: RabbitmqBroker;
  public readonly deadLetterSink: IEventSink;

  public constructor(scope: Construct, id: string, props: EventDrivenPlatformProps) {
    super(scope, id);
    this.namespace = requireName(this, 'namespace', props.namespace);
    this.profile = requireProfile(this, props.profile);
    const defaults = profileDefaults(this.profile);
    declareNamespace(this, this.namespace, {
      podSecurity: PodSecurityLevel.BASELINE, profile: this.profile, labels: props.namespaceLabels, shared: props.shareNamespace,
    });

    const rabbit = props.rabbitmq ?? {};
    this.cluster = new RabbitmqCluster(this, 'RabbitMQ', {
      name: rabbit.name ?? 'rabbitmq',
      namespace: this.namespace,
      replicas: rabbit.replicas ?? defaults.rabbitmqReplicas,
      resources: rabbit.resources ?? defaults.rabbitmqResources,
      storage: rabbit.storage ?? defaults.rabbitmqStorage,
      storageClassName: rabbit.storageClassName,
      image: rabbit.image,
      tls: rabbit.tls,
      topologyAllowedNamespaces: props.amqpNamespaces,
    });

    this.deadLetterSink = props.deadLetterSink ?? new KnativeFunction(this, 'DeadLetters', {
      name: 'dead-letters',
      namespace: this.namespace,
      image: defaultImageFor(this, this.profile, 'deadLetterImage', props.deadLetterImage, EVENT_DISPLAY_IMAGE),
      language: Language.GO,
      scale: { min: 0, max: 3 },
      dataPlane: props.dataPlane,
      resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
    });
    if (!props.deadLetterSink && !props.deadLetterImage) {
      PlatformPolicy.exempt((this.deadLetterSink as KnativeFunction).resource, PolicyRuleId.PINNED_IMAGES,
        'Knative publishes event_display only as latest; pass deadLetterImage with a digest to pin it');
    }
    const delivery: DeliveryOptions = { retry: props.broker?.retry, deadLetterSink: this.deadLetterSink };
    this.broker = new RabbitmqBroker(this, 'Broker', {
      name: props.broker?.name ?? 'default',
      namespace: this.namespace,
      cluster: this.cluster,
      queueType: props.broker?.queueType ?? QueueType.QUORUM,
      vhost: props.broker?.vhost,
      delivery,
    });
  }
}
