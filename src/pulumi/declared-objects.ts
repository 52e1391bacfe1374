/**
 * Every object declared once across a Pulumi program — its install stages and its deployments — and the waits the
 * objects themselves imply between them.
 *
 * pulumi-kubernetes ≥ 4.29 creates a new resource instead of adopting an object that exists (`upsertExistingObjects`
 * is off by default), so an object declared by two stages fails the first `pulumi up` with AlreadyExists, and
 * preview does not show it. Release files do declare objects twice: the RabbitMQ cluster and topology operators both
 * ship `Namespace rabbitmq-system`, Knative's `*-core.yaml` repeats every CRD of `*-crds.yaml`.
 *
 * One DeclaredObjects is shared by the stages of a program, which claim their objects in the order they are declared.
 * A claim keeps the objects no earlier claim holds — compared by API group, kind, namespace and name; the earliest
 * copy wins — and waits for the earlier claims that
 *   - hold the copies it dropped (its own objects may need them: a Namespace, a CRD);
 *   - hold the CustomResourceDefinition of one of its objects;
 *   - hold a webhook configuration whose CA cert-manager injects and whose rules admit the creation of one of its
 *     objects. Such a webhook refuses every request until cainjector has written its `caBundle`, and a create it
 *     refuses is not retried; so the configuration is awaited until the bundle is there (awaitInjectedCa), and
 *     whatever it admits waits for it.
 * The reverse — a later claim holding a CRD or such a webhook that an earlier claim's objects need, while not coming
 * after it — cannot be ordered by waiting, and is refused with the claims to reorder.
 *
 * Dropping a copy is safe only when nothing of it is lost. Copies are compared on what the cluster keeps of them
 * (every field but `status` and the server-written metadata; labels and annotations key by key). Between release
 * files (install stages) a differing copy is tolerated — the earliest is deployed, the difference is recorded in
 * `dropped` and the stage warns — since upstream ships such pairs (both RabbitMQ operators' `Namespace
 * rabbitmq-system`). A claim of the program's own objects (`exclusive`: a Cdk8sDeployment's) accepts no such loss:
 * a copy of one of its objects that differs from another claim's, or any copy of an object it guards (a stateful
 * object, protected and retained by the claim that declares it), is refused with a DeclaredObjectConflict, whichever
 * claim comes first.
 */
import * as pulumi from '@pulumi/pulumi';
import { groupOf, identity } from '../../constructs/core/uniqueness';

/** An object a claim declared that an earlier claim (or the same one, earlier in its list) holds already. */
export interface DroppedCopy {
  /** The object, e.g. `Namespace rabbitmq-system` or `CustomResourceDefinition brokers.eventing.knative.dev`. */
  readonly object: string;
  /** The claim whose copy was dropped. */
  readonly droppedFrom: string;
  /** The claim whose copy is deployed. */
  readonly keptBy: string;
  /** Whether the two copies are the same; when not, the kept copy's content is what the cluster gets. */
  readonly identical: boolean;
  /** Where the copies differ (e.g. `metadata.labels["control-plane"]`, `spec`); empty when identical. */
  readonly differences: string[];
}

/** How a claim's objects may be deduplicated. */
export interface ClaimOptions {
  /**
   * Whether the objects are the program's own (a deployment's construct tree) rather than a release's: a copy that
   * differs from another claim's copy of the same object is refused (DeclaredObjectConflict) instead of dropped.
   * @default false
   */
  readonly exclusive?: boolean;
  /**
   * Per object (same order), why it must be deployed by this claim, when it must: a stateful object is protected and
   * retained by the claim that declares it, so a copy an earlier claim holds is refused whatever its content (that
   * copy would be deployed, unguarded), and so is a differing copy a later claim declares.
   * @default - none
   */
  readonly guarded?: Array<string | undefined>;
}

/**
 * Two claims declare one object and dropping one copy would lose something: the copies differ and one claim is
 * `exclusive`, or the object is guarded (stateful) by the claim that would not deploy it.
 */
