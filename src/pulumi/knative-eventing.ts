/**
 * The event stack, installed by Pulumi from pinned upstream release manifests: cert-manager, then the RabbitMQ cluster
 * operator (its webhook's certificate comes from cert-manager), then the messaging topology operator (it needs both),
 * Knative Eventing (CRDs, then core), and finally eventing-rabbitmq's broker (it needs Eventing and the topology
 * operator) and Knative's channel-based broker with the in-memory channel (they need Eventing: team brokers use them). cert-manager's webhooks and the operators' are awaited until cert-manager has injected their CA. Independent branches install in
 * parallel; every object has one owner (the DeclaredObjects ledger keeps the first copy: eventing-core.yaml's copies
 * of the CRDs and the topology operator's `Namespace rabbitmq-system` are dropped).
 */
import * as pulumi from '@pulumi/pulumi';
import { ClusterInstall } from '../../constructs';
import { ReleaseInstallArgs, StagedInstall, releaseManifests } from './release-install';

/** The pinned versions (upstream.yaml, through the library's ClusterInstall table). */
export const CERT_MANAGER_VERSION = ClusterInstall.CERT_MANAGER.version;
export const RABBITMQ_CLUSTER_OPERATOR_VERSION = ClusterInstall.RABBITMQ_CLUSTER_OPERATOR.version;
export const RABBITMQ_TOPOLOGY_OPERATOR_VERSION = ClusterInstall.RABBITMQ_TOPOLOGY_OPERATOR.version;
export const KNATIVE_EVENTING_VERSION = ClusterInstall.KNATIVE_EVENTING.version;
export const EVENTING_RABBITMQ_VERSION = ClusterInstall.EVENTING_RABBITMQ.version;

export interface EventingVersions {
  /** @default CERT_MANAGER_VERSION */
  readonly certManager?: string;
  /** @default RABBITMQ_CLUSTER_OPERATOR_VERSION */
  readonly rabbitmqClusterOperator?: string;
  /** @default RABBITMQ_TOPOLOGY_OPERATOR_VERSION */
  readonly rabbitmqTopologyOperator?: string;
  /** @default KNATIVE_EVENTING_VERSION */
  readonly knativeEventing?: string;
  /** @default EVENTING_RABBITMQ_VERSION */
  readonly eventingRabbitmq?: string;
  /**
   * Install Knative's channel-based broker and its in-memory channel (what a `ChannelBroker` or a team broker needs).
   * @default true
   */
  readonly channelBroker?: boolean;
}

/** The stages of Knative's channel-based broker, which the event stack installs only when asked (`channelBroker`). */
export const CHANNEL_BROKER_STAGES = ['in-memory-channel', 'mt-channel-broker'];

/** The release manifests of the event stack, by stage. */
export function eventingManifestUrls(v: EventingVersions = {}): { [stage: string]: string } {
  const eventing = v.knativeEventing ?? KNATIVE_EVENTING_VERSION;
  return {
    'cert-manager': `https://github.com/cert-manager/cert-manager/releases/download/v${v.certManager ?? CERT_MANAGER_VERSION}/cert-manager.yaml`,
    'rabbitmq-cluster-operator': `https://github.com/rabbitmq/cluster-operator/releases/download/v${v.rabbitmqClusterOperator ?? RABBITMQ_CLUSTER_OPERATOR_VERSION}/cluster-operator.yml`,
    'rabbitmq-topology-operator': `https://github.com/rabbitmq/messaging-topology-operator/releases/download/v${v.rabbitmqTopologyOperator ?? RABBITMQ_TOPOLOGY_OPERATOR_VERSION}/messaging-topology-operator-with-certmanager.yaml`,
    'eventing-crds': `https://github.com/knative/eventing/releases/download/knative-v${eventing}/eventing-crds.yaml`,
    'eventing-core': `https://github.com/knative/eventing/releases/download/knative-v${eventing}/eventing-core.yaml`,
    'eventing-rabbitmq': `https://github.com/knative-extensions/eventing-rabbitmq/releases/download/knative-v${v.eventingRabbitmq ?? EVENTING_RABBITMQ_VERSION}/rabbitmq-broker.yaml`,
    ...v.channelBroker === false ? {} : {
      'in-memory-channel': `https://github.com/knative/eventing/releases/download/knative-v${eventing}/in-memory-channel.yaml`,
      'mt-channel-broker': `https://github.com/knative/eventing/releases/download/knative-v${eventing}/mt-channel-broker.yaml`,
    },
  };
}

