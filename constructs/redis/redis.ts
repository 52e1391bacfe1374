import { createHash } from 'crypto';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { bindCredentials, peerOf } from '../core/binding';
import { Admission, AdmitOptions, IAdmitsPeers, IKeyValueStore, IWorkload, ObjectRef, PodPeer, StoreBindOptions } from '../core/contracts';
import { invalid } from '../core/errors';
import { CONFIG_HASH_ANNOTATION, recommendedLabels } from '../core/labels';
import { IngressPolicy } from '../core/network';
import { DeployHints } from '../core/deploy-hints';
import { parseQuantity, requirePositiveQuantity, resourcesToKube, toQuantities } from '../core/quantity';
import { NameFormat, NamespacedResource, ResourceProps, WorkloadResource } from '../core/resource';
import { PasswordSource, SecretKeyReference } from '../core/secrets';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import { requireImage, requireInteger, requireName } from '../core/validate';

/** What Redis does when `maxmemory` is reached. */
export enum MaxMemoryPolicy {
  /** Refuse writes (a store keeps its data). */
  NOEVICTION = 'noeviction',
  ALLKEYS_LRU = 'allkeys-lru',
  ALLKEYS_LFU = 'allkeys-lfu',
  ALLKEYS_RANDOM = 'allkeys-random',
  VOLATILE_LRU = 'volatile-lru',
  VOLATILE_LFU = 'volatile-lfu',
  VOLATILE_RANDOM = 'volatile-random',
  VOLATILE_TTL = 'volatile-ttl',
}

/** How often the append-only file is fsynced. */
export enum AppendFsync {
  /** After every write: safest, slowest. */
  ALWAYS = 'always',
  /** Once per second: at most one second of writes lost on a crash. */
  EVERYSEC = 'everysec',
  /** When the OS decides. */
  NO = 'no',
}

/** Redis settings (everything but where it lives). */
export interface RedisOptions {
  /**
   * Redis image. It must run as a non-root uid (the official image does, as 999).
   * @default REDIS_IMAGE - redis 8.2.7 (alpine), pinned by digest
   */
  readonly image?: string;
  /**
   * Where the password comes from. Authentication is always on.
   * @default PasswordSource.generate() - a Secret `<name>-auth` created at deploy time, never in the YAML
   */
  readonly password?: PasswordSource;
  /**
   * Size of the persistent volume for the append-only file and snapshots.
   * @default Size.gibibytes(1)
   */
  readonly storage?: Size;
  /**
   * StorageClass of the volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Compute resources. A memory limit is required: `maxmemory` is set to 75% of it (the rest covers fork overhead
   * while the append-only file is rewritten).
   * @default - cpu request 100m; memory request and limit 256Mi
   */
  readonly resources?: kplus.ContainerResources;
  /** @default MaxMemoryPolicy.NOEVICTION */
  readonly maxMemoryPolicy?: MaxMemoryPolicy;
  /** @default AppendFsync.EVERYSEC */
  readonly appendFsync?: AppendFsync;
  /**
   * Add a PodDisruptionBudget (minAvailable 1): a voluntary eviction (node drain) then waits for an operator
   * instead of taking the only copy of the data set offline.
   * @default false
   */
  readonly podDisruptionBudget?: boolean;
  /**
   * uid/gid the server runs as; the volume is group-owned by `group`.
   * @default - 999/1000, the redis user and group of the official alpine image
   */
  readonly securityContext?: RedisSecurityOptions;
}

export interface RedisProps extends RedisOptions {
  /**
   * Name of the Service clients connect to (and prefix of the other objects).
   * @default - the construct id
   */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
}