export class DeclaredObjectConflict extends Error {
  public constructor(
    /** The object, as describeObject spells it. */
    public readonly object: string,
    /** The claim being decided. */
    public readonly owner: string,
    /** Its index in the objects that claim gave. */
    public readonly index: number,
    /** The claim that declared the object first, whose copy would be deployed (the owner itself for a repeat inside one claim). */
    public readonly heldBy: string,
    /** Where the copies differ (empty when they are the same). */
    public readonly differences: string[],
    /** Why the owner guards the object, when it does (its copy would be dropped, and the guard with it). */
    public readonly guarded?: string,
  ) {
    const what = guarded !== undefined
      ? `is guarded there (${guarded}), but ${heldBy} declares it first: its copy would be deployed, without the guard`
      : `differs from the copy ${heldBy} declares first (${describeDifferences(differences)}), which would be deployed instead`;
    super(`declared objects: ${object} of ${owner} ${what}; an object can be declared once: rename one of them, or leave it to one claim`);
    this.name = 'DeclaredObjectConflict';
  }
}

/** A claim waiting for an earlier one, and why. */
export interface ClaimWait {
  /** The claim that waits. */
  readonly from: string;
  /** The earlier claim it waits for. */
  readonly to: string;
  /** Why, one line per reason (e.g. `declared after it`, `Namespace rabbitmq-system is held there`). */
  readonly reasons: string[];
}

/** What one object of a claim became. */
export interface ClaimedObject {
  /** The earlier claim that holds this object, when this copy was dropped. */
  readonly heldBy?: string;
  /** The earlier claims this object waits for (none for a dropped copy: its dependents wait for `heldBy`). */
  readonly waitsFor: string[];
}

/** The outcome of a claim. */
export interface Claim {
  readonly owner: string;
  /** The objects this claim deploys, in the order given. */
  readonly kept: any[];
  /** One entry per object given, in the same order. */
  readonly objects: ClaimedObject[];
  /** Every earlier claim this one waits for (the explicit `after` included), in claim order. */
  readonly waitsFor: string[];
}

/** `Kind.group namespace/name` (kubectl's spelling), the way messages name an object. */
export function describeObject(o: any): string {
  const group = groupOf(String(o?.apiVersion ?? ''));
  const ns = o?.metadata?.namespace;
  return `${o?.kind}${group ? `.${group}` : ''} ${ns ? `${ns}/` : ''}${o?.metadata?.name}`;
}

/** The annotations by which cert-manager's cainjector is asked to write a CA into an object. */
export const CA_INJECTION_ANNOTATIONS = ['cert-manager.io/inject-ca-from', 'cert-manager.io/inject-ca-from-secret', 'cert-manager.io/inject-apiserver-ca'];

/** The annotation asking cert-manager to inject a CA into the object (`key: value`), if it has one. */
export function caInjection(o: any): string | undefined {
  const annotations = o?.metadata?.annotations ?? {};
  const key = CA_INJECTION_ANNOTATIONS.find((k) => typeof annotations[k] === 'string' && annotations[k] !== '' && annotations[k] !== 'false');
  return key ? `${key}: ${annotations[key]}` : undefined;
}

function isWebhookConfiguration(o: any): boolean {
  return groupOf(String(o?.apiVersion ?? '')) === 'admissionregistration.k8s.io'
    && (o.kind === 'ValidatingWebhookConfiguration' || o.kind === 'MutatingWebhookConfiguration');
}

/**
 * The `pulumi.com/waitFor` expressions that hold until cert-manager has injected the CA an object asks for: one per
 * webhook of a webhook configuration (pulumi-kubernetes' JSONPath condition is met by the first value a path selects,
 * so `{.webhooks[*].clientConfig.caBundle}` would be met by one webhook; one expression per webhook holds for all),
 * the conversion webhook of a CustomResourceDefinition, or an APIService's bundle. None for other objects.
 */
export function injectedCaPaths(o: any): string[] {
  if (!caInjection(o)) return [];
  if (isWebhookConfiguration(o)) {
    return (Array.isArray(o.webhooks) ? o.webhooks : []).map((_: unknown, i: number) => `jsonpath={.webhooks[${i}].clientConfig.caBundle}`);
  }
  if (o.kind === 'CustomResourceDefinition' && o.spec?.conversion?.strategy === 'Webhook') return ['jsonpath={.spec.conversion.webhook.clientConfig.caBundle}'];
  if (o.kind === 'APIService' && groupOf(String(o.apiVersion)) === 'apiregistration.k8s.io') return ['jsonpath={.spec.caBundle}'];
  return [];
}

