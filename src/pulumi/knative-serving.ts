/**
 * Knative Serving + net-kourier, installed by Pulumi from the pinned upstream release manifests.
 *
 * The manifests are read once (from the release URLs, or a local folder for air-gapped clusters), our settings are
 * applied to the objects themselves (ingress class, domain, request-timeout ceiling, activator drain time, Envoy
 * idle timeout, ingress Service type) and the objects are created in three ConfigGroups: the CRDs, then the core,
 * then kourier. Each object has exactly one owner (serving-core.yaml's copies of the CRDs are dropped by the
 * DeclaredObjects ledger, which keeps the crds stage's); nothing is patched after the fact.
 */
import * as pulumi from '@pulumi/pulumi';
import { ClusterInstall } from '../../constructs';
import { ReleaseInstallArgs, StagedInstall, releaseManifests, withConfigData } from './release-install';
import { ConfigError } from './config-error';

/** The pinned versions (upstream.yaml, through the library's ClusterInstall table). */
export const KNATIVE_SERVING_VERSION = ClusterInstall.KNATIVE_SERVING.version;
export const NET_KOURIER_VERSION = ClusterInstall.NET_KOURIER.version;

/** The release manifests of a Knative Serving installation. */
export function knativeServingManifestUrls(servingVersion: string, kourierVersion: string): { crds: string; core: string; kourier: string } {
  return {
    crds: `https://github.com/knative/serving/releases/download/knative-v${servingVersion}/serving-crds.yaml`,
    core: `https://github.com/knative/serving/releases/download/knative-v${servingVersion}/serving-core.yaml`,
    kourier: `https://github.com/knative-extensions/net-kourier/releases/download/knative-v${kourierVersion}/kourier.yaml`,
  };
}

export interface KnativeServingSettings {
  /**
   * Domain of public Knative Services (`<name>.<namespace>.<domain>`).
   * @default - Knative's default (routes answer only inside the cluster until a domain is configured)
   */
  readonly domain?: string;
  /**
   * Longest request timeout any Knative Service may set (`max-revision-timeout-seconds`); the activator's drain
   * time and Envoy's stream idle timeout follow it.
   * @default 600 (Knative's default)
   */
  readonly maxRevisionTimeoutSeconds?: number;
  /**
   * Type of kourier's ingress Service (`NodePort` on clusters without load balancers, e.g. kind).
   * @default 'LoadBalancer'
   */
  readonly ingressServiceType?: string;
}

/**
 * Applies the settings to the release objects; returns the three groups in install order. Pure: the manifests go in,
 * the objects to create come out.
 */
export function prepareKnativeServing(
  manifests: { crds: any[]; core: any[]; kourier: any[] },
  settings: KnativeServingSettings = {},
): { crds: any[]; core: any[]; kourier: any[] } {
  const timeout = settings.maxRevisionTimeoutSeconds ?? 600;
  if (!Number.isInteger(timeout) || timeout < 1) throw new ConfigError(`maxRevisionTimeoutSeconds (${JSON.stringify(timeout)}) must be a positive whole number of seconds; Knative's default is 600`);
  const core = manifests.core
    .map((o) => withConfigData(o, 'knative-serving', 'config-network', { 'ingress-class': 'kourier.ingress.networking.knative.dev' }))
    .map((o) => withConfigData(o, 'knative-serving', 'config-defaults', { 'max-revision-timeout-seconds': String(timeout) }))
    .map((o) => (settings.domain ? withConfigData(o, 'knative-serving', 'config-domain', { [settings.domain]: '' }) : o))
    .map((o) => {
      if (o.kind !== 'Deployment' || o.metadata?.name !== 'activator' || timeout <= 600) return o;
      // The activator must outlive the longest request when it drains (its own default is 600s).
      return { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec, terminationGracePeriodSeconds: timeout } } } };
    });
  const kourier = manifests.kourier
    .map((o) => withConfigData(o, 'knative-serving', 'config-kourier', { 'stream-idle-timeout': `${Math.max(timeout, 300)}s` }))
    .map((o) => {
      if (!settings.ingressServiceType || o.kind !== 'Service' || o.metadata?.name !== 'kourier' || o.metadata?.namespace !== 'kourier-system') return o;
      return { ...o, spec: { ...o.spec, type: settings.ingressServiceType } };
    });
  const missing = [
    ['knative-serving/config-network', core],
    ['knative-serving/config-defaults', core],
    ['knative-serving/activator', core],
    ['knative-serving/config-kourier', kourier],
  ].filter(([id, objs]) => !(objs as any[]).some((o) => `${o.metadata?.namespace}/${o.metadata?.name}` === id));
  if (missing.length) {
    throw new Error(`the Knative manifests lack ${missing.map(([id]) => id).join(', ')}; are these the serving-core and kourier release files?`);
  }
  return { crds: manifests.crds.filter((o) => o.kind === 'CustomResourceDefinition'), core, kourier };
}

export interface KnativeServingArgs extends KnativeServingSettings, ReleaseInstallArgs {
  /** @default KNATIVE_SERVING_VERSION */
  readonly servingVersion?: string;
  /** @default NET_KOURIER_VERSION */
  readonly kourierVersion?: string;
}

/** Knative Serving with net-kourier: CRDs, then core, then kourier (see the module comment). */
export class KnativeServing extends StagedInstall {
  /** Ready when the CRDs, the core and kourier are all created; depend on this. */
  public readonly ready: pulumi.Resource[];
  /** What each install it provides is, once ready, by ClusterInstall id (for Cdk8sDeployment's `installs`). */
  public readonly installs: { [installId: string]: pulumi.Resource[] };

  public constructor(name: string, args: KnativeServingArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    const urls = knativeServingManifestUrls(args.servingVersion ?? KNATIVE_SERVING_VERSION, args.kourierVersion ?? NET_KOURIER_VERSION);
    const read = releaseManifests(args, urls);
    const prepared = read.then((m) => prepareKnativeServing({ crds: m.crds, core: m.core, kourier: m.kourier }, args));
    super('platform-blueprints:index:KnativeServing', name, [
      { name: 'crds', objects: prepared.then((p) => p.crds) },
      { name: 'core', objects: prepared.then((p) => p.core), after: ['crds'] },
      { name: 'kourier', objects: prepared.then((p) => p.kourier), after: ['core'] },
    ], args, opts);
    this.ready = this.stagesNamed('crds', 'core', 'kourier');
    this.installs = { [ClusterInstall.KNATIVE_SERVING.id]: this.ready, [ClusterInstall.NET_KOURIER.id]: this.ready };
  }
}
