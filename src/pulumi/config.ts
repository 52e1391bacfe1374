/**
 * Stack configuration of the Pulumi program: every knob a user changes per environment, typed, with defaults and
 * clear errors (`pulumi config set platform-blueprints:profile prod`). The schema is also declared in Pulumi.yaml.
 */
import * as pulumi from '@pulumi/pulumi';
import { CertificateIssuer, CrossplaneMode, PlatformProfile, Profile, StoreBackend, StoreProvider } from '../../constructs';
import { IMAGE_NAMES, ReferencePlatformOptions } from '../reference-platform';
import { ConfigError } from './config-error';

export { ConfigError };
import { isAbsoluteHttpUrl } from './tekton';

export interface ProgramConfig {
  readonly platform: ReferencePlatformOptions;
  /** Install Knative Serving + kourier (false when the cluster already has it). */
  readonly installKnative: boolean;
  /** Install the event stack: cert-manager, RabbitMQ operators, Knative Eventing, eventing-rabbitmq. */
  readonly installEventing: boolean;
  /**
   * Install Tekton Pipelines and Triggers (with the core interceptors): true installs them whatever the platform
   * deploys, false never (the cluster runs them already).
   * @default - when the platform deploys a tekton.dev or triggers.tekton.dev object
   */
  readonly installTekton?: boolean;
  /**
   * Where the installed Tekton sends the CloudEvents of every run of the cluster (`config-events` `sink`; one URL per
   * cluster): an absolute http(s) URL.
   * @default - the platform's broker
   */
  readonly tektonEventsSink?: string;
  /**
   * Install Kratix with its single-cluster setup (cert-manager, Flux, MinIO, a BucketStateStore and this cluster as
   * the Destination `worker-1`): true installs it whatever the platform deploys, false never (the cluster runs it).
   * @default - when the platform deploys a platform.kratix.io object
   */
  readonly installKratix?: boolean;
  readonly knativeDomain?: string;
  readonly ingressServiceType?: string;
  /** Folder holding the release files by file name (air-gapped installs); each is checked against its pin. */
  readonly knativeManifestsDir?: string;
  /** Read release files upstream.yaml does not pin, trusting the first download of each (cert-manager and the RabbitMQ files are not pinned yet). */
  readonly allowUnpinnedReleases: boolean;
  /** The Redis password, when set with `pulumi config set --secret`; generated otherwise. */
  readonly redisPassword?: pulumi.Output<string>;
  /** Install Crossplane and publish the platform APIs (XRDs, compositions, packages). */
  readonly crossplane: boolean;
  /** A local Crossplane chart (air-gapped installs). */
  readonly crossplaneChart?: string;
}

const NAMESPACE = 'platform-blueprints';
const SERVICE_TYPES = ['LoadBalancer', 'NodePort', 'ClusterIP'];


function fail(key: string, value: unknown, rule: string): never {
  throw new ConfigError(`${NAMESPACE}:${key} (${JSON.stringify(value)}) ${rule}`);
}

function optionalInteger(cfg: pulumi.Config, key: string, min: number): number | undefined {
  const raw = cfg.get(key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) fail(key, raw, `must be a whole number >= ${min}`);
  return n;
}

function httpUrl(cfg: pulumi.Config, key: string): string | undefined {
  const raw = cfg.get(key);
  if (raw === undefined) return undefined;
  if (!isAbsoluteHttpUrl(raw)) {
    fail(key, raw, 'must be an absolute http(s) URL, e.g. http://broker-ingress.knative-eventing.svc.cluster.local/<namespace>/<broker>');
  }
  return raw;
}