/**
 * A manifest with `pulumi.com/waitFor` holding every expression given besides those it has (one expression as it is,
 * several as a JSON list, as pulumi-kubernetes reads them). Unchanged when there is nothing to add.
 */
export function withWaitFor(manifest: any, expressions: string[]): any {
  const current: string | undefined = manifest.metadata?.annotations?.['pulumi.com/waitFor'];
  let existing: string[] = [];
  if (current !== undefined) {
    try {
      const parsed = JSON.parse(current);
      existing = Array.isArray(parsed) ? parsed.map(String) : [current];
    } catch {
      existing = [current];
    }
  }
  const all = [...new Set([...existing, ...expressions])];
  if (all.length === existing.length) return manifest;
  const value = all.length === 1 ? all[0] : JSON.stringify(all);
  return { ...manifest, metadata: { ...manifest.metadata, annotations: { ...manifest.metadata?.annotations, 'pulumi.com/waitFor': value } } };
}

/**
 * An object cert-manager injects a CA into, awaited until the CA is there (see injectedCaPaths). An empty `caBundle`
 * in the manifest is dropped: it would meet the wait at once. Other objects are returned unchanged.
 */
export function awaitInjectedCa(o: any): any {
  const paths = injectedCaPaths(o);
  if (!paths.length) return o;
  let cleaned = o;
  if (isWebhookConfiguration(o) && o.webhooks.some((w: any) => w?.clientConfig?.caBundle === '')) {
    cleaned = {
      ...o,
      webhooks: o.webhooks.map((w: any) => {
        if (w?.clientConfig?.caBundle !== '') return w;
        const { caBundle: _, ...clientConfig } = w.clientConfig;
        return { ...w, clientConfig };
      }),
    };
  }
  return withWaitFor(cleaned, paths);
}

const IRREGULAR_PLURALS: { [kind: string]: string } = { Endpoints: 'endpoints' };

/** The resource name of a kind: the CRD's plural when a claim defines it, else the English plural Kubernetes uses. */
function pluralOf(group: string, kind: string, crdPlurals: Map<string, string>): string {
  const known = crdPlurals.get(`${group}/${kind}`) ?? IRREGULAR_PLURALS[kind];
  if (known) return known;
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** Whether an admission rule sends the creation of a resource to its webhook (any version: `matchPolicy` is Equivalent by default). */
function admitsCreate(rule: any, group: string, plural: string): boolean {
  const has = (list: unknown, value: string) => Array.isArray(list) && (list.includes('*') || list.includes(value));
  const resources: unknown[] = Array.isArray(rule?.resources) ? rule.resources : [];
  return has(rule?.operations, 'CREATE') && has(rule?.apiGroups, group) && (resources.includes('*/*') || resources.includes('*') || resources.includes(plural));
}

/** Metadata the API server writes: not part of what a claim declares. */
const SERVER_METADATA = new Set(['creationTimestamp', 'resourceVersion', 'uid', 'generation', 'managedFields', 'selfLink']);

/**
 * Where two copies of one object differ, in what the cluster keeps of them: every top-level field but `status`;
 * labels and annotations key by key; the rest of the metadata field by field, but for the identity (compared
 * already) and what the server writes. A field that is null, or an empty map or list, is taken as absent (the API
 * omits empty fields). Top-level fields first, then the metadata, in key order.
 */
export function copyDifferences(a: any, b: any): string[] {
  const out: string[] = [];
  const differ = (x: unknown, y: unknown) => canonical(x, true) !== canonical(y, true);
  const keys = (x: any, y: any) => [...new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])].sort();
  for (const k of keys(a, b)) {
    if (k === 'status' || k === 'metadata') continue;
    if (differ(a?.[k], b?.[k])) out.push(k);
  }
  const ma = a?.metadata ?? {};
  const mb = b?.metadata ?? {};
  for (const k of keys(ma, mb)) {
    if (k === 'name' || k === 'namespace' || SERVER_METADATA.has(k)) continue;
    if (k === 'labels' || k === 'annotations') {
      for (const key of keys(ma[k], mb[k])) {
        if (differ(ma[k]?.[key], mb[k]?.[key])) out.push(`metadata.${k}[${JSON.stringify(key)}]`);
      }
    } else if (differ(ma[k], mb[k])) {
      out.push(`metadata.${k}`);
    }
  }
  return out;
}