/** A Redis created elsewhere (another app, another team), reached by its Service and its password Secret. */
export interface RedisAttributes {
  /** Name of its Service. */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * The Secret key holding its password, in its namespace.
   * @default - key `password` of the Secret `<name>-auth` (what this library's Redis uses)
   */
  readonly passwordSecret?: SecretKeyReference;
  /** @default 6379 */
  readonly port?: number;
}

export interface RedisSecurityOptions {
  /** @default 999 */
  readonly user?: number;
  /** @default 1000 */
  readonly group?: number;
}

const REDIS_PORT = 6379;
/**
 * The default Redis: the official image 8.2.7 on Alpine (runs as uid 999), pinned by the digest of its multi-arch
 * image index (README "Default images" says where the digest comes from).
 */
export const REDIS_IMAGE = 'docker.io/library/redis:8.2.7-alpine@sha256:223b183cbc49f5ff48728e1fc52ccf101f05072decad2bd9867281a3c9bf75fd';
/** The memory-backed volume the password is written to at start, and the config file Redis includes from it. */
const AUTH_DIR = '/run/redis-auth';
const AUTH_FILE = `${AUTH_DIR}/auth.conf`;
/**
 * Writes `requirepass "<password>"` (POSIX sh + sed, in the Redis image). Inside double quotes Redis' config parser
 * reads `\\` and `\"` as escapes, so those two are escaped; a line break cannot be held on one config line and an empty
 * password would turn authentication off, so both stop the pod with a message instead.
 */
const AUTH_SCRIPT = [
  'set -eu',
  'umask 077',
  '[ -n "$REDIS_PASSWORD" ] || { echo "the Redis password is empty, which would turn authentication off; put a password in the Secret" >&2; exit 1; }',
  'case "$REDIS_PASSWORD" in *"',
  '"*) echo "the Redis password contains a line break, which a Redis config line cannot hold; use a password without one" >&2; exit 1 ;; esac',
  // Assigned first: `set -e` stops on a failed substitution only in an assignment, never inside printf's arguments.
  `escaped=$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\\\"]/\\\\&/g')`,
  '[ -n "$escaped" ] || { echo "could not escape the Redis password (is sed in the image?); refusing to start without one" >&2; exit 1; }',
  `printf 'requirepass "%s"\\n' "$escaped" > ${AUTH_FILE}`,
].join('\n');
const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
};

/**
 * Redis inside the cluster: a single-instance StatefulSet with append-only persistence on a PersistentVolumeClaim
 * that outlives the StatefulSet, password authentication (the password by Secret reference only), Pod Security
 * "restricted", and an ingress NetworkPolicy that admits exactly the bound workloads.
 */
export class Redis extends WorkloadResource implements IKeyValueStore, IAdmitsPeers {
  /** A Redis created elsewhere, to bind workloads of its namespace to (its NetworkPolicy stays its owner's). */
  public static fromRedisAttributes(scope: Construct, id: string, attrs: RedisAttributes): IKeyValueStore {
    return new ImportedRedis(scope, id, attrs);
  }

  /** Fully qualified in-cluster host name of the Service. */
  public readonly host: string;
  public readonly port = REDIS_PORT;
  /** The Secret key holding the password. */
  public readonly passwordSecret: SecretKeyReference;
  public readonly podSelector: { [key: string]: string };
  /** The StatefulSet. */
  public readonly objectRef: ObjectRef;
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly service: k8s.KubeService;
  public readonly ingressPolicy: IngressPolicy;