/** The stages and what each waits for (see the module comment). */
export const EVENTING_STAGES: Array<{ name: string; after: string[] }> = [
  { name: 'cert-manager', after: [] },
  // cluster-operator.yml (≥ 2.22.0) holds a Certificate, an Issuer and webhooks whose CA cert-manager injects.
  { name: 'rabbitmq-cluster-operator', after: ['cert-manager'] },
  { name: 'rabbitmq-topology-operator', after: ['cert-manager', 'rabbitmq-cluster-operator'] },
  { name: 'eventing-crds', after: [] },
  { name: 'eventing-core', after: ['eventing-crds'] },
  { name: 'eventing-rabbitmq', after: ['eventing-core', 'rabbitmq-topology-operator'] },
  // Knative's channel-based broker (team brokers, ChannelBroker) and its default channel.
  { name: 'in-memory-channel', after: ['eventing-core'] },
  { name: 'mt-channel-broker', after: ['eventing-core'] },
];

/** The stages to install: all, or all but the channel-based broker's. */
function eventingStages(channelBroker: boolean): Array<{ name: string; after: string[] }> {
  return channelBroker ? EVENTING_STAGES : EVENTING_STAGES.filter((s) => !CHANNEL_BROKER_STAGES.includes(s.name));
}

/** Checks the event stack's manifests are the release files, and keeps only the CRDs of eventing-crds. Pure. */
export function prepareKnativeEventing(manifests: { [stage: string]: any[] }, channelBroker = true): { [stage: string]: any[] } {
  for (const { name } of eventingStages(channelBroker)) {
    if (!manifests[name]?.length) throw new Error(`the event stack manifests lack ${name}`);
  }
  if (!manifests['eventing-core'].some((o) => o.kind === 'Namespace' && o.metadata?.name === 'knative-eventing')) {
    throw new Error('eventing-core lacks the knative-eventing Namespace; is it the eventing-core release file?');
  }
  return {
    ...manifests,
    'eventing-crds': manifests['eventing-crds'].filter((o) => o.kind === 'CustomResourceDefinition'),
  };
}

export interface KnativeEventingArgs extends EventingVersions, ReleaseInstallArgs {
}

/** The event stack (see the module comment). */
export class KnativeEventing extends StagedInstall {
  /** Ready for `eventing.knative.dev`, `sources.knative.dev`, ... objects (RabbitMQ brokers included). */
  public readonly eventingReady: pulumi.Resource[];
  /** Ready for `rabbitmq.com` objects (clusters and topology). */
  public readonly rabbitmqReady: pulumi.Resource[];
  /** What each install it provides is, once ready, by ClusterInstall id (for Cdk8sDeployment's `installs`). */
  public readonly installs: { [installId: string]: pulumi.Resource[] };

  public constructor(name: string, args: KnativeEventingArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    const read = releaseManifests(args, eventingManifestUrls(args));
    const channelBroker = args.channelBroker !== false;
    const prepared = read.then((m) => prepareKnativeEventing(m, channelBroker));
    super('platform-blueprints:index:KnativeEventing', name,
      eventingStages(channelBroker).map((s) => ({ name: s.name, after: s.after, objects: prepared.then((p) => p[s.name]) })), args, opts);
    this.eventingReady = this.stagesNamed('eventing-core', 'eventing-rabbitmq');
    this.rabbitmqReady = this.stagesNamed('rabbitmq-cluster-operator', 'rabbitmq-topology-operator');
    this.installs = {
      [ClusterInstall.CERT_MANAGER.id]: this.stagesNamed('cert-manager'),
      [ClusterInstall.RABBITMQ_CLUSTER_OPERATOR.id]: this.stagesNamed('rabbitmq-cluster-operator'),
      [ClusterInstall.RABBITMQ_TOPOLOGY_OPERATOR.id]: this.stagesNamed('rabbitmq-topology-operator'),
      [ClusterInstall.KNATIVE_EVENTING.id]: this.stagesNamed('eventing-crds', 'eventing-core'),
      [ClusterInstall.EVENTING_RABBITMQ.id]: this.stagesNamed('eventing-rabbitmq'),
      ...channelBroker ? { [ClusterInstall.CHANNEL_BROKER.id]: this.stagesNamed(...CHANNEL_BROKER_STAGES) } : {},
    };
  }
}