/** Differences for a message: the first five, and how many more. */
export function describeDifferences(differences: string[]): string {
  const shown = differences.slice(0, 5).join(', ');
  return differences.length > 5 ? `${shown} and ${differences.length - 5} more` : shown;
}

/** Same content, whatever the key order; `omitEmpty`: a null, an empty map or an empty list is no value. */
function canonical(value: any, omitEmpty: boolean = false): string {
  const empty = (v: any) => v === null || v === undefined || (typeof v === 'object' && Object.keys(v).length === 0);
  if (omitEmpty && empty(value)) return 'undefined';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, omitEmpty)).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort().filter((k) => !(omitEmpty && empty(value[k])));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], omitEmpty)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

interface ClaimRecord {
  readonly owner: string;
  /** ClaimOptions.exclusive. */
  readonly exclusive: boolean;
  /** Guarded objects by identity, with the reason. */
  readonly guarded: Map<string, string>;
  readonly kept: any[];
  /** Objects by identity. */
  readonly byIdentity: Map<string, any>;
  /** Earlier claims it waits for, with the reasons. */
  readonly waits: Map<string, string[]>;
  /** The CRDs it holds: `group/Kind` → the CRD's name and plural. */
  readonly crds: Map<string, { name: string; plural: string }>;
  /** Its webhook configurations cert-manager injects a CA into (awaited), with their rules. */
  readonly webhooks: Array<{ name: string; rules: any[] }>;
}

function crdsOf(objects: any[]): Map<string, { name: string; plural: string }> {
  const crds = new Map<string, { name: string; plural: string }>();
  for (const o of objects) {
    if (o?.kind !== 'CustomResourceDefinition' || groupOf(String(o.apiVersion)) !== 'apiextensions.k8s.io') continue;
    const { group, names } = o.spec ?? {};
    if (typeof group === 'string' && names?.kind && names?.plural) crds.set(`${group}/${names.kind}`, { name: o.metadata.name, plural: names.plural });
  }
  return crds;
}

function awaitedWebhooksOf(objects: any[]): Array<{ name: string; rules: any[] }> {
  return objects.filter((o) => isWebhookConfiguration(o) && caInjection(o))
    .map((o) => ({ name: `${o.kind} ${o.metadata.name}`, rules: (o.webhooks ?? []).flatMap((w: any) => w?.rules ?? []) }));
}

/** The ledger of a program's declared objects (see the module comment). */
export class DeclaredObjects {
  /** Every copy dropped so far, in claim order. */
  public readonly dropped: DroppedCopy[] = [];

  private readonly records: ClaimRecord[] = [];
  private readonly owners: string[] = [];
  private readonly resourcesByOwner = new Map<string, pulumi.Resource>();
  private chain: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private readonly failures: Error[] = [];

  /**
   * Claims objects that are still being read (a release file): the claim takes its place in the order now, and is
   * decided once every earlier claim is. `after` names earlier claims this one must wait for regardless.
   */
  public claim(owner: string, objects: Promise<any[]>, after: string[] = [], options: ClaimOptions = {}): Promise<Claim> {
    this.reserve(owner, after);
    this.pending++;
    const decided = this.chain.then(async () => this.decide(owner, await objects, after, options));
    const done = () => {
      this.pending--;
    };
    decided.then(done, (e: Error) => {
      this.failures.push(e);
      done();
    });
    this.chain = decided.catch(() => undefined);
    return decided;
  }

  /**
   * Claims objects known now (a construct tree's plan). Every earlier claim must be decided: await `settled()`
   * first when some are still being read.
   */
  public claimNow(owner: string, objects: any[], after: string[] = [], options: ClaimOptions = {}): Claim {
    if (this.pending > 0) {
      throw new Error(`declared objects: ${owner} claims its objects while ${this.pending} earlier claim(s) are still being read; ` +
        'await declared.settled() before creating it');
    }
    this.reserve(owner, after);
    return this.decide(owner, objects, after, options);
  }