  public constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id, props as ResourceProps, {
      format: NameFormat.DNS1035_LABEL, maxLength: 52, maxLengthReason: 'the StatefulSet appends "-headless" and pod ordinals',
    });
    this.host = this.serviceHost();
    this.objectRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: this.namespace, name: this.name };
    const image = requireImage(this, 'image', props.image ?? REDIS_IMAGE);
    const user = requireInteger(this, 'securityContext.user', props.securityContext?.user ?? 999, { min: 1 });
    const group = requireInteger(this, 'securityContext.group', props.securityContext?.group ?? 1000, { min: 1 });
    const storage = (props.storage ?? Size.gibibytes(1)).asString();
    requirePositiveQuantity(this, 'storage', storage);
    if (props.storageClassName !== undefined) requireName(this, 'storageClassName', props.storageClassName, 'dns1123-subdomain');
    const resources = resourcesToKube(this, 'resources', props.resources ?? DEFAULT_RESOURCES);
    const memoryLimit = resources.limits?.memory;
    if (!memoryLimit) {
      invalid(this, 'resources.memory.limit', undefined, 'is required', 'Redis maxmemory is derived from it; e.g. Size.mebibytes(512)');
    }
    const maxMemoryBytes = Math.floor((parseQuantity(memoryLimit) as number) * 0.75);

    const labels = recommendedLabels({ name: 'redis', instance: this.name, component: 'key-value-store' });
    this.podSelector = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': this.name };
    this.passwordSecret = (props.password ?? PasswordSource.generate())._bind(this, {
      name: `${this.name}-auth`,
      namespace: this.namespace,
      purpose: `password of Redis ${this.namespace}/${this.name}`,
    });

    const config = [
      '# Generated by platform-blueprints (Redis construct). The password is written at start, from the Secret, into',
      `# ${AUTH_FILE} (memory-backed, this pod only), so it is on no command line.`,
      `port ${REDIS_PORT}`,
      'dir /data',
      'appendonly yes',
      'appenddirname "appendonlydir"',
      `appendfsync ${props.appendFsync ?? AppendFsync.EVERYSEC}`,
      'save 3600 1 300 100 60 10000',
      `maxmemory ${maxMemoryBytes}`,
      `maxmemory-policy ${props.maxMemoryPolicy ?? MaxMemoryPolicy.NOEVICTION}`,
      'tcp-keepalive 300',
      `include ${AUTH_FILE}`,
      '',
    ].join('\n');
    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-config`, namespace: this.namespace, labels },
      data: { 'redis.conf': config },
    });

    const passwordEnv = { secretKeyRef: { name: this.passwordSecret.secretName, key: this.passwordSecret.key } };
    const ping = ['sh', '-c', 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'];
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        replicas: 1,
        serviceName: `${this.name}-headless`,
        selector: { matchLabels: this.podSelector },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: {
            labels,
            annotations: { [CONFIG_HASH_ANNOTATION]: createHash('sha256').update(config).digest('hex').slice(0, 16) },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext({ user, group, fsGroup: group }),
            // Writes `requirepass` into the memory-backed auth volume: the password is in no process's argv (which
            // every process of the pod can read in /proc). It stays in environments: this container's, and the
            // main container's REDISCLI_AUTH for the probe (readable in /proc/<pid>/environ by the same uid only).
            initContainers: [{
              name: 'auth',
              image,
              command: ['sh', '-c', AUTH_SCRIPT],
              env: [{ name: 'REDIS_PASSWORD', valueFrom: passwordEnv }],
              resources: { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') }, limits: { memory: k8s.Quantity.fromString('16Mi') } },
              securityContext: restrictedContainerSecurityContext({ user, group }),
              volumeMounts: [{ name: 'auth', mountPath: AUTH_DIR }],
            }],
            containers: [{
              name: 'redis',
              image,
              args: ['redis-server', '/etc/redis/redis.conf'],
              ports: [{ name: 'redis', containerPort: REDIS_PORT }],
              env: [
                // redis-cli (readiness probe) authenticates with REDISCLI_AUTH without a password on its command line.
                { name: 'REDISCLI_AUTH', valueFrom: passwordEnv },
              ],
              resources: {
                requests: toQuantities(resources.requests, k8s.Quantity.fromString),
                limits: toQuantities(resources.limits, k8s.Quantity.fromString),
              },
              securityContext: restrictedContainerSecurityContext({ user, group }),
              readinessProbe: { exec: { command: ping }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
              livenessProbe: {
                tcpSocket: { port: k8s.IntOrString.fromString('redis') },
                initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6,
              },
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'config', mountPath: '/etc/redis', readOnly: true },
                { name: 'auth', mountPath: AUTH_DIR, readOnly: true },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: configMap.name } },
              { name: 'auth', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
            ],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(storage) } },
          },
        }],
      },
    });
    DeployHints.markStateful(this.statefulSet, 'holds the Redis data set; its volumeClaimTemplates cannot change in place');
    DeployHints.references(this.statefulSet, { apiVersion: 'v1', kind: 'Secret', namespace: this.namespace, name: this.passwordSecret.secretName });
    DeployHints.references(this.statefulSet, { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: configMap.name });

    const servicePort = { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis') };
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: { type: 'ClusterIP', selector: this.podSelector, ports: [servicePort] },
    });
    new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: `${this.name}-headless`, namespace: this.namespace, labels },
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector: this.podSelector, ports: [servicePort] },
    });

    if (props.podDisruptionBudget) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name, namespace: this.namespace, labels },
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podSelector } },
      });
    }

    this.ingressPolicy = new IngressPolicy(this, 'IngressPolicy', {
      name: `${this.name}-ingress`,
      namespace: this.namespace,
      podSelector: this.podSelector,
      labels,
      servingPorts: [REDIS_PORT],
    });
  }

  /** Lets pods reach Redis (6379 unless other ports are given). */
  public admit(peer: PodPeer, options?: AdmitOptions): Admission {
    return this.ingressPolicy.admit(peer, options);
  }

  public bind(workload: IWorkload, options: StoreBindOptions = {}): void {
    bindRedis(this, workload, options, this.passwordSecret, this.port);
  }
}

/** The one Redis binding, for this library's Redis and an imported one: REDIS_* env, admission, the edge. */
function bindRedis(store: NamespacedResource & IAdmitsPeers, workload: IWorkload, options: StoreBindOptions, password: SecretKeyReference, port: number): void {
  const host = store.serviceHost();
  bindCredentials({
    service: store,
    workload,
    prefix: options.envPrefix ?? 'REDIS',
    secretNamespace: store.namespace,
    secretHolder: 'the store',
    namespaceFix: 'bind workloads in the store\'s namespace (the password Secret cannot be referenced across namespaces)',
    variables: (prefix) => ({
      [`${prefix}_HOST`]: kplus.EnvValue.fromValue(host),
      [`${prefix}_PORT`]: kplus.EnvValue.fromValue(String(port)),
      [`${prefix}_ADDR`]: kplus.EnvValue.fromValue(`${host}:${port}`),
      [`${prefix}_PASSWORD`]: kplus.EnvValue.fromSecretValue({ secret: secretReference(store, password.secretName), key: password.key }),
    }),
    detail: (prefix) => `${prefix}_* (redis://${host}:${port})`,
    admit: [{ into: store, peer: peerOf(workload), options: { ports: [port] } }],
  });
}

