/**
 * Kratix on a single cluster, installed by Pulumi from pinned upstream files (upstream.yaml `releases:` `kratix` and
 * `kratix-single-cluster`), in stages — the setup Kratix's own quick start applies (kratix-quick-start-installer:
 * cert-manager, then the release's `install-all-in-one.yaml`, then its `config-all-in-one.yaml`, which
 * scripts/make-distribution concatenates from the files read here):
 *
 * 1. `cert-manager`: cert-manager's release file, the event stack's own (same URL, same pin). When the event stack
 *    installs it too, the program's DeclaredObjects ledger keeps the event stack's copy and this stage waits for it.
 * 2. `kratix`: the release's `kratix.yaml` (`kustomize build config/default`): Namespace `kratix-platform-system`,
 *    the `platform.kratix.io` CRDs, the controller manager, its admission webhooks and a cert-manager Issuer and
 *    Certificates. cert-manager injects the webhooks' CA and the Promise CRD's conversion webhook's CA: the stage is
 *    ready only once every `caBundle` is set (a Promise created before is refused and not retried).
 * 3. `flux`: Flux v2.4.0 (source and kustomize controllers, Namespace `flux-system`), which applies what Kratix
 *    schedules to this cluster's Destination.
 * 4. `minio`: an in-cluster MinIO (Deployment and Service `minio` in `kratix-platform-system`, data in an emptyDir)
 *    with its quick-start credentials (Secret `default/minio-credentials`) and a Job creating the bucket `kratix`.
 *    Its Service is ClusterIP here (upstream: NodePort 31337, which would expose MinIO with its default credentials
 *    on every node; Kratix and Flux reach it by its in-cluster name) unless `minioNodePort` is set.
 * 5. `config`: the BucketStateStore `default` on that MinIO, the cluster registered as the Destination `worker-1`
 *    (label `environment: dev`, path `worker-1`), and the Flux Bucket and Kustomizations that apply the Destination's
 *    `dependencies` and then `resources` folders to this cluster.
 *
 * A Promise is created after stages 2 and 5 (ClusterInstall `kratix`): its CRD and webhooks are served and the
 * Destination its `destinationSelectors` match is registered.
 */
import * as pulumi from '@pulumi/pulumi';
import { ClusterInstall } from '../../constructs';
import { PINNED_RELEASES } from '../../constructs/imports/versions';
import { eventingManifestUrls } from './knative-eventing';
import { ReleaseInstallArgs, StagedInstall, releaseManifests } from './release-install';

/** The pinned Kratix (upstream.yaml, through the library's ClusterInstall table): the `latest` tag at this commit. */
export const KRATIX_VERSION = ClusterInstall.KRATIX.version;

/** The namespace of Kratix's controller and of the in-cluster MinIO. */
export const KRATIX_NAMESPACE = 'kratix-platform-system';

/** Flux's namespace. */
export const FLUX_NAMESPACE = 'flux-system';

/**
 * The Destination the single-cluster setup registers: this cluster, under its labels. A Promise's
 * `destinationSelectors` must match these labels for its Works to be applied here.
 */
export const KRATIX_DESTINATION = { name: 'worker-1', labels: { environment: 'dev' } as { readonly [key: string]: string } };

/** The stages, in install order, and what each waits for (see the module comment). */
export const KRATIX_STAGES: Array<{ name: string; after: string[]; files: string[] }> = [
  { name: 'cert-manager', after: [], files: ['cert-manager'] },
  { name: 'kratix', after: ['cert-manager'], files: ['kratix'] },
  { name: 'flux', after: [], files: ['flux'] },
  // Declares Kratix's namespace again: kratix.yaml's copy is the one deployed.
  { name: 'minio', after: ['kratix'], files: ['minio'] },
  { name: 'config', after: ['kratix', 'flux', 'minio'], files: ['state-store', 'destination', 'gitops'] },
];

/** The files, by name: cert-manager's (the event stack's), Kratix's release file, and the single-cluster files. */
export function kratixManifestUrls(): { [file: string]: string } {
  const setupRelease = PINNED_RELEASES['kratix-single-cluster'];
  const setup = (role: string) => {
    const url = setupRelease?.artifacts[role];
    if (!url) throw new Error(`upstream.yaml release kratix-single-cluster has no ${role} file; run npm run import`);
    return url;
  };
  return {
    'cert-manager': eventingManifestUrls()['cert-manager'],
    'kratix': ClusterInstall.KRATIX.release.artifacts.release,
    'flux': setup('flux'),
    'minio': setup('minio'),
    'state-store': setup('state-store'),
    'destination': setup('destination'),
    'gitops': setup('gitops'),
  };
}

export interface KratixSettings {
  /**
   * Keep the MinIO Service a NodePort (31337), as Kratix's quick start has it, e.g. to look into the state store from
   * outside the cluster. It exposes MinIO, with its default credentials, on every node.
   * @default false - a ClusterIP Service (Kratix and Flux reach MinIO by its in-cluster name)
   */
  readonly minioNodePort?: boolean;
  /**
   * Install cert-manager with Kratix. Turn off when the cluster runs cert-manager already (not installed by this
   * program); when the event stack installs it, leave it on: the ledger keeps one copy.
   * @default true
   */
  readonly installCertManager?: boolean;
}