  /** Resolves when every claim made so far is decided; rejects with the first failure (e.g. a release file refused). */
  public async settled(): Promise<void> {
    await this.chain;
    if (this.failures.length) throw this.failures[0];
  }

  /** Records the Pulumi resource that deploys a claim's objects (what waiting for the claim means). */
  public bind(owner: string, resource: pulumi.Resource): void {
    if (!this.owners.includes(owner)) throw new Error(`declared objects: nothing claimed by ${owner}`);
    this.resourcesByOwner.set(owner, resource);
  }

  /** The resources of claims, in order (an unbound claim is an error: it cannot be waited for). */
  public resources(owners: string[]): pulumi.Resource[] {
    return owners.map((o) => {
      const r = this.resourcesByOwner.get(o);
      if (!r) throw new Error(`declared objects: ${o} has no resource bound; bind(owner, resource) after claiming`);
      return r;
    });
  }

  /** Every wait between claims decided so far, with the reasons. */
  public get waits(): ClaimWait[] {
    return this.records.flatMap((r) => [...r.waits.entries()].map(([to, reasons]) => ({ from: r.owner, to, reasons })));
  }

  /** The claim holding an object, once decided. */
  public holderOf(apiVersion: string, kind: string, namespace: string | undefined, name: string): string | undefined {
    const id = identity(apiVersion, kind, namespace, name);
    return this.records.find((r) => r.byIdentity.has(id))?.owner;
  }

  private reserve(owner: string, after: string[]): void {
    if (this.owners.includes(owner)) throw new Error(`declared objects: ${owner} has claimed already; give each stage and deployment its own name`);
    const unknown = after.find((a) => !this.owners.includes(a));
    if (unknown !== undefined) throw new Error(`declared objects: ${owner} comes after ${unknown}, which has not claimed before it`);
    this.owners.push(owner);
  }

  /** The claims a claim waits for, directly or through others. */
  private ancestors(waits: Map<string, string[]>): Set<string> {
    const seen = new Set<string>();
    const visit = (owner: string) => {
      if (seen.has(owner)) return;
      seen.add(owner);
      for (const next of this.records.find((r) => r.owner === owner)?.waits.keys() ?? []) visit(next);
    };
    for (const owner of waits.keys()) visit(owner);
    return seen;
  }

  /**
   * Refuses a claim holding a CRD an earlier claim's object needs (that object would be created first), or an
   * awaited webhook admitting an earlier claim's object when this claim does not wait for that claim (the object
   * could be created while the webhook has no CA yet).
   */
  private refuseBackwardNeeds(record: ClaimRecord, plurals: Map<string, string>): void {
    if (!record.crds.size && !record.webhooks.length) return;
    const before = this.ancestors(record.waits);
    for (const earlier of this.records) {
      for (const o of earlier.kept) {
        if (!o?.kind || !o?.apiVersion) continue;
        const group = groupOf(String(o.apiVersion));
        const crd = record.crds.get(`${group}/${o.kind}`);
        if (crd && !earlier.crds.has(`${group}/${o.kind}`)) {
          throw new Error(`declared objects: ${record.owner} holds CustomResourceDefinition ${crd.name}, which ${describeObject(o)} of ${earlier.owner} ` +
            `needs, but ${earlier.owner} is declared first; declare ${record.owner} before ${earlier.owner}`);
        }
        const webhook = before.has(earlier.owner) ? undefined
          : record.webhooks.find((w) => w.rules.some((rule) => admitsCreate(rule, group, pluralOf(group, o.kind, plurals))));
        if (webhook) {
          throw new Error(`declared objects: ${record.owner} holds ${webhook.name}, whose CA cert-manager injects, and it admits ${describeObject(o)} of ` +
            `${earlier.owner}, which is declared first and could be created before the CA is there; declare ${record.owner} before ${earlier.owner}, ` +
            `or make it come after ${earlier.owner}`);
        }
      }
    }
  }