const SECRET_REFS = new WeakMap<Construct, kplus.ISecret>();

/** One reference to the password Secret per store, shared by every binding (a construct per binding adds up at scale). */
function secretReference(store: Construct, secretName: string): kplus.ISecret {
  let ref = SECRET_REFS.get(store);
  if (!ref) SECRET_REFS.set(store, ref = kplus.Secret.fromSecretName(store, 'PasswordSecretRef', secretName));
  return ref;
}

class ImportedRedis extends NamespacedResource implements IKeyValueStore, IAdmitsPeers {
  private readonly password: SecretKeyReference;
  private readonly port: number;

  public constructor(scope: Construct, id: string, attrs: RedisAttributes) {
    super(scope, id, { name: attrs?.name, namespace: attrs?.namespace }, { format: NameFormat.DNS1035_LABEL });
    this.password = attrs.passwordSecret ?? { secretName: `${this.name}-auth`, key: 'password' };
    requireName(this, 'passwordSecret.secretName', this.password.secretName, 'dns1123-subdomain');
    this.port = requireInteger(this, 'port', attrs.port ?? REDIS_PORT, { min: 1, max: 65535 });
  }

  public admit(peer: PodPeer, _options?: AdmitOptions): Admission {
    return Admission.notPossible(`Redis ${this.namespace}/${this.name} is imported and its NetworkPolicy is its owner's; ask them to admit ${peer.description} on port ${this.port}`);
  }

  public bind(workload: IWorkload, options: StoreBindOptions = {}): void {
    bindRedis(this, workload, options, this.password, this.port);
  }
}