const has = (objects: any[], kind: string, namespace: string | undefined, name: string) =>
  objects.some((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace);

/** The in-cluster MinIO Service: ClusterIP, no node port (other objects unchanged). */
function clusterIpService(o: any): any {
  if (o.kind !== 'Service' || o.metadata?.name !== 'minio' || o.metadata?.namespace !== KRATIX_NAMESPACE) return o;
  const ports = (o.spec?.ports ?? []).map((p: any) => {
    const { nodePort: _, ...rest } = p;
    return rest;
  });
  return { ...o, spec: { ...o.spec, type: 'ClusterIP', ports } };
}

/**
 * Checks the files are Kratix's release and single-cluster files, applies the settings, and returns the objects by
 * stage. Pure: the manifests go in (by file, kratixManifestUrls' keys), the objects to create come out.
 */
export function prepareKratix(manifests: { [file: string]: any[] }, settings: KratixSettings = {}): { [stage: string]: any[] } {
  const expected: Array<[string, string, string | undefined, string]> = [
    ['kratix', 'Namespace', undefined, KRATIX_NAMESPACE],
    ['kratix', 'CustomResourceDefinition', undefined, 'promises.platform.kratix.io'],
    ['kratix', 'Deployment', KRATIX_NAMESPACE, 'kratix-platform-controller-manager'],
    ['kratix', 'ValidatingWebhookConfiguration', undefined, 'kratix-platform-validating-webhook-configuration'],
    ['flux', 'Namespace', undefined, FLUX_NAMESPACE],
    ['flux', 'Deployment', FLUX_NAMESPACE, 'source-controller'],
    ['flux', 'Deployment', FLUX_NAMESPACE, 'kustomize-controller'],
    ['minio', 'Service', KRATIX_NAMESPACE, 'minio'],
    ['minio', 'Job', 'default', 'minio-create-bucket'],
    ['state-store', 'BucketStateStore', undefined, 'default'],
    ['destination', 'Destination', undefined, KRATIX_DESTINATION.name],
    ['gitops', 'Bucket', FLUX_NAMESPACE, 'kratix'],
  ];
  const missing = expected.filter(([file, kind, ns, name]) => !has(manifests[file] ?? [], kind, ns, name));
  if (missing.length) {
    throw new Error(`the Kratix files lack ${missing.map(([file, kind, ns, name]) => `${kind} ${ns ? `${ns}/` : ''}${name} (${file})`).join(', ')}; ` +
      'are these Kratix\'s kratix.yaml and its single-cluster files (upstream.yaml kratix, kratix-single-cluster)?');
  }
  const destination = manifests.destination.find((o) => o.kind === 'Destination');
  const labels = destination.metadata?.labels ?? {};
  const wrong = Object.entries(KRATIX_DESTINATION.labels).filter(([k, v]) => labels[k] !== v);
  if (wrong.length) {
    throw new Error(`the Destination ${KRATIX_DESTINATION.name} is labelled ${JSON.stringify(labels)}, not ${JSON.stringify(KRATIX_DESTINATION.labels)}: ` +
      'Promises selecting it would not be scheduled; is this Kratix\'s config/samples/platform_v1alpha1_worker.yaml?');
  }
  const minio = settings.minioNodePort ? manifests.minio : manifests.minio.map(clusterIpService);
  const files: { [file: string]: any[] } = { ...manifests, minio };
  return Object.fromEntries(KRATIX_STAGES
    .filter((s) => s.name !== 'cert-manager' || settings.installCertManager !== false)
    .map((s) => [s.name, s.files.flatMap((f) => files[f] ?? [])]));
}

export interface KratixArgs extends KratixSettings, ReleaseInstallArgs {
}

/** Kratix with cert-manager, Flux, MinIO, its state store and this cluster as its Destination (see the module comment). */
export class KratixInstall extends StagedInstall {
  /** Ready for `platform.kratix.io` objects: Kratix serves them and the Destination is registered. */
  public readonly kratixReady: pulumi.Resource[];
  /** What each install it provides is, once ready, by ClusterInstall id (for Cdk8sDeployment's `installs`). */
  public readonly installs: { [installId: string]: pulumi.Resource[] };

  public constructor(name: string, args: KratixArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    const urls = kratixManifestUrls();
    if (args.installCertManager === false) delete urls['cert-manager'];
    const read = releaseManifests(args, urls);
    const prepared = read.then((m) => prepareKratix(m, args));
    const stages = KRATIX_STAGES.filter((s) => s.name !== 'cert-manager' || args.installCertManager !== false)
      .map((s) => ({ name: s.name, after: s.after.filter((a) => a !== 'cert-manager' || args.installCertManager !== false), objects: prepared.then((p) => p[s.name]) }));
    super('platform-blueprints:index:KratixInstall', name, stages, args, opts);
    this.kratixReady = this.stagesNamed('kratix', 'config');
    this.installs = {
      [ClusterInstall.KRATIX.id]: this.kratixReady,
      ...args.installCertManager !== false ? { [ClusterInstall.CERT_MANAGER.id]: this.stagesNamed('cert-manager') } : {},
    };
  }
}