  private decide(owner: string, objects: any[], after: string[], options: ClaimOptions = {}): Claim {
    try {
      return this.decideOrRefuse(owner, objects, after, options);
    } catch (e) {
      // A refused claim takes no place in the order: nothing can wait for it.
      this.owners.splice(this.owners.indexOf(owner), 1);
      throw e;
    }
  }

  private decideOrRefuse(owner: string, objects: any[], after: string[], options: ClaimOptions): Claim {
    const byIdentity = new Map<string, any>();
    const guarded = new Map<string, string>();
    const kept: any[] = [];
    const dropped: DroppedCopy[] = [];
    const waits = new Map<string, string[]>();
    const wait = (to: string, reason: string) => waits.set(to, [...waits.get(to) ?? [], reason]);
    for (const a of after) wait(a, 'declared after it');
    const exclusive = options.exclusive === true;
    const claimed: ClaimedObject[] = objects.map((o, i) => {
      const name = o?.metadata?.name;
      // Only named objects can collide (yaml/v2 refuses the others anyway).
      if (typeof name !== 'string' || !o.kind || !o.apiVersion) {
        kept.push(o);
        return { waitsFor: [] };
      }
      const id = identity(o.apiVersion, o.kind, o.metadata.namespace, name);
      const earlier = this.records.find((r) => r.byIdentity.has(id));
      const first = earlier?.byIdentity.get(id) ?? byIdentity.get(id);
      const guard = options.guarded?.[i];
      if (first !== undefined) {
        const keptBy = earlier?.owner ?? owner;
        const differences = copyDifferences(first, o);
        if (guard !== undefined) throw new DeclaredObjectConflict(describeObject(o), owner, i, keptBy, differences, guard);
        if (differences.length && (exclusive || earlier?.exclusive || (earlier?.guarded ?? guarded).has(id))) throw new DeclaredObjectConflict(describeObject(o), owner, i, keptBy, differences);
        dropped.push({ object: describeObject(o), droppedFrom: owner, keptBy, identical: differences.length === 0, differences });
        if (earlier) wait(earlier.owner, `${describeObject(o)} is held there`);
        return { heldBy: keptBy, waitsFor: [] };
      }
      if (guard !== undefined) guarded.set(id, guard);
      byIdentity.set(id, o);
      kept.push(o);
      return { waitsFor: [] };
    });
    const record: ClaimRecord = { owner, exclusive, guarded, kept, byIdentity, waits, crds: crdsOf(kept), webhooks: awaitedWebhooksOf(kept) };
    const plurals = new Map([...this.records, record].flatMap((r) => [...r.crds.entries()].map(([k, v]) => [k, v.plural] as [string, string])));
    // What each kept object needs from earlier claims: its CRD, and the awaited webhooks that admit its creation.
    const needs = new Map<any, Set<string>>();
    for (const o of kept) {
      if (!o?.kind || !o?.apiVersion) continue;
      const group = groupOf(String(o.apiVersion));
      const plural = pluralOf(group, o.kind, plurals);
      const mine = new Set<string>();
      for (const r of this.records) {
        const crd = r.crds.get(`${group}/${o.kind}`);
        if (crd && !record.crds.has(`${group}/${o.kind}`)) {
          mine.add(r.owner);
          wait(r.owner, `uses CustomResourceDefinition ${crd.name}`);
        }
        for (const w of r.webhooks.filter((x) => x.rules.some((rule) => admitsCreate(rule, group, plural)))) {
          mine.add(r.owner);
          wait(r.owner, `${w.name} (CA injected by cert-manager) admits ${o.kind}${group ? `.${group}` : ''}`);
        }
      }
      needs.set(o, mine);
    }
    for (const [to, reasons] of waits) waits.set(to, [...new Set(reasons)]);
    this.refuseBackwardNeeds(record, plurals);
    this.records.push(record);
    this.dropped.push(...dropped);
    claimed.forEach((c, i) => {
      const mine = needs.get(objects[i]);
      if (!c.heldBy && mine) c.waitsFor.push(...mine);
    });
    const order = (names: Iterable<string>) => {
      const set = new Set(names);
      return this.owners.filter((o) => set.has(o));
    };
    return {
      owner,
      kept,
      objects: claimed.map((c) => ({ ...c, waitsFor: order(c.waitsFor) })),
      waitsFor: order(waits.keys()),
    };
  }
}
