/**
 * Crossplane, installed by Pulumi from its Helm chart (the project's only distribution), pinned to the version whose
 * CRDs the constructs are generated from. The platform APIs (functions, providers, XRDs, compositions, claims) are
 * deployed after it through the bridge: `apiextensions.crossplane.io` and `pkg.crossplane.io` objects depend on
 * `ready`; inside the tree the bridge orders ProviderConfigs after their Provider, compositions after their XRD and
 * functions, claims after their XRD.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ClusterInstall } from '../../constructs';

/** The pinned chart (upstream.yaml, through the library's ClusterInstall table). */
export const CROSSPLANE_VERSION = ClusterInstall.CROSSPLANE.version;
export const CROSSPLANE_CHART_REPO = ClusterInstall.CROSSPLANE.release.artifacts['chart-repository'];
/** The namespace the Helm release creates and installs Crossplane into, unless told otherwise (Crossplane's own default). */
export const CROSSPLANE_NAMESPACE = 'crossplane-system';

export interface CrossplaneInstallArgs {
  /** @default CROSSPLANE_VERSION */
  readonly version?: string;
  /** @default CROSSPLANE_NAMESPACE ('crossplane-system') */
  readonly namespace?: string;
  /** A local chart (directory or .tgz) instead of the chart repository, for clusters without internet access. @default - the repository */
  readonly chartPath?: string;
}

/** Crossplane's Helm release, awaited until its Deployments are ready. */
export class CrossplaneInstall extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  /** What objects of Crossplane's API groups wait for. */
  public readonly ready: pulumi.Resource[];
  /** What the install is, once ready, by ClusterInstall id (for Cdk8sDeployment's `installs`). */
  public readonly installs: { [installId: string]: pulumi.Resource[] };
  public readonly namespace: string;

  public constructor(name: string, args: CrossplaneInstallArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform-blueprints:index:CrossplaneInstall', name, {}, opts);
    this.namespace = args.namespace ?? CROSSPLANE_NAMESPACE;
    const version = args.version ?? CROSSPLANE_VERSION;
    this.release = new k8s.helm.v3.Release(`${name}/crossplane`, {
      name: 'crossplane',
      chart: args.chartPath ?? ClusterInstall.CROSSPLANE.release.artifacts.chart,
      ...(args.chartPath ? {} : { version, repositoryOpts: { repo: CROSSPLANE_CHART_REPO } }),
      namespace: this.namespace,
      createNamespace: true,
      // Waits for Crossplane's Deployments (and so its CRDs) before anything that needs them.
      skipAwait: false,
      atomic: true,
      timeout: 600,
    }, { parent: this });
    this.ready = [this.release];
    this.installs = { [ClusterInstall.CROSSPLANE.id]: this.ready };
    this.registerOutputs({ status: this.release.status });
  }
}
