/**
 * What a cluster must run for the objects the library emits: one table of installs, each with the API groups (or
 * kinds) it serves, the installs it needs first, and its pinned version (constructs/imports/versions.ts, generated
 * from upstream.yaml). The deployment plan derives an app's required installs from it; the Pulumi program installs
 * them and the generated docs list them. Nothing else maps API groups to installs.
 */
import { PINNED_RELEASES, PinnedRelease } from '../imports/versions';
import type { ObjectRef } from './contracts';

/** API groups every Kubernetes cluster serves. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io', 'apiextensions.k8s.io',
  'admissionregistration.k8s.io', 'certificates.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'apiregistration.k8s.io']);

function release(name: string): PinnedRelease {
  const r = PINNED_RELEASES[name];
  if (!r) throw new Error(`upstream.yaml pins no release ${name}; run npm run import`);
  return r;
}

interface InstallSpec {
  /** upstream.yaml release of the install. */
  readonly release: string;
  /** API groups it serves (every kind). */
  readonly groups?: string[];
  /** `group/Kind` it serves, where a group is shared with other installs. */
  readonly kinds?: string[];
  /** Installs that must be running before it. */
  readonly after?: ClusterInstall[];
  /** Installs that come with it (installed after it, needed wherever it is). */
  readonly brings?: ClusterInstall[];
  /** The line the generated docs show, when it has one of its own. */
  readonly docs?: () => string;
  /** @default - the release's title */
  readonly title?: string;
  /**
   * Objects the install's controllers create for an object of a kind it serves (`group/Kind` → kinds and name
   * suffixes): their names are taken in the object's namespace.
   */
  readonly creates?: { [groupKind: string]: Array<{ apiVersion: string; kind: string; suffix: string }> };
}

/** One thing a cluster must run (an operator, a Knative component, Crossplane), pinned. */
export class ClusterInstall {
  public static readonly CERT_MANAGER = new ClusterInstall('cert-manager', {
    release: 'cert-manager', groups: ['cert-manager.io', 'acme.cert-manager.io'],
  });

