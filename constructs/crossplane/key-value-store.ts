/**
 * The reference key/value store API: `KeyValueStore` (Redis-compatible), with two compositions —
 *   - `provider: local`: this library's `Redis` construct in the claim's namespace, as provider-kubernetes Objects,
 *     with a password generated once and kept in the connection Secret;
 *   - `provider: gcp` (optional): a GCP Memorystore instance through the user's provider-gcp-redis.
 * `KeyValueStoreClaim` requests one and implements IKeyValueStore: `claim.bind(fn)` is the call that binds an
 * in-cluster `Redis`, reading host, port and password from the connection Secret.
 */
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterDomain } from '../core/context';
import { invalid } from '../core/errors';
import { recommendedLabels } from '../core/labels';
import { PasswordSource } from '../core/secrets';
import { IKeyValueStore, IWorkload, StoreBindOptions } from '../core/contracts';
import { requireName } from '../core/validate';
import { EXEMPTION_PREFIX, PolicyRuleId } from '../policy/policy';
import { Redis } from '../redis/redis';
import { CrossplaneMode, PlatformApi } from './api';
import { BindingEnv, ClaimAttributes, ClaimOptions, ClaimedService, ImportedClaim, claimClientLabel } from './claim';
import { Composition, ConnectionDetail, Patch, PipelineStep, ReadinessCheck, Transform } from './composition';
import { InClusterTemplate, PLACEHOLDER } from './in-cluster';
import { SchemaField } from './schema';

/** Sizes of a store: memory and disk locally, memory in the cloud. */
export enum StoreSize {
  SMALL = 'small',
  MEDIUM = 'medium',
  LARGE = 'large',
}

/** Where a claimed store runs (the `provider` label of the compositions). */
export enum StoreProvider {
  /** In the claim's namespace, on the cluster (Redis StatefulSet). */
  LOCAL = 'local',
  /** GCP Memorystore. */
  GCP = 'gcp',
}

const LOCAL_SIZES: { [size: string]: { cpu: number; memory: Size; storage: Size } } = {
  [StoreSize.SMALL]: { cpu: 100, memory: Size.mebibytes(256), storage: Size.gibibytes(1) },
  [StoreSize.MEDIUM]: { cpu: 250, memory: Size.gibibytes(1), storage: Size.gibibytes(5) },
  [StoreSize.LARGE]: { cpu: 500, memory: Size.gibibytes(4), storage: Size.gibibytes(20) },
};
const GCP_SIZES_GB: { [size: string]: number } = { [StoreSize.SMALL]: 1, [StoreSize.MEDIUM]: 5, [StoreSize.LARGE]: 16 };
const REDIS_PORT = 6379;


export interface GcpMemorystoreOptions {
  /** GCP region, e.g. `europe-west1`. */
  readonly region: string;
  /** VPC network the instance is reachable from, e.g. `projects/acme/global/networks/apps`. */
  readonly authorizedNetwork: string;
  /** @default 'REDIS_7_2' */
  readonly redisVersion?: string;
  /**
   * Encrypt client connections (clients then need TLS and Memorystore's CA, which this API does not hand out).
   * @default false - private service access within the VPC, plain connections
   */
  readonly transitEncryption?: boolean;
  /** Name of the provider-gcp (Cluster)ProviderConfig. @default 'default' */
  readonly providerConfigName?: string;
}

export interface KeyValueStoreApiProps {
  /** @default CrossplaneMode.NAMESPACED */
  readonly mode?: CrossplaneMode;
  /** @default 'data.platform-blueprints.io' */
  readonly group?: string;
  /** Adds the `provider: gcp` composition. @default - local only */
  readonly gcp?: GcpMemorystoreOptions;
  /** The composition claims get without a selector. @default StoreProvider.LOCAL */
  readonly defaultProvider?: StoreProvider;
  /** Redis image of the local composition. @default - the Redis construct's */
  readonly redisImage?: string;
}

/** The KeyValueStore platform API and its compositions (see the module comment). */
const KEY_VALUE_STORE_API = Symbol.for('platform-blueprints.KeyValueStoreApi');

export class KeyValueStoreApi extends Construct {
  /** True for every KeyValueStoreApi, also one made by another copy of this library. */
  public static isKeyValueStoreApi(x: unknown): x is KeyValueStoreApi {
    return typeof x === 'object' && x !== null && (x as any)[KEY_VALUE_STORE_API] === true;
  }

