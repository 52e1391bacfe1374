/**
 * The deployment plan: computed once from a construct tree, read by every entry point — the cdk8s entry (the
 * generated dist/README.md), the Pulumi bridge, and any other deployer. It holds
 *
 *   objects      every object to create (the synthesized ApiObjects and the deploy-time Secrets), each with the
 *                construct that made it, in an order where what an object waits for comes first;
 *   uniqueness   no two objects — nor the objects controllers create for them (a Knative Service's v1 Service) —
 *                share a group, kind, namespace and name: a ValidationError naming both constructs otherwise;
 *   dependencies from the constructs' own references (DeployHints.references: Secrets, ConfigMaps, the Broker of a
 *                Trigger, a SinkBinding's subject, a claim, `spec.config`, ...), the namespace, declared
 *                dependencies, and objects that serve an API group (an XRD before its claims);
 *   capabilities the cluster installs the objects need (ClusterInstall, by kind and declared), in install order,
 *                with their pinned versions, and the longest request timeout the cluster must allow;
 *   externals    objects referenced but not created here (another team's broker, a Secret you manage).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { ObjectRef } from './contracts';
import { DeployHints } from './deploy-hints';
import { ValidationError } from './errors';
import { lookupOf, statefulReasonOf } from './immutable-fields';
import { ClusterInstall } from './installs';
import { PlatformModel } from './model';
import { DeployTimeSecret } from './secrets';
import { groupOf, identity, impliedObjectsOf, refIdentity } from './uniqueness';

/** One object of the deployment plan. */
export interface PlannedObject {
  /** `apiVersion kind namespace/name`, unique in the plan. */
  readonly key: string;
  /** Logical name: `namespace/name`, or `name` for cluster-scoped objects. */
  readonly name: string;
  readonly manifest: any;
  /** Path of the construct that made it. */
  readonly constructPath: string;
  /** Id of the chart it is synthesized in (its file is `<chart>.k8s.yaml`); undefined for deploy-time Secrets. */
  readonly chart?: string;
  /** Keys of planned objects this one waits for. */
  readonly dependsOn: string[];
  /** API group of the object ('' for the core group). */
  readonly apiGroup: string;
  /** Ids of the cluster installs (ClusterInstall) it needs running first. */
  readonly installs: string[];
  /** Why the object is protected, when it is stateful (core/immutable-fields.ts, or DeployHints.markStateful). */
  readonly stateful?: string;
  /** Status condition to wait for, when the object declares one (the first, when it declares several). */
  readonly readyCondition?: string;
  /** Every status condition to wait for. */
  readonly readyConditions?: string[];
  /** How long to wait for them, when the object says (e.g. `30m`). */
  readonly readyTimeout?: string;
  /**
   * Fields a webhook or operator will not change in place, as Pulumi property paths: a change replaces the object
   * (core/immutable-fields.ts; a built-in kind's own immutable fields are its deployer's to know, as pulumi-kubernetes does).
   */
  readonly replaceOnChanges?: string[];
  /** The DeployTimeSecret this object is generated from. */
  readonly secret?: DeployTimeSecret;
}

/** An object something in the plan refers to that the plan does not create: it must exist on the cluster. */
export interface ExternalReference {
  /** Key of the planned object that refers to it. */
  readonly from: string;
  readonly ref: ObjectRef;
}

export function objectKey(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiVersion} ${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** The longest request timeout (seconds) the workloads under a construct declare; undefined when none does. */
export function maxRequestTimeoutSeconds(root: IConstruct): number | undefined {
  let max: number | undefined;
  for (const c of root.node.findAll()) {
    const t = ApiObject.isApiObject(c) ? DeployHints.requestTimeoutSeconds(c) : undefined;
    if (t !== undefined) max = Math.max(max ?? 0, t);
  }
  return max;
}

/** Names of ConfigMaps, Secrets, ServiceAccounts and PVCs the pod templates of a manifest refer to. */
function podTemplateReferences(manifest: any): Array<{ kind: string; name: string }> {
  const found: Array<{ kind: string; name: string }> = [];
  const visit = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries<any>(node)) {
      if ((key === 'secretKeyRef' || key === 'secretRef') && value?.name) found.push({ kind: 'Secret', name: value.name });
      else if ((key === 'configMapKeyRef' || key === 'configMapRef' || key === 'configMap') && value?.name) found.push({ kind: 'ConfigMap', name: value.name });
      else if (key === 'secret' && value?.secretName) found.push({ kind: 'Secret', name: value.secretName });
      else if (key === 'serviceAccountName' && typeof value === 'string') found.push({ kind: 'ServiceAccount', name: value });
      else if (key === 'persistentVolumeClaim' && value?.claimName) found.push({ kind: 'PersistentVolumeClaim', name: value.claimName });
      visit(value);
    }
  };
  visit(manifest.spec);
  return found;
}

