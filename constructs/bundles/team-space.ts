/**
 * A team's space on a shared platform: its own namespace under Pod Security "restricted", a ResourceQuota and a
 * LimitRange, default-deny ingress (other teams' pods cannot reach its pods; functions admit only the Knative data
 * plane), and RBAC that lets the team's groups manage their functions in that namespace and nothing else. Shared
 * platform services are reached through the usual wiring: `broker.subscribe(team.addFunction(...))`,
 * `broker.addPublisher(fn, ...)`, `team.claimStore(...)` against the platform's KeyValueStore API.
 *
 * With `events`, the team owns its subscriptions: a broker of its own in its namespace (constructs/eventing/
 * team-broker.ts), fed from the shared broker with the granted event types only, and a Role that manages Triggers
 * there. `sharedBroker.subscribe(teamFunction, ...)` then goes through the team's broker.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IBroker } from '../core/contracts';
import { DeliveryOptions } from '../core/delivery';
import { DeployHints } from '../core/deploy-hints';
import { CloudEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { LABEL_PREFIX, recommendedLabels } from '../core/labels';
import { requirePositiveQuantity, sizeToString } from '../core/quantity';
import { requireInteger, requireName } from '../core/validate';
import { PlatformApi } from '../crossplane/api';
import { KeyValueStoreClaim, KeyValueStoreClaimProps } from '../crossplane/key-value-store';
import { TeamBroker } from '../eventing/team-broker';
import { KnativeFunction, KnativeFunctionProps } from '../knative/function';
import { KnativeDataPlane } from '../knative/types';
import { PodSecurityLevel, declareNamespace } from './namespace';

export interface TeamQuota {
  /** Total CPU the team's pods may request. @default 4 cores */
  readonly cpu?: kplus.Cpu;
  /** Total memory the team's pods may request, and limit. @default 8Gi */
  readonly memory?: Size;
  /** Total storage of the team's volume claims. @default 20Gi */
  readonly storage?: Size;
  /** Pods at most (Knative revisions count). @default 50 */
  readonly pods?: number;
  /** Knative Services at most. @default 20 */
  readonly functions?: number;
}

/** The team's own broker and the event types the platform grants it. */
export interface TeamEventsProps {
  /** The shared broker the granted types come from (e.g. `EventDrivenPlatform.broker`), in another namespace. */
  readonly broker: IBroker;
  /**
   * The event types the team may receive. Each is forwarded from the shared broker into the team's broker by a
   * Trigger of the platform's (in the shared broker's namespace); nothing else reaches the team's broker.
   */
  readonly grants: CloudEventType[];
  /** Name of the team's broker. @default 'events' */
  readonly brokerName?: string;
  /**
   * Retries, backoff and dead-letter sink of the team's subscriptions (each may refine them).
   * @default - 3 retries, exponential backoff from 500ms, no dead-letter sink
   */
  readonly delivery?: DeliveryOptions;
}

export interface TeamSpaceProps {
  /** The team's name (a DNS-1123 label); names its namespace `team-<name>` unless `namespace` is given. */
  readonly team: string;
  /** @default `team-<team>` */
  readonly namespace?: string;
  /**
   * Identity-provider groups of the team (RBAC subjects of kind Group), e.g. `team-payments@example.com`.
   * They get the `team-developer` role in the team's namespace only.
   */
  readonly groups: string[];
  /** @default - 4 cores, 8Gi, 20Gi of storage, 50 pods, 20 functions */
  readonly quota?: TeamQuota;
  /**
   * Platform APIs the team may claim from (its role gains them), e.g. the KeyValueStore API.
   * @default - none
   */
  readonly claimable?: PlatformApi[];
  /** @default KnativeDataPlane.KOURIER */
  readonly dataPlane?: KnativeDataPlane;
  /**
   * The team may create and read the Secrets of its namespace (its functions' credentials). Turn it off where the
   * platform provisions the team's Secrets (e.g. External Secrets): the team then reads none.
   * @default true
   */
  readonly manageSecrets?: boolean;
  /**
   * The team's space lives in a namespace another construct of the app creates (e.g. inside a platform's namespace):
   * one Namespace object then serves both, with the team label added. The team's Role, ResourceQuota and LimitRange
   * are namespace-wide: the team's groups may then edit the other construct's Knative Services, ConfigMaps and Secrets
   * there, and its pods count against the team's quota. Share only with the team that runs what else lives there.
   * @default false - the team space creates its namespace, and another construct creating it is an error
   */
  readonly shareNamespace?: boolean;
  /**
   * A broker of the team's own, fed from the shared broker with the granted event types only; the team's Role
   * manages Triggers in its namespace, and `sharedBroker.subscribe(teamFunction, ...)` goes through the team's broker.
   * @default - no team broker: the team's subscriptions are Triggers in the shared broker's namespace, the platform's
   */
  readonly events?: TeamEventsProps;
}

