import { Construct } from 'constructs';
import { CrossplaneMode } from '../crossplane/api';
import { GcpMemorystoreOptions, KeyValueStoreApi, StoreProvider } from '../crossplane/key-value-store';
import { MessageBrokerApi } from '../crossplane/message-broker';
import { CrossplanePackages } from '../crossplane/packages';

export interface PlatformApisProps {
  /** @default CrossplaneMode.NAMESPACED */
  readonly mode?: CrossplaneMode;
  /** Adds the GCP Memorystore composition to KeyValueStore. @default - in-cluster compositions only */
  readonly gcp?: GcpMemorystoreOptions;
  /** The KeyValueStore composition claims get without a selector. @default StoreProvider.LOCAL */
  readonly defaultStoreProvider?: StoreProvider;
  /** Namespace Crossplane runs in. @default 'crossplane-system' */
  readonly crossplaneNamespace?: string;
  /** Redis image of the local KeyValueStore composition. @default - the Redis construct's */
  readonly redisImage?: string;
  /** RabbitMQ image of the local MessageBroker composition. @default - the cluster operator's */
  readonly rabbitmqImage?: string;
}

/**
 * The platform APIs the library ships, published with Crossplane: `KeyValueStore` (local Redis; GCP Memorystore
 * when `gcp` is given) and `MessageBroker` (local RabbitmqCluster), with the composition functions, provider-kubernetes
 * and the RBAC they need. Application platforms claim from them (FunctionsPlatform `store: StoreBackend.CLAIM`).
 */
export class PlatformApis extends Construct {
  public readonly keyValueStore: KeyValueStoreApi;
  public readonly messageBroker: MessageBrokerApi;
  public readonly packages: CrossplanePackages;

  public constructor(scope: Construct, id: string, props: PlatformApisProps = {}) {
    super(scope, id);
    this.keyValueStore = new KeyValueStoreApi(this, 'KeyValueStore', {
      mode: props.mode,
      gcp: props.gcp,
      defaultProvider: props.defaultStoreProvider,
      redisImage: props.redisImage,
    });
    this.messageBroker = new MessageBrokerApi(this, 'MessageBroker', { mode: props.mode, rabbitmqImage: props.rabbitmqImage });
    this.packages = new CrossplanePackages(this, 'Packages', {
      compositions: [...this.keyValueStore.api.allCompositions, ...this.messageBroker.api.allCompositions],
      crossplaneNamespace: props.crossplaneNamespace,
    });
  }
}