function chartOf(c: IConstruct): string | undefined {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
    if (Chart.isChart(s)) return s.node.id;
  }
  return undefined;
}

/** Runs every validation of the tree, as cdk8s does at synth; ValidationErrors pass through as they are. */
function validateTree(root: IConstruct): void {
  const errors = root.node.findAll().flatMap((c) => c.node.validate().map((e) => `${c.node.path || '<app>'}: ${e}`));
  if (errors.length) throw new ValidationError(root, 'validation', `failed:\n${errors.join('\n')}`);
}

/** The deployment plan of a construct tree (see the module comment). */
export class DeploymentPlan {
  /** `apiVersion kind namespace/name` (`apiVersion kind name` when cluster-scoped): the key of an object in a plan. */
  public static objectKey(apiVersion: string, kind: string, name: string, namespace?: string): string {
    return objectKey(apiVersion, kind, namespace, name);
  }

  /**
   * Computes the plan: runs the tree's validations and the app's checks (no name taken twice, every subscribed type
   * produced — for the whole app, also when `root` is one of its charts), then plans every object.
   */
  public static of(root: IConstruct): DeploymentPlan {
    validateTree(root);
    PlatformModel.of(root)._checkApp(root.node.root);
    return new DeploymentPlan(root);
  }

  /** Every object, in an order where dependencies come first. */
  public readonly objects: PlannedObject[];
  /** The cluster installs the objects need, in install order. */
  public readonly installs: ClusterInstall[];
  /** The longest request timeout of the app's workloads (seconds): the cluster must allow it. */
  public readonly maxRequestTimeoutSeconds?: number;
  /** Objects referenced but not created by the plan (they must exist on the cluster). */
  public readonly externalReferences: ExternalReference[];
  /** The deploy-time Secrets (their values are created at deploy time, never synthesized). */
  public readonly secrets: DeployTimeSecret[];

  private readonly byKey: Map<string, PlannedObject>;

  private constructor(root: IConstruct) {
    const entries: Array<Omit<PlannedObject, 'dependsOn'> & { obj?: ApiObject }> = [];
    const nodes = root.node.findAll();
    this.secrets = nodes.filter(DeployTimeSecret.isDeployTimeSecret);
    for (const secret of this.secrets) {
      entries.push({
        key: objectKey('v1', 'Secret', secret.namespace, secret.name),
        name: `${secret.namespace}/${secret.name}`,
        manifest: { apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name, namespace: secret.namespace }, type: 'Opaque' },
        constructPath: secret.node.path,
        apiGroup: '',
        installs: [],
        secret,
      });
    }
    const keyOf = new Map<ApiObject, string>();
    const providers = new Map<string, string[]>();
    const required = new Set<ClusterInstall>();
    const apiObjects = nodes.filter((c): c is ApiObject => ApiObject.isApiObject(c));
    const manifests = new Map(apiObjects.map((o) => [o, o.toJson()]));
    // The immutable-fields table reads other objects (a Trigger's Broker, the XRDs of claims): the planned ones first,
    // then what objects declared they know of objects created elsewhere.
    const objects = lookupOf([...manifests.values(), ...apiObjects.flatMap((o) => DeployHints._knownObjects(o))]);
    for (const obj of apiObjects) {
      const manifest = manifests.get(obj)!;
      const { namespace, name } = manifest.metadata;
      const key = objectKey(manifest.apiVersion, manifest.kind, namespace, name);
      keyOf.set(obj, key);
      for (const group of DeployHints.providedApiGroups(obj)) providers.set(group, [...providers.get(group) ?? [], key]);
      const serving = ClusterInstall.serving(manifest.apiVersion, manifest.kind);
      const installs = [...new Set([...serving ? [serving] : [], ...DeployHints.declaredInstalls(obj)])];
      installs.forEach((i) => required.add(i));
      const conditions = DeployHints.readyConditions(obj);
      const minutes = DeployHints.readyTimeoutMinutes(obj);
      entries.push({
        key,
        name: namespace ? `${namespace}/${name}` : name,
        manifest,
        constructPath: obj.node.path,
        chart: chartOf(obj),
        apiGroup: groupOf(manifest.apiVersion),
        installs: installs.map((i) => i.id),
        stateful: DeployHints._markedStateful(obj) ?? statefulReasonOf(manifest, objects),
        readyCondition: conditions[0],
        readyConditions: conditions.length ? conditions : undefined,
        readyTimeout: minutes !== undefined ? `${minutes}m` : undefined,
        replaceOnChanges: nonEmpty(DeployHints._immutableFields(obj, manifest, objects)),
        obj,
      });
    }
    this.installs = ClusterInstall.closure([...required]);
    this.maxRequestTimeoutSeconds = maxRequestTimeoutSeconds(root);