  public readonly api: PlatformApi;
  public readonly local: Composition;
  public readonly gcp?: Composition;
  /** The composition claims get without a selector. */
  public readonly defaultProvider: StoreProvider;
  /** The local composition's template (its objects can be rendered for given values). */
  public readonly localTemplate: InClusterTemplate;

  public constructor(scope: Construct, id: string, props: KeyValueStoreApiProps = {}) {
    super(scope, id);
    Object.defineProperty(this, KEY_VALUE_STORE_API, { value: true });
    this.api = new PlatformApi(this, 'Api', {
      group: props.group ?? 'data.platform-blueprints.io',
      kind: 'KeyValueStore',
      mode: props.mode,
      description: 'A Redis-compatible key/value store for the functions of a namespace.',
      spec: {
        // A StatefulSet's volume and a Memorystore tier cannot change in place: both are fixed at creation.
        size: SchemaField.string({ enum: Object.values(StoreSize), default: StoreSize.SMALL, immutable: true, description: 'small, medium or large (memory, and disk where it applies); fixed at creation.' }),
        highAvailability: SchemaField.boolean({ default: false, immutable: true, description: 'A replica that takes over when the primary fails (cloud compositions only); fixed at creation.' }),
      },
      connectionSecretKeys: ['host', 'port', 'password'],
    });
    const defaultProvider = props.defaultProvider ?? StoreProvider.LOCAL;
    this.defaultProvider = defaultProvider;
    if (!Object.values(StoreProvider).includes(defaultProvider)) invalid(this, 'defaultProvider', defaultProvider, `must be one of ${Object.values(StoreProvider).join(', ')}`);
    if (defaultProvider === StoreProvider.GCP && !props.gcp) invalid(this, 'defaultProvider', defaultProvider, 'needs the gcp composition', 'set gcp: { region, authorizedNetwork }');

    this.localTemplate = this.buildLocalTemplate(props.redisImage);
    this.local = new Composition(this, 'Local', {
      api: this.api,
      labels: { provider: StoreProvider.LOCAL },
      default: defaultProvider === StoreProvider.LOCAL,
      pipeline: [PipelineStep.inCluster('render-redis', this.localTemplate), PipelineStep.autoReady()],
    });
    if (props.gcp) {
      this.gcp = new Composition(this, 'Gcp', {
        api: this.api,
        labels: { provider: StoreProvider.GCP },
        default: defaultProvider === StoreProvider.GCP,
        pipeline: this.gcpPipeline(props.gcp),
      });
    }
  }

