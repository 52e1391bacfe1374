/**
 * One wiring mechanism. Every connection the verbs make (`store.bind(fn)`, `gateway.route(path, fn)`,
 * `frontend.connect(fn)`, `broker.subscribe(sink)`, `broker.addPublisher(fn)`, a source's `sink`, a RabbitMQ user's
 * `bind`) is one call of `Wiring.connect`, which applies all of its side effects in one place:
 *
 *   environment   variables (values, Secret references) and pod labels on the workload; variables a controller
 *                 injects (SinkBinding's K_SINK) are claimed once per workload
 *   admission     the target's ingress policy lets the peer in (`IAdmitsPeers.admit`), or says why it cannot
 *   deploy order  the waiting object references the one it needs (the plan orders by it)
 *   graph edge    recorded in the app's model: the platform graph, the docs and the diagram read it
 *   catalog       for events, the types produced into a sink or consumed by a subscription; a sink that keeps an
 *                 event-type registry (a broker) declares them
 *
 * A verb is then a few lines: compute what the connection carries, call `connect`.
 */
import * as kplus from 'cdk8s-plus-27';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AdmitOptions, IAdmitsPeers, IWorkload, IWorkloadRef, ObjectRef, PodPeer } from './contracts';
import { DeployHints } from './deploy-hints';
import { EventFilter } from './event-filter';
import { CloudEventType } from './event-type';
import { invalid } from './errors';
import { PlatformModel } from './model';

export enum EdgeKind {
  /** A workload uses a backing service (store credentials and address injected). */
  BINDS = 'binds',
  /** A gateway forwards a path to a workload. */
  ROUTES = 'routes',
  /** A workload calls another over HTTP (its URL injected). */
  CALLS = 'calls',
  /** A workload or source sends CloudEvents to a sink (broker or function). */
  SENDS_EVENTS = 'sends events',
  /** A broker delivers the events a subscription selects to a subscriber. */
  DELIVERS_EVENTS = 'delivers events',
}

/** One edge of the platform graph. */
export interface GraphEdge {
  readonly from: IConstruct;
  readonly to: IConstruct;
  readonly kind: EdgeKind;
  /** What the edge carries, e.g. the route path or the injected env prefix. */
  readonly detail: string;
}

/** What an event edge carries. */
export interface EventFlow {
  /** Types the `from` end produces into the `to` end (a sink). @default - none */
  readonly produces?: CloudEventType[];
  /** The CloudEvent `source` attribute of the produced events, when known. @default - unknown */
  readonly source?: string;
  /** How they are produced or delivered: `PingSource`, `SinkBinding`, `Trigger`, ... */
  readonly via: string;
  /** The construct that realizes the flow (the source, the SinkBinding, the Trigger). */
  readonly realizedBy: IConstruct;
  /** For a subscription (`from` a broker `to` a subscriber): all of these must match. @default - none */
  readonly filters?: EventFilter[];
  /**
   * For a subscription's dead letters (`from` the broker `to` the subscription's dead-letter sink): the
   * subscription's filters, which every event that fails there has passed.
   * @default - not a subscription's dead letters
   */
  readonly deadLettersOf?: EventFilter[];
}

/** An edge as the model records it: the graph edge, its events, and what could not be applied. */
export interface WiringEdge extends GraphEdge {
  /** For event edges. */
  readonly events?: EventFlow;
  /**
   * Side effects that could not be applied, each saying what to do instead (e.g. an imported store's NetworkPolicy
   * belongs to its owner). Listed in the generated docs.
   */
  readonly notApplied: string[];
}

/** Environment and pod labels a connection gives a workload of this app. */
export interface EnvironmentSpec {
  readonly workload: IWorkload;
  /** Variables, set in this order. @default - none */
  readonly variables?: { [name: string]: kplus.EnvValue };
  /** Labels on the workload's pods (e.g. the one a composed NetworkPolicy admits). @default - none */
  readonly podLabels?: { [key: string]: string };
}

/** A variable a controller injects into a workload (SinkBinding's `K_SINK`): a workload has one of each. */
export interface InjectionSpec {
  /** The workload that receives it (ours or imported): one object, whatever handle stands for it. */
  readonly workload: IWorkloadRef;
  readonly names: string[];
  /** Says how to resolve a second injection of the same variable. */
  readonly conflictHint: string;
}

/** Pods a target lets in. */
export interface AdmissionSpec {
  readonly into: IAdmitsPeers;
  readonly peer: PodPeer;
  /** @default - the target's serving ports */
  readonly options?: AdmitOptions;
}

/** `waiter` is created after the object `waitsFor` (when both are deployed together). */
export interface OrderSpec {
  readonly waiter: ApiObject;
  readonly waitsFor: ObjectRef;
}

/** What a second connect with the same key does. */
export enum RepeatPolicy {
  /** Nothing: the first edge stands (bindings, routes to the same target). */
  IDEMPOTENT = 'idempotent',
  /** A ValidationError naming both calls. */
  REFUSE = 'refuse',
}