  public static readonly RABBITMQ_CLUSTER_OPERATOR = new ClusterInstall('rabbitmq-cluster-operator', {
    release: 'rabbitmq-cluster-operator', kinds: ['rabbitmq.com/RabbitmqCluster'],
    // Since v2.22.0 cluster-operator.yml holds a webhook whose certificate cert-manager issues (and injects).
    after: [ClusterInstall.CERT_MANAGER],
    // The operator names a cluster's children `<cluster>-<suffix>` (its ChildResourceName).
    creates: {
      'rabbitmq.com/RabbitmqCluster': [
        { apiVersion: 'v1', kind: 'Service', suffix: '' }, { apiVersion: 'v1', kind: 'Service', suffix: '-nodes' },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', suffix: '-server' }, { apiVersion: 'v1', kind: 'Secret', suffix: '-default-user' },
        { apiVersion: 'v1', kind: 'Secret', suffix: '-erlang-cookie' }, { apiVersion: 'v1', kind: 'ConfigMap', suffix: '-server-conf' },
        { apiVersion: 'v1', kind: 'ConfigMap', suffix: '-plugins-conf' }, { apiVersion: 'v1', kind: 'ServiceAccount', suffix: '-server' },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', suffix: '-peer-discovery' },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', suffix: '-server' },
      ],
    },
    docs: () => `The RabbitMQ cluster operator (v${release('rabbitmq-cluster-operator').version}; its webhook's certificate comes from cert-manager).`,
  });

  public static readonly RABBITMQ_TOPOLOGY_OPERATOR = new ClusterInstall('rabbitmq-topology-operator', {
    release: 'rabbitmq-topology-operator', groups: ['rabbitmq.com'],
    after: [ClusterInstall.CERT_MANAGER, ClusterInstall.RABBITMQ_CLUSTER_OPERATOR],
    docs: () => `The RabbitMQ messaging topology operator (v${release('rabbitmq-topology-operator').version}; eventing-rabbitmq declares its ` +
      `queues through it) with cert-manager (v${release('cert-manager').version}).`,
  });

  public static readonly NET_KOURIER = new ClusterInstall('net-kourier', { release: 'net-kourier' });

  public static readonly KNATIVE_SERVING = new ClusterInstall('knative-serving', {
    release: 'knative-serving',
    groups: ['serving.knative.dev', 'autoscaling.internal.knative.dev', 'networking.internal.knative.dev', 'caching.internal.knative.dev'],
    brings: [ClusterInstall.NET_KOURIER],
    // The route of a Knative Service is a v1 Service of its name; its Configuration and Route carry its name too.
    creates: {
      'serving.knative.dev/Service': [
        { apiVersion: 'v1', kind: 'Service', suffix: '' }, { apiVersion: 'serving.knative.dev/v1', kind: 'Configuration', suffix: '' },
        { apiVersion: 'serving.knative.dev/v1', kind: 'Route', suffix: '' },
      ],
    },
    docs: () => `Knative Serving with a networking layer (the Pulumi program installs Knative Serving v${release('knative-serving').version} ` +
      `with net-kourier v${release('net-kourier').version}).`,
  });

  public static readonly KNATIVE_EVENTING = new ClusterInstall('knative-eventing', {
    release: 'knative-eventing', groups: ['eventing.knative.dev', 'sources.knative.dev', 'messaging.knative.dev', 'flows.knative.dev', 'sinks.knative.dev'],
    docs: () => `Knative Eventing (the Pulumi program installs v${release('knative-eventing').version}).`,
  });

  public static readonly EVENTING_RABBITMQ = new ClusterInstall('eventing-rabbitmq', {
    release: 'eventing-rabbitmq', kinds: ['eventing.knative.dev/RabbitmqBrokerConfig'],
    after: [ClusterInstall.KNATIVE_EVENTING, ClusterInstall.RABBITMQ_TOPOLOGY_OPERATOR],
    docs: () => `eventing-rabbitmq's broker (v${release('eventing-rabbitmq').version}, \`rabbitmq-broker.yaml\`).`,
  });

  public static readonly CHANNEL_BROKER = new ClusterInstall('channel-broker', {
    release: 'knative-eventing', title: 'Knative channel-based broker', after: [ClusterInstall.KNATIVE_EVENTING],
    docs: () => 'Knative\'s channel-based broker and a channel implementation (`mt-channel-broker.yaml`, and `in-memory-channel.yaml` or another; ' +
      'the Pulumi program installs both with the event stack).',
  });

  public static readonly CROSSPLANE = new ClusterInstall('crossplane', {
    release: 'crossplane', groups: ['apiextensions.crossplane.io', 'pkg.crossplane.io', 'protection.crossplane.io', 'ops.crossplane.io'],
    docs: () => `Crossplane v${release('crossplane').version} (Helm chart \`${release('crossplane').artifacts.chart}\` from ` +
      `${release('crossplane').artifacts['chart-repository']}; the Pulumi program installs it when the store is claimed).`,
  });

  public static readonly TEKTON_PIPELINES = new ClusterInstall('tekton-pipelines', {
    release: 'tekton-pipelines', groups: ['tekton.dev', 'resolution.tekton.dev'],
    docs: () => `Tekton Pipelines (the Pulumi program installs v${release('tekton-pipelines').version}, with its events sink set to a broker).`,
  });

  public static readonly TEKTON_TRIGGERS = new ClusterInstall('tekton-triggers', {
    // Triggers' release file holds no Namespace: its objects live in tekton-pipelines, and its EventListeners create
    // Pipelines' runs, so Pipelines comes first.
    release: 'tekton-triggers', groups: ['triggers.tekton.dev'], after: [ClusterInstall.TEKTON_PIPELINES],
    docs: () => `Tekton Triggers with its core interceptors (the Pulumi program installs v${release('tekton-triggers').version}, after Tekton Pipelines).`,
  });

  public static readonly KRATIX = new ClusterInstall('kratix', {
    // kratix.yaml holds a cert-manager Issuer and Certificates; cert-manager injects the CA of its webhooks and of the
    // Promise CRD's conversion webhook. Its single-cluster setup (state store, Destination) comes with it in the
    // Pulumi program.
    release: 'kratix', groups: ['platform.kratix.io'], after: [ClusterInstall.CERT_MANAGER],
    docs: () => `Kratix (the Pulumi program installs the \`kratix.yaml\` of the release tag \`latest\` at ${release('kratix').version}, ` +
      'after cert-manager, with Kratix\'s single-cluster setup: Flux and an in-cluster MinIO, a BucketStateStore on it and the cluster ' +
      'registered as the Destination `worker-1`, labelled `environment: dev`).',
  });

  /** Every install, in the order the generated docs list them. */
  public static get all(): ClusterInstall[] {
    return [
      ClusterInstall.CROSSPLANE, ClusterInstall.KNATIVE_SERVING, ClusterInstall.NET_KOURIER, ClusterInstall.KNATIVE_EVENTING,
      ClusterInstall.EVENTING_RABBITMQ, ClusterInstall.CHANNEL_BROKER, ClusterInstall.RABBITMQ_CLUSTER_OPERATOR,
      ClusterInstall.RABBITMQ_TOPOLOGY_OPERATOR, ClusterInstall.CERT_MANAGER, ClusterInstall.TEKTON_PIPELINES, ClusterInstall.TEKTON_TRIGGERS,
      ClusterInstall.KRATIX,
    ];
  }

  /** The install with this id. */
  public static named(id: string): ClusterInstall | undefined {
    return ClusterInstall.all.find((i) => i.id === id);
  }

  /** Whether every Kubernetes cluster serves the API group. */
  public static isBuiltInGroup(group: string): boolean {
    return BUILT_IN_GROUPS.has(group);
  }

  /** The install that serves a kind (by kind first, then by group); undefined for built-in and unknown kinds. */
  public static serving(apiVersion: string, kind: string): ClusterInstall | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    if (BUILT_IN_GROUPS.has(group)) return undefined;
    // Looked up for every object of a plan and every synth: an index, built once.
    if (!ClusterInstall.index) {
      const byKind = new Map<string, ClusterInstall>();
      const byGroup = new Map<string, ClusterInstall>();
      for (const i of ClusterInstall.all) {
        for (const k of i.spec.kinds ?? []) if (!byKind.has(k)) byKind.set(k, i);
        for (const g of i.spec.groups ?? []) if (!byGroup.has(g)) byGroup.set(g, i);
      }
      ClusterInstall.index = { byKind, byGroup };
    }
    return ClusterInstall.index.byKind.get(`${group}/${kind}`) ?? ClusterInstall.index.byGroup.get(group);
  }

  private static index?: { byKind: Map<string, ClusterInstall>; byGroup: Map<string, ClusterInstall> };

  /** The installs with everything they need and bring, in install order (each after the ones it needs). */
  public static closure(installs: ClusterInstall[]): ClusterInstall[] {
    const needed = new Set<ClusterInstall>();
    const add = (i: ClusterInstall): void => {
      if (needed.has(i)) return;
      needed.add(i);
      for (const d of [...i.after, ...i.brings]) add(d);
    };
    installs.forEach(add);
    const ordered: ClusterInstall[] = [];
    const visit = (i: ClusterInstall): void => {
      if (ordered.includes(i)) return;
      for (const d of i.after) visit(d);
      for (const b of ClusterInstall.all.filter((x) => x.brings.includes(i))) if (needed.has(b)) visit(b);
      ordered.push(i);
    };
    ClusterInstall.all.filter((i) => needed.has(i)).forEach(visit);
    return ordered;
  }

  /** The pinned release (version, project, release files). */
  public readonly release: PinnedRelease;

  private constructor(
    /** Stable id, e.g. `knative-serving`. */
    public readonly id: string,
    private readonly spec: InstallSpec,
  ) {
    this.release = release(spec.release);
  }

  /** Human name, e.g. `Knative Serving`. */
  public get title(): string {
    return this.spec.title ?? this.release.title;
  }

  /** The pinned version, e.g. `1.22.1`. */
  public get version(): string {
    return this.release.version;
  }

  /** Installs that must be running first. */
  public get after(): ClusterInstall[] {
    return [...this.spec.after ?? []];
  }

  /** Installs that come with this one. */
  public get brings(): ClusterInstall[] {
    return [...this.spec.brings ?? []];
  }

  /**
   * The objects this install's controllers create for an object (a Knative Service's v1 Service, a RabbitmqCluster's
   * StatefulSet `<name>-server`, ...), in the object's namespace.
   */
  public createdFor(apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef[] {
    if (!this.spec.creates) return [];
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return (this.spec.creates[`${group}/${kind}`] ?? []).map((c) => ({ apiVersion: c.apiVersion, kind: c.kind, namespace, name: `${name}${c.suffix}` }));
  }

  /** The line of the generated docs, when the install has its own. */
  public get docs(): string | undefined {
    return this.spec.docs?.();
  }
}
