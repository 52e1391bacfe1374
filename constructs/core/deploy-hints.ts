/**
 * Hints for deployment tools, attached to synthesized objects. They never change the YAML; the deployment plan
 * (core/plan.ts) reads them, and every deployer reads the plan.
 */
import { ApiObject } from 'cdk8s';
import type { ObjectRef } from './contracts';
import { ObjectLookup, lookupOf, replaceOnChangesOf, statefulReasonOf } from './immutable-fields';
import type { ClusterInstall } from './installs';

const HINTS = Symbol.for('platform-blueprints.deploy-hints');

/** Everything declared about one object (one record per object, created on first use). */
/** An object a controller creates for one of ours (not deployed by us, but its name is taken). */
export interface ImpliedObject {
  readonly ref: ObjectRef;
  /** Who creates it, e.g. `the Knative Serving controller`. */
  readonly by: string;
}

interface Hints {
  stateful?: string;
  ready?: { conditions: string[]; timeoutMinutes?: number };
  replaceOnChanges?: string[];
  providesApiGroups?: string[];
  dependsOn?: ApiObject[];
  references?: ObjectRef[];
  implies?: ImpliedObject[];
  installs?: ClusterInstall[];
  requestTimeoutSeconds?: number;
  knownObjects?: any[];
}

function hints(obj: ApiObject): Hints {
  let h = (obj as any)[HINTS] as Hints | undefined;
  if (!h) {
    h = {};
    Object.defineProperty(obj, HINTS, { value: h, configurable: true });
  }
  return h;
}

function read(obj: ApiObject): Hints {
  return (obj as any)[HINTS] ?? {};
}

/**
 * The objects of an object's tree, for the rules of the immutable-fields table that read other objects (a Trigger's
 * Broker): what the tree builds, then what its objects declared they know of objects built elsewhere.
 */
function treeLookup(obj: ApiObject): ObjectLookup {
  let lookup: ObjectLookup | undefined;
  const objects = () => {
    const all = obj.node.root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
    return lookup ??= lookupOf([...all.map((o) => o.toJson()), ...all.flatMap((o) => read(o).knownObjects ?? [])]);
  };
  return { find: (group, kind, namespace, name) => objects().find(group, kind, namespace, name), all: () => objects().all() };
}

function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

export class DeployHints {
  /**
   * Marks an object as holding state that must not be lost: deployers protect it from deletion and replacement
   * (Pulumi: `protect` and `retainOnDelete`), and the namespace it lives in too. The objects the library knows to be
   * stateful from what they are (PVCs, StatefulSets with volume claim templates, RabbitMQ clusters, Crossplane claims
   * and XRDs, Promises with an API: core/immutable-fields.ts) need no mark; this gives a reason of its own, or marks
   * an object of a kind the table does not know.
   */
  public static markStateful(obj: ApiObject, reason: string): void {
    hints(obj).stateful = reason;
  }

  /** Why an object is stateful (its mark, else what the immutable-fields table knows of it), or undefined. */
  public static statefulReason(obj: ApiObject): string | undefined {
    return read(obj).stateful ?? statefulReasonOf(obj.toJson(), treeLookup(obj));
  }

  /** The reason given with markStateful, if any. @internal */
  public static _markedStateful(obj: ApiObject): string | undefined {
    return read(obj).stateful;
  }

  /**
   * Declares the status conditions that say the object is ready (e.g. a Knative Service's `Ready`; a v1 XRD's
   * `Established` and `Offered`). Deployers wait for all of them instead of reporting success when the object is
   * merely accepted (Pulumi: `pulumi.com/waitFor`), for at most `timeoutMinutes` when given.
   */
  public static awaitCondition(obj: ApiObject, condition: string, timeoutMinutes?: number): void {
    DeployHints.awaitConditions(obj, [condition], timeoutMinutes);
  }

  /** Like awaitCondition, for several conditions that must all hold. */
  public static awaitConditions(obj: ApiObject, conditions: string[], timeoutMinutes?: number): void {
    hints(obj).ready = { conditions: [...conditions], timeoutMinutes };
  }

  /** The first readiness condition declared for an object, or undefined. */
  public static readyCondition(obj: ApiObject): string | undefined {
    return DeployHints.readyConditions(obj)[0];
  }

  /** Every readiness condition declared for an object (empty when none). */
  public static readyConditions(obj: ApiObject): string[] {
    return read(obj).ready?.conditions ?? [];
  }

  /** How long a deployer should wait for readiness, in minutes, when the object says so. */
  public static readyTimeoutMinutes(obj: ApiObject): number | undefined {
    return read(obj).ready?.timeoutMinutes;
  }