/** A connection, as a verb describes it. */
export interface ConnectionSpec {
  readonly kind: EdgeKind;
  readonly from: IConstruct;
  readonly to: IConstruct;
  readonly detail: string;
  /**
   * Identifies the connection: a second call with the same key is handled by `repeat`.
   * @default - kind, both ends and the detail
   */
  readonly key?: string;
  /** @default RepeatPolicy.IDEMPOTENT */
  readonly repeat?: RepeatPolicy;
  /**
   * The connection is realized by a construct of its own (a Trigger, a source), so it cannot repeat: no key is kept.
   * @default false
   */
  readonly once?: boolean;
  /** The construct whose field a refusal names. @default - `to` */
  readonly scope?: IConstruct;
  /** @default - none */
  readonly env?: EnvironmentSpec;
  /** @default - none */
  readonly injects?: InjectionSpec;
  /** @default - none */
  readonly admit?: AdmissionSpec[];
  /** @default - none */
  readonly order?: OrderSpec[];
  /** @default - not an event edge */
  readonly events?: EventFlow;
}

/** A sink that keeps a registry of the types produced into it (a broker emits Knative EventTypes for them). */
export interface IEventTypeRegistry {
  /** @internal */
  _declareEventType(type: CloudEventType, source: string | undefined): void;
}

/** No side effect left undone (shared: most edges). */
const NONE: string[] = Object.freeze([]) as unknown as string[];

const IDS = new WeakMap<IConstruct, number>();
let nextId = 0;

/**
 * The key of a connection from its parts (constructs by identity, strings as they are): cheap to build for
 * thousands of connections, unlike construct paths.
 */
export function connectionKey(...parts: Array<IConstruct | string>): string {
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    let id = IDS.get(p);
    if (id === undefined) IDS.set(p, id = nextId++);
    return `#${id}`;
  }).join('|');
}

function describeEdge(e: GraphEdge): string {
  return `${e.kind} ${e.from.node.path || '<app>'} → ${e.to.node.path || '<app>'} (${e.detail})`;
}

/** The wiring mechanism (see the module comment). */
export class Wiring {
  /**
   * Makes a connection: checks it (repeats, injected variables), applies its side effects, and records the edge.
   * Returns the edge, with the side effects that could not be applied.
   */
  public static connect(spec: ConnectionSpec): WiringEdge {
    const model = PlatformModel.of(spec.from);
    const scope = spec.scope ?? spec.to;
    const key = spec.once ? undefined : spec.key ?? connectionKey(spec.kind, spec.from, spec.to, spec.detail);
    const existing = key === undefined ? undefined : model.edge(key);
    if (existing) {
      if ((spec.repeat ?? RepeatPolicy.IDEMPOTENT) === RepeatPolicy.IDEMPOTENT) return existing;
      invalid(scope, 'connect', spec.detail, `repeats an existing connection (${describeEdge(existing)})`, 'make each connection once');
    }
    for (const name of spec.injects?.names ?? []) {
      const other = model.injection(spec.injects!.workload.objectRef, name);
      if (other) {
        invalid(scope, name, spec.injects!.workload.name,
          `is already given to this workload by ${other.events?.realizedBy.node.path ?? describeEdge(other)} (${describeEdge(other)})`,
          spec.injects!.conflictHint);
      }
    }

    let notApplied: string[] = NONE;
    if (spec.env) {
      for (const [name, value] of Object.entries(spec.env.variables ?? {})) spec.env.workload.addEnv(name, value);
      for (const [k, v] of Object.entries(spec.env.podLabels ?? {})) spec.env.workload.addPodLabel(k, v);
    }
    for (const a of spec.admit ?? []) {
      const admission = a.into.admit(a.peer, a.options);
      if (!admission.admitted) notApplied = [...notApplied, `network: ${a.into.node.path} cannot admit ${a.peer.description} — ${admission.reason}`];
    }
    for (const o of spec.order ?? []) DeployHints.references(o.waiter, o.waitsFor);

    const edge: WiringEdge = { from: spec.from, to: spec.to, kind: spec.kind, detail: spec.detail, events: spec.events, notApplied };
    for (const name of spec.injects?.names ?? []) model._inject(spec.injects!.workload.objectRef, name, edge);
    if (spec.events?.produces?.length) {
      const registry = spec.to as unknown as Partial<IEventTypeRegistry>;
      if (typeof registry._declareEventType === 'function') {
        for (const type of spec.events.produces) registry._declareEventType(type, spec.events.source);
      }
    }
    model._record(key, edge);
    return edge;
  }

  /** The edge a connection with this key made, if any (verbs check before they create the objects of a connection). */
  public static existing(scope: IConstruct, key: string): WiringEdge | undefined {
    return PlatformModel.of(scope).edge(key);
  }

  /** The edge that injects a variable into a workload (by its object: any handle of it), if one does. */
  public static injection(workload: IWorkloadRef, name: string): WiringEdge | undefined {
    return PlatformModel.of(workload).injection(workload.objectRef, name);
  }

  private constructor() {}
}
