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
 * copy wins — and waits for the earlier claims holding the copies it dropped (its own objects may need them: a
 * Namespace, a CRD).
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

/** Same content, whatever the key order. */
function canonical(value: any): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

interface ClaimRecord {
  readonly owner: string;
  readonly kept: any[];
  /** Objects by identity. */
  readonly byIdentity: Map<string, any>;
  /** Earlier claims it waits for, with the reasons. */
  readonly waits: Map<string, string[]>;
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

  /**
   * Claims objects that are still being read (a release file): the claim takes its place in the order now, and is
   * decided once every earlier claim is. `after` names earlier claims this one must wait for regardless.
   */
  public claim(owner: string, objects: Promise<any[]>, after: string[] = []): Promise<Claim> {
    this.reserve(owner, after);
    this.pending++;
    const decided = this.chain.then(async () => this.decide(owner, await objects, after));
    const done = () => {
      this.pending--;
    };
    decided.then(done, done);
    this.chain = decided.catch(() => undefined);
    return decided;
  }

  /**
   * Claims objects known now (a construct tree's plan). Every earlier claim must be decided: await `settled()`
   * first when some are still being read.
   */
  public claimNow(owner: string, objects: any[], after: string[] = []): Claim {
    if (this.pending > 0) {
      throw new Error(`declared objects: ${owner} claims its objects while ${this.pending} earlier claim(s) are still being read; ` +
        'await declared.settled() before creating it');
    }
    this.reserve(owner, after);
    return this.decide(owner, objects, after);
  }

  /** Resolves when every claim made so far is decided (rejects with the first failure, e.g. a release file refused). */
  public async settled(): Promise<void> {
    await this.chain;
    const failed = this.owners.find((o) => !this.records.some((r) => r.owner === o));
    if (failed) throw new Error(`declared objects: the objects of ${failed} could not be read (see the error above)`);
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

  private decide(owner: string, objects: any[], after: string[]): Claim {
    const byIdentity = new Map<string, any>();
    const kept: any[] = [];
    const waits = new Map<string, string[]>();
    const wait = (to: string, reason: string) => waits.set(to, [...waits.get(to) ?? [], reason]);
    for (const a of after) wait(a, 'declared after it');
    const claimed: ClaimedObject[] = objects.map((o) => {
      const name = o?.metadata?.name;
      // Only named objects can collide (yaml/v2 refuses the others anyway).
      if (typeof name !== 'string' || !o.kind || !o.apiVersion) {
        kept.push(o);
        return { waitsFor: [] };
      }
      const id = identity(o.apiVersion, o.kind, o.metadata.namespace, name);
      const earlier = this.records.find((r) => r.byIdentity.has(id));
      const first = earlier?.byIdentity.get(id) ?? byIdentity.get(id);
      if (first !== undefined) {
        const keptBy = earlier?.owner ?? owner;
        this.dropped.push({ object: describeObject(o), droppedFrom: owner, keptBy, identical: canonical(first) === canonical(o) });
        if (earlier) wait(earlier.owner, `${describeObject(o)} is held there`);
        return { heldBy: keptBy, waitsFor: [] };
      }
      byIdentity.set(id, o);
      kept.push(o);
      return { waitsFor: [] };
    });
    const record: ClaimRecord = { owner, kept, byIdentity, waits };
    this.records.push(record);
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
