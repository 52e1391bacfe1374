import { createHash } from 'crypto';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { resolveNamespace, clusterDomain } from '../core/context';
import { invalid } from '../core/errors';
import { EdgeKind, PlatformGraph } from '../core/graph';
import { CONFIG_HASH_ANNOTATION, recommendedLabels } from '../core/labels';
import { IngressPolicy } from '../core/network';
import { DeployHints } from '../core/deploy-hints';
import { parseQuantity, requirePositiveQuantity, resourcesToKube } from '../core/quantity';
import { PasswordSource, SecretKeyReference } from '../core/secrets';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/security';
import { IKeyValueStore, StoreBindOptions } from '../core/store';
import { requireEnvName, requireImage, requireInteger, requireName } from '../core/validate';
import { IWorkload, podSelectorConfig } from '../core/workload';

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
   * @default 'docker.io/library/redis:8.2.7-alpine'
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

export interface RedisSecurityOptions {
  /** @default 999 */
  readonly user?: number;
  /** @default 1000 */
  readonly group?: number;
}

const REDIS_PORT = 6379;
const DEFAULT_IMAGE = 'docker.io/library/redis:8.2.7-alpine';
const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
};

/**
 * Redis inside the cluster: a single-instance StatefulSet with append-only persistence on a PersistentVolumeClaim
 * that outlives the StatefulSet, password authentication (the password by Secret reference only), Pod Security
 * "restricted", and an ingress NetworkPolicy that admits exactly the bound workloads.
 */
export class Redis extends Construct implements IKeyValueStore, kplus.INetworkPolicyPeer, kplus.IPodSelector {
  public readonly name: string;
  public readonly namespace: string;
  /** Fully qualified in-cluster host name of the Service. */
  public readonly host: string;
  public readonly port = REDIS_PORT;
  /** The Secret key holding the password. */
  public readonly passwordSecret: SecretKeyReference;
  private secretRef?: kplus.ISecret;
  public readonly podSelector: { [key: string]: string };
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly service: k8s.KubeService;
  public readonly ingressPolicy: IngressPolicy;
  private readonly bindings = new Set<string>();

  public constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    this.name = requireName(this, 'name', props.name ?? id, 'dns1035-label');
    if (this.name.length > 52) invalid(this, 'name', this.name, 'must be at most 52 characters', 'the StatefulSet appends "-headless" and pod ordinals');
    this.namespace = resolveNamespace(this, props.namespace);
    this.host = `${this.name}.${this.namespace}.svc.${clusterDomain(this)}`;
    const image = requireImage(this, 'image', props.image ?? DEFAULT_IMAGE);
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
      '# Generated by platform-blueprints (Redis construct). The password is passed at start from a Secret.',
      `port ${REDIS_PORT}`,
      'dir /data',
      'appendonly yes',
      'appenddirname "appendonlydir"',
      `appendfsync ${props.appendFsync ?? AppendFsync.EVERYSEC}`,
      'save 3600 1 300 100 60 10000',
      `maxmemory ${maxMemoryBytes}`,
      `maxmemory-policy ${props.maxMemoryPolicy ?? MaxMemoryPolicy.NOEVICTION}`,
      'tcp-keepalive 300',
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
            containers: [{
              name: 'redis',
              image,
              args: ['redis-server', '/etc/redis/redis.conf', '--requirepass', '$(REDIS_PASSWORD)'],
              ports: [{ name: 'redis', containerPort: REDIS_PORT }],
              env: [
                { name: 'REDIS_PASSWORD', valueFrom: passwordEnv },
                // redis-cli (readiness probe) authenticates with REDISCLI_AUTH without a password on its command line.
                { name: 'REDISCLI_AUTH', valueFrom: passwordEnv },
              ],
              resources: {
                requests: mapQuantities(resources.requests),
                limits: mapQuantities(resources.limits),
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
              ],
            }],
            volumes: [{ name: 'config', configMap: { name: configMap.name } }],
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
    });
  }

  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return podSelectorConfig(this.namespace, this.podSelector);
  }

  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  public toPodSelector(): kplus.IPodSelector {
    return this;
  }

  public bind(workload: IWorkload, options: StoreBindOptions = {}): void {
    const prefix = requireEnvName(this, 'bind.envPrefix', options.envPrefix ?? 'REDIS');
    if (workload.namespace !== this.namespace) {
      // The password is passed by Secret reference, and a Secret can only be referenced from its own namespace.
      invalid(this, 'bind', workload.node.path, `is in namespace ${workload.namespace}, the store in ${this.namespace}`,
        'bind workloads in the store\'s namespace (the password Secret cannot be referenced across namespaces)');
    }
    const key = `${workload.node.path}:${prefix}`;
    if (this.bindings.has(key)) return;
    this.bindings.add(key);
    workload.addEnv(`${prefix}_HOST`, kplus.EnvValue.fromValue(this.host));
    workload.addEnv(`${prefix}_PORT`, kplus.EnvValue.fromValue(String(this.port)));
    workload.addEnv(`${prefix}_ADDR`, kplus.EnvValue.fromValue(`${this.host}:${this.port}`));
    workload.addEnv(`${prefix}_PASSWORD`, kplus.EnvValue.fromSecretValue({
      secret: this.secretReference(),
      key: this.passwordSecret.key,
    }));
    this.ingressPolicy.allowFrom(workload, [REDIS_PORT]);
    PlatformGraph.of(this).addEdge({ from: workload, to: this, kind: EdgeKind.BINDS, detail: `${prefix}_* (redis://${this.host}:${this.port})` });
  }

  /** One reference to the password Secret, shared by every binding (a construct per binding adds up at scale). */
  private secretReference(): kplus.ISecret {
    this.secretRef ??= kplus.Secret.fromSecretName(this, 'PasswordSecretRef', this.passwordSecret.secretName);
    return this.secretRef;
  }
}

function mapQuantities(values: { [key: string]: string } | undefined): { [key: string]: k8s.Quantity } | undefined {
  if (!values) return undefined;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
}