  private buildLocalTemplate(image: string | undefined): InClusterTemplate {
    const { NAME, NAMESPACE, SECRET, UID } = PLACEHOLDER;
    const host = `${NAME}.${NAMESPACE}.svc.${clusterDomain(this)}`;
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: SECRET,
        namespace: NAMESPACE,
        labels: recommendedLabels({ name: 'redis', instance: NAME, component: 'key-value-store' }),
        // The value is generated in the cluster by the composition; no manifest in git ever holds it.
        annotations: { [`${EXEMPTION_PREFIX}${PolicyRuleId.LITERAL_SECRETS.toLowerCase()}`]: 'the password is generated in-cluster by the composition, never written to git' },
      },
      type: 'Opaque',
      stringData: { host, port: String(REDIS_PORT), password: 'zzgenerated' },
    };
    return new InClusterTemplate(this, {
      api: this.api,
      variants: Object.values(StoreSize).map((size) => ({
        when: `eq $spec.size ${JSON.stringify(size)}`,
        builder: { addObjects: (chart: Chart) => {
          const s = LOCAL_SIZES[size];
          const redis = new Redis(chart, 'Redis', {
            name: NAME,
            image,
            password: PasswordSource.fromSecret(SECRET, 'password'),
            storage: s.storage,
            resources: { cpu: { request: kplus.Cpu.millis(s.cpu) }, memory: { request: s.memory, limit: s.memory } },
          });
          redis.admit({ namespace: NAMESPACE, podSelector: { [claimClientLabel(NAME)]: 'client' }, description: 'bound workloads' }, { ports: [REDIS_PORT] });
        } },
      })),
      common: [secret],
      generated: [{ placeholder: 'zzgenerated', length: 32, resource: InClusterTemplate.resourceName(secret), path: ['stringData', 'password'] }],
      objectOptions: {
        optionsFor: (m: any) => {
          if (m.kind === 'StatefulSet') return { readyWhen: 'has(object.status.readyReplicas) && object.status.readyReplicas == object.spec.replicas' };
          if (m.kind !== 'Secret') return {};
          return {
            // Created once, never overwritten: should the template ever render another password, Redis keeps the
            // one it started with, and so does everything that reads the Secret.
            managementPolicies: ['Observe', 'Create', 'Delete', 'LateInitialize'],
            // With claims, the composite's connection details come from the Secret as it is, not from the template.
            ...(this.api.mode === CrossplaneMode.CLAIMS ? {
              connectionDetails: ['host', 'port', 'password'].map((key) => ({ name: SECRET, namespace: NAMESPACE, fieldPath: `data.${key}`, toConnectionSecretKey: key })),
              writeConnectionSecretTo: { name: `${UID}-redis` },
            } : {}),
          };
        },
      },
      compositeConnection: { fromResource: InClusterTemplate.resourceName(secret) },
      claimsSecretName: `${NAME}-redis-auth`,
      guard: `{{- if $spec.highAvailability }}{{ fail "the local KeyValueStore runs one Redis: highAvailability needs a cloud composition (compositionSelector provider: gcp)" }}{{ end }}`,
    });
  }

  private gcpPipeline(gcp: GcpMemorystoreOptions): PipelineStep[] {
    requireName(this, 'gcp.region', gcp?.region, 'dns1123-label');
    if (typeof gcp.authorizedNetwork !== 'string' || !/^projects\/[^/]+\/global\/networks\/[^/]+$/.test(gcp.authorizedNetwork)) {
      invalid(this, 'gcp.authorizedNetwork', gcp.authorizedNetwork, 'must be a VPC network path', 'e.g. "projects/acme/global/networks/apps"');
    }
    const redisVersion = gcp.redisVersion ?? 'REDIS_7_2';
    if (!/^REDIS_\d+_\d+$/.test(redisVersion)) invalid(this, 'gcp.redisVersion', redisVersion, 'is not a Memorystore version', 'e.g. "REDIS_7_2"');
    const providerConfig = requireName(this, 'gcp.providerConfigName', gcp.providerConfigName ?? 'default', 'dns1123-subdomain');
    const namespaced = this.api.mode === CrossplaneMode.NAMESPACED;
    const forProvider = {
      region: gcp.region,
      tier: 'BASIC',
      memorySizeGb: GCP_SIZES_GB[StoreSize.SMALL],
      redisVersion,
      authEnabled: true,
      transitEncryptionMode: gcp.transitEncryption ? 'SERVER_AUTHENTICATION' : 'DISABLED',
      connectMode: 'PRIVATE_SERVICE_ACCESS',
      authorizedNetwork: gcp.authorizedNetwork,
    };
    const memorystore = {
      name: 'memorystore',
      base: namespaced
        ? {
          apiVersion: 'redis.gcp.m.upbound.io/v1beta1',
          kind: 'Instance',
          spec: { forProvider, providerConfigRef: { kind: 'ClusterProviderConfig', name: providerConfig }, writeConnectionSecretToRef: { name: 'memorystore' } },
        }
        : {
          apiVersion: 'redis.gcp.upbound.io/v1beta2',
          kind: 'Instance',
          spec: { forProvider, providerConfigRef: { name: providerConfig }, writeConnectionSecretToRef: { name: 'memorystore', namespace: 'crossplane-system' } },
        },
      patches: [
        Patch.fromComposite('spec.size', 'spec.forProvider.memorySizeGb', { transforms: [Transform.map(GCP_SIZES_GB)] }),
        Patch.fromComposite('spec.highAvailability', 'spec.forProvider.tier', { transforms: [Transform.convert('string'), Transform.map({ true: 'STANDARD_HA', false: 'BASIC' })] }),
        // Each instance writes its own Secret: named after the composite (namespaced) or its uid (cluster-scoped).
        Patch.fromComposite(namespaced ? 'metadata.name' : 'metadata.uid', 'spec.writeConnectionSecretToRef.name', { transforms: [Transform.format('%s-memorystore')], required: true }),
      ],
      connectionDetails: [
        ConnectionDetail.fromConnectionSecretKey('host', 'host'),
        ConnectionDetail.fromConnectionSecretKey('port', 'port'),
        ConnectionDetail.fromConnectionSecretKey('password', 'attribute.auth_string'),
      ],
      readinessChecks: [ReadinessCheck.matchCondition()],
    };
    const steps = [PipelineStep.patchAndTransform('memorystore', [memorystore])];
    if (namespaced) {
      // v2 composites have no connection details: the composition writes the Secret the claim names, with the keys
      // every KeyValueStore composition provides (Memorystore calls the password `attribute.auth_string`).
      steps.push(PipelineStep.goTemplate('connection-secret', [
        '{{- $xr := .observed.composite.resource }}',
        '{{- $details := dig "observed" "resources" "memorystore" "connectionDetails" (dict) . }}',
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: {{ $xr.spec.writeConnectionSecretToRef.name | quote }}',
        '  namespace: {{ $xr.metadata.namespace | quote }}',
        '  annotations:',
        '    gotemplating.fn.crossplane.io/composition-resource-name: connection-secret',
        '    gotemplating.fn.crossplane.io/ready: "True"',
        'type: Opaque',
        'data:',
        '{{- with $details }}',
        '  host: {{ index . "host" | quote }}',
        '  port: {{ index . "port" | quote }}',
        '  password: {{ index . "attribute.auth_string" | quote }}',
        '{{- end }}',
        '',
      ].join('\n'), [{ apiVersion: 'v1', kind: 'Secret' }]));
    }
    steps.push(PipelineStep.autoReady());
    return steps;
  }
}