export function readConfig(cfg: pulumi.Config = new pulumi.Config(NAMESPACE)): ProgramConfig {
  const profile = cfg.get('profile') ?? Profile.DEV;
  if (!Object.values(Profile).includes(profile as Profile)) fail('profile', profile, `must be one of ${Object.values(Profile).join(', ')}`);
  const images = cfg.getObject<{ [name: string]: string }>('images');
  if (images !== undefined && (typeof images !== 'object' || images === null || Array.isArray(images) || Object.values(images).some((v) => typeof v !== 'string'))) {
    fail('images', images, `must be an object of image references by name (${IMAGE_NAMES.join(', ')})`);
  }
  const unknownImage = Object.keys(images ?? {}).find((name) => !IMAGE_NAMES.includes(name));
  if (unknownImage !== undefined) fail('images', images, `names "${unknownImage}", which is not an image of the platform; use ${IMAGE_NAMES.join(', ')}`);
  const ingressServiceType = cfg.get('ingressServiceType');
  if (ingressServiceType !== undefined && !SERVICE_TYPES.includes(ingressServiceType)) {
    fail('ingressServiceType', ingressServiceType, `must be one of ${SERVICE_TYPES.join(', ')}`);
  }
  const flag = (key: string, byDefault: boolean = true): boolean => {
    const value = cfg.get(key);
    if (value !== undefined && !['true', 'false'].includes(value)) fail(key, value, 'must be true or false');
    return value === undefined ? byDefault : value === 'true';
  };
  const choice = <T extends string>(key: string, values: T[]): T | undefined => {
    const value = cfg.get(key);
    if (value !== undefined && !values.includes(value as T)) fail(key, value, `must be one of ${values.join(', ')}`);
    return value as T | undefined;
  };
  const store = choice('store', Object.values(StoreBackend)) ?? PlatformProfile.defaults(profile as Profile).storeBackend;
  const crossplane = flag('crossplane', store === StoreBackend.CLAIM);
  if (store === StoreBackend.CLAIM && !crossplane) {
    fail('crossplane', false, `is off, but the store is claimed (profile ${profile}); set it to true, or store to in-cluster`);
  }
  const gcpRegion = cfg.get('gcpRegion');
  const gcpNetwork = cfg.get('gcpNetwork');
  if ((gcpRegion === undefined) !== (gcpNetwork === undefined)) {
    fail(gcpRegion === undefined ? 'gcpRegion' : 'gcpNetwork', undefined, 'is required with ' + (gcpRegion === undefined ? 'gcpNetwork' : 'gcpRegion'));
  }
  const storeProvider = choice('storeProvider', Object.values(StoreProvider));
  if (store === StoreBackend.CLAIM && cfg.get('redisPassword') !== undefined) {
    fail('redisPassword', '[secret]', 'sets the in-cluster Redis\' password, but the store is claimed (its composition generates one); remove it, or set store to in-cluster');
  }
  if (storeProvider === StoreProvider.GCP && gcpRegion === undefined) fail('storeProvider', storeProvider, 'needs gcpRegion and gcpNetwork');
  // The gateway's own domain: its certificate comes from a ClusterIssuer the cluster runs.
  const gatewayDomain = cfg.get('gatewayDomain');
  const gatewayIssuer = cfg.get('gatewayIssuer');
  if ((gatewayDomain === undefined) !== (gatewayIssuer === undefined)) {
    fail(gatewayDomain === undefined ? 'gatewayDomain' : 'gatewayIssuer', undefined, gatewayDomain === undefined
      ? 'is required with gatewayIssuer: the domain the gateway is served on, e.g. api.example.com'
      : 'is required with gatewayDomain: the name of the cert-manager ClusterIssuer that signs its certificate, e.g. letsencrypt');
  }
  return {
    platform: {
      profile: profile as Profile,
      namespace: cfg.get('namespace'),
      eventsNamespace: cfg.get('eventsNamespace'),
      images,
      gatewayMinScale: optionalInteger(cfg, 'gatewayMinScale', 0),
      functionMinScale: optionalInteger(cfg, 'functionMinScale', 0),
      redisStorageGi: optionalInteger(cfg, 'redisStorageGi', 1),
      store,
      platformApis: crossplane,
      crossplaneMode: choice('crossplaneMode', Object.values(CrossplaneMode)),
      gcp: gcpRegion !== undefined ? { region: gcpRegion, authorizedNetwork: gcpNetwork! } : undefined,
      storeProvider,
      gatewayDomain: gatewayDomain !== undefined ? { domain: gatewayDomain, issuer: CertificateIssuer.clusterIssuer(gatewayIssuer!) } : undefined,
    },
    installKnative: flag('installKnative'),
    installEventing: flag('installEventing'),
    installTekton: cfg.get('installTekton') === undefined ? undefined : flag('installTekton'),
    tektonEventsSink: httpUrl(cfg, 'tektonEventsSink'),
    installKratix: cfg.get('installKratix') === undefined ? undefined : flag('installKratix'),
    knativeDomain: cfg.get('knativeDomain'),
    ingressServiceType,
    knativeManifestsDir: cfg.get('knativeManifestsDir'),
    allowUnpinnedReleases: flag('allowUnpinnedReleases', false),
    redisPassword: cfg.getSecret('redisPassword'),
    crossplane,
    crossplaneChart: cfg.get('crossplaneChart'),
  };
}

/** A namespace an install of the program creates, and what creates it. */
export interface InstalledNamespace {
  readonly namespace: string;
  /** What declares it, e.g. `serving-core.yaml` or `the Crossplane Helm release`. */
  readonly declaredBy: string;
  /** The stack setting that turns the install on, e.g. `installKnative`. */
  readonly setting: string;
}

/**
 * Refuses a platform namespace (the `namespace` or `eventsNamespace` setting, by key) that an install the program runs
 * creates: the ledger would keep the install's Namespace, which has neither the platform's Pod Security labels nor
 * its protection (the Redis and RabbitMQ data live in those namespaces), and the platform's objects would share it
 * with the install's.
 */
export function refuseInstalledNamespaces(platform: { [key: string]: string }, installed: InstalledNamespace[]): void {
  for (const [key, namespace] of Object.entries(platform)) {
    const owner = installed.find((i) => i.namespace === namespace);
    if (!owner) continue;
    fail(key, namespace, `is a namespace an install of the program creates (${owner.declaredBy} declares Namespace ${namespace}; ${owner.setting} is on): ` +
      'its Namespace would be deployed instead of the platform\'s, without the Pod Security labels and without the protection of the data kept there; ' +
      `choose a namespace of the platform's own (not one of ${[...new Set(installed.map((i) => i.namespace))].join(', ')})`);
  }
}
