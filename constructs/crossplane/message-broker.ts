/**
 * The reference message broker API: `MessageBroker` (AMQP 0-9-1), composed locally into this library's
 * `RabbitmqCluster` (restricted pods, network policy, disruption budget when highly available) in the claim's
 * namespace. Credentials are the ones the RabbitMQ operator generates; provider-kubernetes copies them into the
 * connection Secret. `MessageBrokerClaim.bind(workload)` hands them to a workload by Secret reference.
 */
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalid } from '../core/errors';
import { AmqpBindOptions, IAmqpBroker, IWorkload } from '../core/contracts';
import { requireName } from '../core/validate';
import { RabbitmqCluster } from '../rabbitmq/cluster';
import { CrossplaneMode, PlatformApi } from './api';
import { BindingEnv, ClaimAttributes, ClaimOptions, ClaimedService, ImportedClaim, claimClientLabel } from './claim';
import { Composition, PipelineStep } from './composition';
import { InClusterTemplate, PLACEHOLDER } from './in-cluster';
import { StoreSize } from './key-value-store';
import { SchemaField } from './schema';

const SIZES: { [size: string]: { cpu: number; memory: Size; storage: Size } } = {
  [StoreSize.SMALL]: { cpu: 250, memory: Size.mebibytes(768), storage: Size.gibibytes(2) },
  [StoreSize.MEDIUM]: { cpu: 1000, memory: Size.gibibytes(2), storage: Size.gibibytes(20) },
  [StoreSize.LARGE]: { cpu: 2000, memory: Size.gibibytes(4), storage: Size.gibibytes(50) },
};

export interface MessageBrokerApiProps {
  /** @default CrossplaneMode.NAMESPACED */
  readonly mode?: CrossplaneMode;
  /** @default 'messaging.platform-blueprints.io' */
  readonly group?: string;
  /** RabbitMQ image. @default - the cluster operator's default */
  readonly rabbitmqImage?: string;
}

/** The MessageBroker platform API and its local composition (see the module comment). */
const MESSAGE_BROKER_API = Symbol.for('platform-blueprints.MessageBrokerApi');

export class MessageBrokerApi extends Construct {
  /** True for every MessageBrokerApi, also one made by another copy of this library. */
  public static isMessageBrokerApi(x: unknown): x is MessageBrokerApi {
    return typeof x === 'object' && x !== null && (x as any)[MESSAGE_BROKER_API] === true;
  }

  public readonly api: PlatformApi;
  public readonly local: Composition;
  public readonly localTemplate: InClusterTemplate;