export interface KeyValueStoreClaimProps extends ClaimOptions {
  /** The API to claim from. */
  readonly api: KeyValueStoreApi;
  /** @default StoreSize.SMALL */
  readonly size?: StoreSize;
  /** @default false */
  readonly highAvailability?: boolean;
  /** Which composition (its `provider` label). @default - the API's default composition */
  readonly provider?: StoreProvider;
}

/**
 * A claimed key/value store. Binds like the in-cluster Redis: `claim.bind(fn)` gives the function `REDIS_HOST`,
 * `REDIS_PORT`, `REDIS_ADDR` and `REDIS_PASSWORD`, all from the connection Secret, and labels its pods so the local
 * composition's network policy admits them.
 */
export class KeyValueStoreClaim extends ClaimedService implements IKeyValueStore {
  public constructor(scope: Construct, id: string, props: KeyValueStoreClaimProps) {
    super(scope, id);
    if (!KeyValueStoreApi.isKeyValueStoreApi(props.api)) invalid(this, 'api', props.api, 'must be a KeyValueStoreApi');
    if (props.provider !== undefined && !Object.values(StoreProvider).includes(props.provider)) {
      invalid(this, 'provider', props.provider, `must be one of ${Object.values(StoreProvider).join(', ')}`);
    }
    if (props.provider !== undefined && props.compositionSelector !== undefined) invalid(this, 'provider', props.provider, 'and compositionSelector are both set', 'use one');
    const provider = props.provider ?? (props.compositionSelector?.provider as StoreProvider | undefined);
    const effective = props.composition ? (props.composition === props.api.gcp ? StoreProvider.GCP : StoreProvider.LOCAL) : (provider ?? props.api.defaultProvider);
    if (props.highAvailability && effective === StoreProvider.LOCAL) {
      invalid(this, 'highAvailability', true, 'is not offered by the local composition (one Redis)', 'claim provider: StoreProvider.GCP, or leave highAvailability off');
    }
    // The store's name names its Redis objects and Services (local composition): a DNS-1035 label.
    const name = requireName(this, 'name', props.name ?? id, 'dns1035-label');
    if (name.length > 40) invalid(this, 'name', name, 'must be at most 40 characters', 'the local composition derives longer names from it');
    this._claim(props.api.api, name, {
      ...props,
      compositionSelector: provider !== undefined ? { ...props.compositionSelector, provider } : props.compositionSelector,
    }, { size: props.size ?? StoreSize.SMALL, highAvailability: props.highAvailability ?? false });
  }

  /** A KeyValueStore claimed elsewhere (another app, by hand), to bind workloads of its namespace to by its connection Secret. */
  public static fromClaimAttributes(scope: Construct, id: string, attrs: ClaimAttributes): IKeyValueStore {
    return new ImportedClaim(scope, id, attrs, { kind: 'KeyValueStore', prefix: 'REDIS', env: STORE_ENV });
  }

  public bind(workload: IWorkload, options: StoreBindOptions = {}): void {
    this._bindFromSecret(workload, options.envPrefix ?? 'REDIS', STORE_ENV);
  }
}

/** What a workload bound to a KeyValueStore receives, from its connection Secret. */
const STORE_ENV: BindingEnv[] = [
  { suffix: 'HOST', secretKey: 'host' },
  { suffix: 'PORT', secretKey: 'port' },
  // The kubelet expands $(VAR) references to variables defined before this one.
  { suffix: 'ADDR', value: '$(HOST):$(PORT)' },
  { suffix: 'PASSWORD', secretKey: 'password' },
];

