/**
 * Crossplane, installed by Pulumi from its Helm chart (the project's only distribution), pinned to the version whose
 * CRDs the constructs are generated from. The platform APIs (functions, providers, XRDs, compositions, claims) are
 * deployed after it through the bridge: `apiextensions.crossplane.io` and `pkg.crossplane.io` objects depend on
 * `ready`; inside the tree the bridge orders ProviderConfigs after their Provider, compositions after their XRD and
 * functions, claims after their XRD.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

export const CROSSPLANE_VERSION = '2.3.4';
export const CROSSPLANE_CHART_REPO = 'https://charts.crossplane.io/stable';
/** The API groups Crossplane itself serves. */
export const CROSSPLANE_GROUPS = ['apiextensions.crossplane.io', 'pkg.crossplane.io', 'protection.crossplane.io', 'ops.crossplane.io'];

export interface CrossplaneInstallArgs {
  /** @default CROSSPLANE_VERSION */
  readonly version?: string;
  /** @default 'crossplane-system' */
  readonly namespace?: string;
  /** A local chart (directory or .tgz) instead of the chart repository, for clusters without internet access. @default - the repository */
  readonly chartPath?: string;
}

/** Crossplane's Helm release, awaited until its Deployments are ready. */
export class CrossplaneInstall extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  /** What objects of Crossplane's API groups wait for. */
  public readonly ready: pulumi.Resource[];
  public readonly namespace: string;

  public constructor(name: string, args: CrossplaneInstallArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform-blueprints:index:CrossplaneInstall', name, {}, opts);
    this.namespace = args.namespace ?? 'crossplane-system';
    const version = args.version ?? CROSSPLANE_VERSION;
    this.release = new k8s.helm.v3.Release(`${name}/crossplane`, {
      name: 'crossplane',
      chart: args.chartPath ?? 'crossplane',
      ...(args.chartPath ? {} : { version, repositoryOpts: { repo: CROSSPLANE_CHART_REPO } }),
      namespace: this.namespace,
      createNamespace: true,
      // Waits for Crossplane's Deployments (and so its CRDs) before anything that needs them.
      skipAwait: false,
      atomic: true,
      timeout: 600,
    }, { parent: this });
    this.ready = [this.release];
    this.registerOutputs({ status: this.release.status });
  }
}