    // Names are unique here: the app's check (DeploymentPlan.of) refused the tree otherwise.
    const byIdentity = new Map<string, string>();
    for (const e of entries) byIdentity.set(identity(e.manifest.apiVersion, e.manifest.kind, e.manifest.metadata.namespace, e.manifest.metadata.name), e.key);

    // An object a controller creates (a claim's connection Secret, a User's credentials) stands for its creator.
    const impliedBy = new Map<string, string>();
    for (const [obj, key] of keyOf) {
      for (const implied of impliedObjectsOf(obj, obj.metadata.namespace)) impliedBy.set(refIdentity(implied.ref), key);
    }
    const externals: ExternalReference[] = [];
    const planned = entries.map(({ obj, ...e }) => {
      const ns: string | undefined = e.manifest.metadata.namespace;
      const deps = new Set<string>();
      const add = (k: string | undefined) => {
        if (k !== undefined && k !== e.key) deps.add(k);
      };
      if (ns) add(byIdentity.get(identity('v1', 'Namespace', undefined, ns)));
      if (obj) {
        // What the construct declares, and what its pod templates name (for objects the library did not build, and
        // as a safety net for those it did): the same reference counts once.
        const refs = new Map<string, ObjectRef>();
        for (const ref of DeployHints.referencesOf(obj)) refs.set(refIdentity(ref), ref);
        for (const r of podTemplateReferences(e.manifest)) {
          const ref = { apiVersion: 'v1', kind: r.kind, namespace: ns, name: r.name };
          if (!refs.has(refIdentity(ref))) refs.set(refIdentity(ref), ref);
        }
        for (const [id, ref] of refs) {
          const k = byIdentity.get(id) ?? impliedBy.get(id);
          if (k) add(k);
          else externals.push({ from: e.key, ref });
        }
        for (const k of providers.get(e.apiGroup) ?? []) add(k);
        for (const other of DeployHints.dependencies(obj)) {
          const k = keyOf.get(other);
          if (!k) throw new ValidationError(obj, 'dependsOn', `(${other.node.path}) is an object outside the deployed tree; ${e.key} cannot wait for it`);
          add(k);
        }
      }
      return { ...e, dependsOn: [...deps] };
    });
    // Deleting a Namespace deletes everything in it, PersistentVolumeClaims included: guard it like its contents.
    const statefulIn = (ns: string) => planned.filter((x) => x.stateful && x.manifest.metadata.namespace === ns);
    const guarded = planned.map((e) => (e.manifest.apiVersion === 'v1' && e.manifest.kind === 'Namespace' && statefulIn(e.manifest.metadata.name).length
      ? { ...e, stateful: `holds stateful objects (${statefulIn(e.manifest.metadata.name).map((x) => x.key).join(', ')})` }
      : e));
    const constructs = new Map<string, IConstruct>([...keyOf.entries()].map(([o, k]) => [k, o]));
    this.objects = topologicalOrder(guarded, (key) => constructs.get(key) ?? root);
    this.byKey = new Map(this.objects.map((o) => [o.key, o]));
    this.externalReferences = externals;
  }

  /** The planned object with this key (see objectKey). */
  public object(key: string): PlannedObject | undefined {
    return this.byKey.get(key);
  }

  /** Whether the objects need an install. */
  public requires(install: ClusterInstall): boolean {
    return this.installs.includes(install);
  }

  /** The pinned version of each required install, by install id. */
  public get versions(): { [install: string]: string } {
    return Object.fromEntries(this.installs.map((i) => [i.id, i.version]));
  }
}

function nonEmpty(list: string[]): string[] | undefined {
  return list.length ? list : undefined;
}

function topologicalOrder(entries: PlannedObject[], constructOf: (key: string) => IConstruct): PlannedObject[] {
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: PlannedObject[] = [];
  const visit = (e: PlannedObject): void => {
    if (done.has(e.key)) return;
    if (visiting.includes(e.key)) {
      const cycle = [...visiting.slice(visiting.indexOf(e.key)), e.key];
      throw new ValidationError(constructOf(e.key), 'dependsOn', `forms a dependency cycle: ${cycle.join(' → ')}; remove one of the references`);
    }
    visiting.push(e.key);
    for (const d of e.dependsOn) visit(byKey.get(d)!);
    visiting.pop();
    done.add(e.key);
    out.push(e);
  };
  entries.forEach(visit);
  return out;
}