  public constructor(scope: Construct, id: string, props: MessageBrokerApiProps = {}) {
    super(scope, id);
    Object.defineProperty(this, MESSAGE_BROKER_API, { value: true });
    this.api = new PlatformApi(this, 'Api', {
      group: props.group ?? 'messaging.platform-blueprints.io',
      kind: 'MessageBroker',
      mode: props.mode,
      description: 'A RabbitMQ (AMQP 0-9-1) message broker for the workloads of a namespace.',
      spec: {
        // RabbitMQ volumes and the node count are fixed at creation (the operator refuses to shrink either).
        size: SchemaField.string({ enum: Object.values(StoreSize), default: StoreSize.SMALL, immutable: true, description: 'small, medium or large (memory, CPU and disk per node); fixed at creation.' }),
        highAvailability: SchemaField.boolean({ default: false, immutable: true, description: 'Three nodes with quorum queues and a disruption budget, instead of one; fixed at creation.' }),
      },
      connectionSecretKeys: ['host', 'port', 'username', 'password'],
    });
    const { NAME, NAMESPACE, SECRET, UID } = PLACEHOLDER;
    const namespaced = this.api.mode === CrossplaneMode.NAMESPACED;
    const variants = Object.values(StoreSize).flatMap((size) => [true, false].map((ha) => ({
      when: `and (eq $spec.size ${JSON.stringify(size)}) ${ha ? '$spec.highAvailability' : '(not $spec.highAvailability)'}`,
      builder: { addObjects: (chart: Chart) => {
        const s = SIZES[size];
        const cluster = new RabbitmqCluster(chart, 'RabbitMQ', {
          name: NAME,
          image: props.rabbitmqImage,
          replicas: ha ? 3 : 1,
          storage: s.storage,
          resources: { cpu: { request: kplus.Cpu.millis(s.cpu) }, memory: { request: s.memory, limit: s.memory } },
        });
        cluster.admit({ namespace: NAMESPACE, podSelector: { [claimClientLabel(NAME)]: 'client' }, description: 'bound workloads' });
      } },
    })));
    // The operator writes `<name>-default-user` (username, password, host, port); the Object copies those keys.
    const credentials = ['username', 'password', 'host', 'port'].map((key) => ({
      name: `${NAME}-default-user`, namespace: NAMESPACE, fieldPath: `data.${key}`, toConnectionSecretKey: key,
    }));
    this.localTemplate = new InClusterTemplate(this, {
      api: this.api,
      variants,
      objectOptions: {
        optionsFor: (m: any) => (m.kind === 'RabbitmqCluster'
          ? {
            readyWhen: "has(object.status.conditions) && object.status.conditions.exists(c, c.type == 'AllReplicasReady' && c.status == 'True')",
            connectionDetails: credentials,
            writeConnectionSecretTo: namespaced ? { name: SECRET } : { name: `${UID}-amqp` },
          }
          : {}),
      },
      compositeConnection: { fromResource: InClusterTemplate.resourceName({ kind: 'RabbitmqCluster', metadata: { name: NAME } }) },
      maxNameLength: 42,
    });
    this.local = new Composition(this, 'Local', {
      api: this.api,
      labels: { provider: 'local' },
      default: true,
      pipeline: [PipelineStep.inCluster('render-rabbitmq', this.localTemplate), PipelineStep.autoReady()],
    });
  }
}

export interface MessageBrokerClaimProps extends ClaimOptions {
  readonly api: MessageBrokerApi;
  /** @default StoreSize.SMALL */
  readonly size?: StoreSize;
  /** @default false */
  readonly highAvailability?: boolean;
}

/** @deprecated use AmqpBindOptions */
// An interface of its own (not a type alias) keeps the name for jsii languages.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BrokerBindOptions extends AmqpBindOptions {}

/** What a workload bound to a MessageBroker receives, from its connection Secret. */
const AMQP_ENV: BindingEnv[] = [
  { suffix: 'HOST', secretKey: 'host' },
  { suffix: 'PORT', secretKey: 'port' },
  { suffix: 'USERNAME', secretKey: 'username' },
  { suffix: 'PASSWORD', secretKey: 'password' },
];


/** A claimed message broker; `bind(workload)` gives a workload its address and credentials (by Secret reference). */
export class MessageBrokerClaim extends ClaimedService implements IAmqpBroker {
  /** A MessageBroker claimed elsewhere (another app, by hand), to bind workloads of its namespace to by its connection Secret. */
  public static fromClaimAttributes(scope: Construct, id: string, attrs: ClaimAttributes): IAmqpBroker {
    return new ImportedClaim(scope, id, attrs, { kind: 'MessageBroker', prefix: 'AMQP', env: AMQP_ENV });
  }

  public constructor(scope: Construct, id: string, props: MessageBrokerClaimProps) {
    super(scope, id);
    if (!MessageBrokerApi.isMessageBrokerApi(props.api)) invalid(this, 'api', props.api, 'must be a MessageBrokerApi');
    const name = requireName(this, 'name', props.name ?? id, 'dns1035-label');
    if (name.length > 42) invalid(this, 'name', name, 'must be at most 42 characters', 'the RabbitMQ operator derives longer names from it');
    this._claim(props.api.api, name, props, { size: props.size ?? StoreSize.SMALL, highAvailability: props.highAvailability ?? false });
  }

  public bind(workload: IWorkload, options: AmqpBindOptions = {}): void {
    this._bindFromSecret(workload, options.envPrefix ?? 'AMQP', AMQP_ENV);
  }
}