const DEFAULT_CONTAINER = { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' };
const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** A team's space on the platform (see the module comment). */
export class TeamSpace extends Construct {
  public readonly team: string;
  public readonly namespace: string;
  /** The team's role in its namespace. */
  public readonly role: k8s.KubeRole;
  /** The team's own broker (with `events`): subscribe the team's functions to it, or to the shared broker. */
  public readonly broker?: TeamBroker;
  private readonly dataPlane?: KnativeDataPlane;

  public constructor(scope: Construct, id: string, props: TeamSpaceProps) {
    super(scope, id);
    this.team = requireName(this, 'team', props.team, 'dns1123-label');
    this.namespace = requireName(this, 'namespace', props.namespace ?? `team-${this.team}`, 'dns1123-label');
    this.dataPlane = props.dataPlane;
    if (!Array.isArray(props.groups) || props.groups.length === 0) invalid(this, 'groups', props.groups, 'must name at least one group of the team', 'e.g. ["team-payments"]');
    props.groups.forEach((g, i) => {
      if (typeof g !== 'string' || g.trim() === '' || /\s/.test(g)) invalid(this, `groups[${i}]`, g, 'must be a group name without spaces');
    });
    const labels = recommendedLabels({ name: 'team-space', instance: this.team, component: 'team' });

    declareNamespace(this, this.namespace, { podSecurity: PodSecurityLevel.RESTRICTED, labels: { [`${LABEL_PREFIX}/team`]: this.team }, shared: props.shareNamespace });

    const q = props.quota ?? {};
    const size = (field: string, value: Size) => {
      const text = sizeToString(value);
      requirePositiveQuantity(this, field, text);
      return k8s.Quantity.fromString(text);
    };
    const cpu = (q.cpu ?? kplus.Cpu.units(4)).amount;
    requirePositiveQuantity(this, 'quota.cpu', cpu);
    const pods = requireInteger(this, 'quota.pods', q.pods ?? 50, { min: 1, max: 10000 });
    const functions = requireInteger(this, 'quota.functions', q.functions ?? 20, { min: 1, max: 10000 });
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'team-quota', namespace: this.namespace, labels },
      spec: {
        hard: {
          'requests.cpu': k8s.Quantity.fromString(cpu),
          'requests.memory': size('quota.memory', q.memory ?? Size.gibibytes(8)),
          'limits.memory': size('quota.memory', q.memory ?? Size.gibibytes(8)),
          'requests.storage': size('quota.storage', q.storage ?? Size.gibibytes(20)),
          pods: k8s.Quantity.fromNumber(pods),
          'count/services.serving.knative.dev': k8s.Quantity.fromNumber(functions),
        },
      },
    });
    // Containers without resources (Knative's queue-proxy among them) get these, so the quota can account for them.
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'team-limits', namespace: this.namespace, labels },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString(DEFAULT_CONTAINER.cpuRequest), memory: k8s.Quantity.fromString(DEFAULT_CONTAINER.memoryRequest) },
          default: { memory: k8s.Quantity.fromString(DEFAULT_CONTAINER.memoryLimit) },
        }],
      },
    });

    if (props.events !== undefined && (props.events === null || typeof props.events !== 'object')) {
      invalid(this, 'events', props.events, 'must be an object', 'e.g. { broker: events.broker, grants: [ORDER_PLACED] }');
    }
    const claimable = props.claimable ?? [];
    claimable.forEach((api, i) => {
      if (!PlatformApi.isPlatformApi(api)) invalid(this, `claimable[${i}]`, api, 'must be a PlatformApi');
    });
    this.role = new k8s.KubeRole(this, 'Role', {
      metadata: { name: 'team-developer', namespace: this.namespace, labels },
      rules: [
        { apiGroups: ['serving.knative.dev'], resources: ['services'], verbs: WRITE },
        { apiGroups: ['serving.knative.dev'], resources: ['configurations', 'revisions', 'routes'], verbs: READ },
        { apiGroups: [''], resources: props.manageSecrets === false ? ['configmaps'] : ['configmaps', 'secrets'], verbs: WRITE },
        { apiGroups: [''], resources: ['pods', 'services', 'events', 'resourcequotas', 'limitranges'], verbs: READ },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        // What a team reads when a revision does not come up or a call is refused.
        { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: READ },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
        ...claimable.map((api) => ({ apiGroups: [api.group], resources: [api.plural], verbs: WRITE })),
        // The team's subscriptions are its Triggers. Its Broker it may only read: a Broker of another class (or
        // config) it could edit would make eventing-rabbitmq copy the shared cluster's credentials into its namespace.
        ...(props.events ? [
          { apiGroups: ['eventing.knative.dev'], resources: ['triggers'], verbs: WRITE },
          { apiGroups: ['eventing.knative.dev'], resources: ['brokers', 'eventtypes'], verbs: READ },
        ] : []),
      ],
    });
    const binding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: { name: 'team-developer', namespace: this.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'team-developer' },
      subjects: props.groups.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
    });
    DeployHints.references(binding, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespace: this.namespace, name: 'team-developer' });

    if (props.events !== undefined) {
      this.broker = new TeamBroker(this, 'Broker', {
        team: this.team,
        namespace: this.namespace,
        name: props.events.brokerName ?? 'events',
        upstream: props.events.broker,
        grants: props.events.grants,
        delivery: props.events.delivery,
      });
    }
  }

  /** A function in the team's namespace (cluster-local, behind its own ingress policy). */
  public addFunction(id: string, props: KnativeFunctionProps): KnativeFunction {
    if (props.namespace !== undefined && props.namespace !== this.namespace) {
      invalid(this, `addFunction(${id}).namespace`, props.namespace, `must be the team's namespace (${this.namespace})`);
    }
    return new KnativeFunction(this, id, { dataPlane: this.dataPlane, ...props, namespace: this.namespace });
  }

  /** A key/value store claimed from the platform's API, in the team's namespace; bind it to the team's functions. */
  public claimStore(id: string, props: KeyValueStoreClaimProps): KeyValueStoreClaim {
    if (props.namespace !== undefined && props.namespace !== this.namespace) {
      invalid(this, `claimStore(${id}).namespace`, props.namespace, `must be the team's namespace (${this.namespace})`);
    }
    return new KeyValueStoreClaim(this, id, { ...props, namespace: this.namespace });
  }
}