  /**
   * Declares fields the API server (or a webhook) refuses to change after creation, for an object of a kind the
   * library's immutable-fields table (core/immutable-fields.ts) does not know: a change must replace the object
   * (Pulumi: `replaceOnChanges`, with delete-before-replace as the name is fixed). Paths are Pulumi property paths,
   * e.g. `spec` or `spec.filter`. The kinds the table knows need no declaration.
   */
  public static replaceOnChanges(obj: ApiObject, paths: string[]): void {
    hints(obj).replaceOnChanges = [...paths];
  }

  /** The immutable field paths of an object: the table's for what it is, then those declared (empty when none). */
  public static immutableFields(obj: ApiObject): string[] {
    return DeployHints._immutableFields(obj, obj.toJson(), treeLookup(obj));
  }

  /** immutableFields, given the manifest and the objects around it (the plan computes them once). @internal */
  public static _immutableFields(obj: ApiObject, manifest: any, objects: ObjectLookup): string[] {
    return [...new Set([...replaceOnChangesOf(manifest, objects), ...read(obj).replaceOnChanges ?? []])];
  }

  /**
   * Declares what an object knows of one it refers to that may be created elsewhere (an imported Broker, with its
   * class annotation): rules that read the other object (a Trigger's immutable filter) use it when the other object is
   * not among those deployed.
   */
  public static knowsObject(obj: ApiObject, manifest: any): void {
    (hints(obj).knownObjects ??= []).push(manifest);
  }

  /** What an object declared it knows of objects it refers to. @internal */
  public static _knownObjects(obj: ApiObject): any[] {
    return read(obj).knownObjects ?? [];
  }

  /**
   * Declares that an object serves an API group once it is ready (a CompositeResourceDefinition its group, a
   * Crossplane Provider its managed resources' groups): deployers create objects of that group after it.
   */
  public static providesApiGroup(obj: ApiObject, group: string): void {
    (hints(obj).providesApiGroups ??= []).push(group);
  }

  /** The API groups an object serves (empty when none). */
  public static providedApiGroups(obj: ApiObject): string[] {
    return read(obj).providesApiGroups ?? [];
  }

  /**
   * Declares that an object must be created after another one is ready (e.g. a Composition after its XRD and the
   * functions its pipeline calls), beyond its references.
   */
  public static dependsOn(obj: ApiObject, other: ApiObject): void {
    const list = (hints(obj).dependsOn ??= []);
    if (!list.includes(other)) list.push(other);
  }

  /** The objects an object was declared to depend on. */
  public static dependencies(obj: ApiObject): ApiObject[] {
    return read(obj).dependsOn ?? [];
  }

  /**
   * Declares that an object refers to another one by name: a Secret or ConfigMap it reads, the Broker a Trigger
   * belongs to, the subject of a SinkBinding, the claim whose Secret a function reads. Deployers create it after that
   * object when they deploy both; when the other object is not part of the deployment it is a prerequisite (the plan
   * lists it). Objects that declare no reference are read for the references of their pod templates instead.
   */
  public static references(obj: ApiObject, ref: ObjectRef): void {
    const list = (hints(obj).references ??= []);
    if (!list.some((r) => sameRef(r, ref))) list.push({ ...ref });
  }

  /** The references declared for an object (empty when none). */
  public static referencesOf(obj: ApiObject): ObjectRef[] {
    return read(obj).references ?? [];
  }

  /**
   * Declares an object a controller creates for this one (Knative makes a v1 Service named like each Knative
   * Service, the RabbitMQ operator a StatefulSet `<name>-server`, ...). It is not deployed, but its name is taken:
   * the plan refuses another object of the same kind, namespace and name.
   */
  public static implies(obj: ApiObject, ref: ObjectRef, createdBy: string): void {
    (hints(obj).implies ??= []).push({ ref: { ...ref }, by: createdBy });
  }

  /** The objects controllers create for an object, with who creates them. */
  public static impliedObjects(obj: ApiObject): ImpliedObject[] {
    return read(obj).implies ?? [];
  }

  /**
   * Declares a cluster install the object needs beyond the one serving its kind (e.g. a RabbitMQ-class Broker needs
   * eventing-rabbitmq; its kind alone says Knative Eventing).
   */
  public static requiresInstall(obj: ApiObject, install: ClusterInstall): void {
    const list = (hints(obj).installs ??= []);
    if (!list.includes(install)) list.push(install);
  }

  /** The installs declared for an object (empty when none). */
  public static declaredInstalls(obj: ApiObject): ClusterInstall[] {
    return read(obj).installs ?? [];
  }

  /**
   * Declares the request timeout an object's workload uses: the cluster must allow at least the longest one
   * (Knative's `max-revision-timeout-seconds`), and the plan says which.
   */
  public static requestTimeout(obj: ApiObject, seconds: number): void {
    hints(obj).requestTimeoutSeconds = seconds;
  }

  /** The request timeout declared for an object, in seconds. */
  public static requestTimeoutSeconds(obj: ApiObject): number | undefined {
    return read(obj).requestTimeoutSeconds;
  }

  private constructor() {}
}
