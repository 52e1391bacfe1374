/**
 * Object identity and the uniqueness check: two objects with the same group, kind, namespace and name — or an object
 * and one a controller creates for another (Knative's v1 Service per Knative Service, the RabbitMQ operator's
 * `<cluster>-server`) — cannot both exist on a cluster. The app's model runs the check at synth on every path; the
 * deployment plan runs it for the tree it plans.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { namespaceOf } from './context';
import type { ObjectRef } from './contracts';
import { DeployHints, ImpliedObject } from './deploy-hints';
import { invalid } from './errors';
import { ClusterInstall } from './installs';
import { DeployTimeSecret } from './secrets';

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Identity for uniqueness and reference lookups: versions of one kind are one object. */
export function identity(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${groupOf(apiVersion)}|${kind}|${namespace ?? ''}|${name}`;
}

/** The identity of an object a reference names. */
export function refIdentity(ref: ObjectRef): string {
  return identity(ref.apiVersion, ref.kind, ref.namespace, ref.name);
}

export function describeRef(ref: ObjectRef): string {
  const group = groupOf(ref.apiVersion);
  return `${group ? `${group} ` : ''}${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** What the uniqueness check needs to know of a kind, computed once per kind. */
interface KindInfo {
  /** `group|kind|`: the start of the identity of every object of the kind. */
  readonly prefix: string;
  /** What the install serving the kind creates for each object of it. */
  readonly creates: Array<{ readonly apiVersion: string; readonly kind: string; readonly suffix: string; readonly prefix: string }>;
  readonly creator?: string;
}

const KINDS = new Map<string, Map<string, KindInfo>>();

function kindInfo(apiVersion: string, kind: string): KindInfo {
  let byKind = KINDS.get(apiVersion);
  if (!byKind) KINDS.set(apiVersion, byKind = new Map());
  let info = byKind.get(kind);
  if (!info) {
    const install = ClusterInstall.serving(apiVersion, kind);
    const creates = install ? install.createdFor(apiVersion, kind, '') : [];
    info = {
      prefix: `${groupOf(apiVersion)}|${kind}|`,
      creates: creates.map((c) => ({ apiVersion: c.apiVersion, kind: c.kind, suffix: c.name, prefix: `${groupOf(c.apiVersion)}|${c.kind}|` })),
      creator: install?.title,
    };
    byKind.set(kind, info);
  }
  return info;
}

/** The objects controllers create for an object: what its kind's install creates, and what the object declares. */
export function impliedObjectsOf(obj: ApiObject, namespace: string | undefined): ImpliedObject[] {
  const info = kindInfo(obj.apiVersion, obj.kind);
  const declared = DeployHints.impliedObjects(obj);
  if (info.creates.length === 0) return declared;
  const byInstall = info.creates.map((c) => ({ ref: { apiVersion: c.apiVersion, kind: c.kind, namespace, name: `${obj.name}${c.suffix}` }, by: info.creator! }));
  return declared.length ? [...byInstall, ...declared] : byInstall;
}

/** An object claiming a name: an ApiObject or a deploy-time Secret itself, or an object a controller creates for one. */
type Claimant = ApiObject | DeployTimeSecret | { readonly creator: ApiObject; readonly ref: ObjectRef; readonly by: string };

/** An ApiObject's identity as synthesized: a JSON patch may rename it or drop its namespace (cluster-scoped objects). */
function synthesizedRef(obj: ApiObject): ObjectRef {
  if ((obj as unknown as { patches?: unknown[] }).patches?.length) {
    const m = obj.toJson();
    return { apiVersion: m.apiVersion, kind: m.kind, namespace: namespaceOf(obj) === undefined ? undefined : m.metadata?.namespace, name: m.metadata?.name };
  }
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: namespaceOf(obj), name: obj.name };
}

function refOf(c: Claimant): ObjectRef {
  if (ApiObject.isApiObject(c)) return synthesizedRef(c);
  if (DeployTimeSecret.isDeployTimeSecret(c)) return { apiVersion: 'v1', kind: 'Secret', namespace: c.namespace, name: c.name };
  return c.ref;
}

function scopeOf(c: Claimant): IConstruct {
  return 'creator' in c ? c.creator : c;
}

function madeBy(c: Claimant): string {
  if (!('creator' in c)) return `made by ${c.node.path}`;
  const ns = namespaceOf(c.creator);
  return `what ${c.by} creates for ${c.creator.kind} ${ns ? `${ns}/` : ''}${c.creator.name} (${c.creator.node.path})`;
}

/**
 * The uniqueness check over a tree: throws a ValidationError naming both constructs when two objects of it, or an
 * object and one a controller creates for another, share group, kind, namespace and name.
 */
export function checkUniqueNames(root: IConstruct, nodes: IConstruct[] = root.node.findAll()): void {
  const seen = new Map<string, Claimant>();
  const claim = (id: string, c: Claimant): void => {
    const other = seen.get(id);
    if (other === undefined) {
      seen.set(id, c);
      return;
    }
    // Report on the object the library or the user made, naming the other one.
    const [mine, theirs] = 'creator' in c && !('creator' in other) ? [other, c] : [c, other];
    const ref = refOf(mine);
    const hint = ref.kind === 'Namespace' && groupOf(ref.apiVersion) === ''
      ? 'create a namespace once; bundles that share one say so with shareNamespace: true'
      : 'two objects of one kind cannot share a namespace and a name on a cluster; rename one of them (the name prop of the construct that makes it)';
    invalid(scopeOf(mine), 'metadata.name', ref.name, `is taken: ${describeRef(ref)} is also ${madeBy(theirs)}`, hint);
  };
  for (const c of nodes) {
    if (ApiObject.isApiObject(c)) {
      const patched = (c as unknown as { patches?: unknown[] }).patches?.length;
      const ref = patched ? synthesizedRef(c) : undefined;
      const namespace = ref ? ref.namespace : namespaceOf(c);
      const name = ref ? ref.name : c.name;
      const info = kindInfo(c.apiVersion, c.kind);
      const scoped = `${namespace ?? ''}|`;
      claim(info.prefix + scoped + name, c);
      for (const created of info.creates) {
        claim(created.prefix + scoped + name + created.suffix,
          { creator: c, ref: { apiVersion: created.apiVersion, kind: created.kind, namespace, name: name + created.suffix }, by: info.creator! });
      }
      for (const implied of DeployHints.impliedObjects(c)) claim(refIdentity(implied.ref), { creator: c, ref: implied.ref, by: implied.by });
    } else if (DeployTimeSecret.isDeployTimeSecret(c)) {
      claim(identity('v1', 'Secret', c.namespace, c.name), c);
    }
  }
}
