/**
 * The app-level model: one per construct tree (app). Every wiring call records its edge here (core/wiring.ts), and
 * the views read it — the platform graph, the event catalog, the generated docs; the namespaces the bundles create
 * are registered here, so two constructs cannot each create one. At synth it checks that no two objects take the
 * same name (core/plan.ts).
 */
import { IConstruct } from 'constructs';
import type { ObjectRef } from './contracts';
import { checkUniqueNames, refIdentity } from './uniqueness';
import type { WiringEdge } from './wiring';

const MODELS = new WeakMap<IConstruct, PlatformModel>();

/**
 * The model of an app (see the module comment). Read it through its views (`PlatformGraph.of`, `EventCatalog.of`);
 * write it through `Wiring.connect`.
 */
export class PlatformModel {
  /** The model of the construct tree `scope` belongs to (created on first use). */
  public static of(scope: IConstruct): PlatformModel {
    const root = scope.node.root;
    let model = MODELS.get(root);
    if (!model) {
      model = new PlatformModel();
      MODELS.set(root, model);
      // Runs wherever the tree is synthesized: `cdk8s synth`, `Testing.synth`, `chart.toJson()`, the Pulumi bridge.
      const created = model;
      root.node.addValidation({ validate: () => created._checkApp(root) });
    }
    return model;
  }

  private readonly edgeList: WiringEdge[] = [];
  private readonly byKey = new Map<string, WiringEdge>();
  /** Environment variables a controller injects into a workload (SinkBinding's K_SINK), by the workload's object and name. */
  private readonly injected = new Map<string, Map<string, WiringEdge>>();
  /** Namespaces created by constructs of the app, by name. */
  private readonly namespaceList = new Map<string, unknown>();
  /** Checks of the whole app the views register (the event catalog's), run at synth after uniqueness. */
  private readonly checks = new Map<string, () => void>();
  /** The tree and the model at the last check that passed. */
  private checked?: { nodes: number; last: IConstruct | undefined; edges: number };

  private constructor() {}

  /**
   * The app-level checks, run at synth: no two objects take one name, then every registered check (each throws a
   * ValidationError naming the construct). cdk8s validates once per chart it synthesizes: an app checked before and
   * unchanged since (names and wiring are fixed at construction) is not checked again.
   */
  /** @internal */
  public _checkApp(root: IConstruct): string[] {
    const nodes = root.node.findAll();
    const last = nodes[nodes.length - 1];
    const done = this.checked;
    if (done && done.nodes === nodes.length && done.last === last && done.edges === this.edgeList.length) return [];
    checkUniqueNames(root, nodes);
    for (const check of this.checks.values()) check();
    this.checked = { nodes: nodes.length, last, edges: this.edgeList.length };
    return [];
  }

  /** Registers an app-level check under a name (once per name). @internal */
  public _addCheck(name: string, check: () => void): void {
    if (!this.checks.has(name)) this.checks.set(name, check);
  }

  /** Every edge, in the order it was wired. */
  public get edges(): WiringEdge[] {
    return [...this.edgeList];
  }

  /** The edge wired with this key, if any. */
  public edge(key: string): WiringEdge | undefined {
    return this.byKey.get(key);
  }

  /**
   * The edge that injects `name` into a workload, if one does: by the workload's object, so that two handles of one
   * Knative Service (ours and an imported one) are one workload.
   */
  public injection(workload: ObjectRef, name: string): WiringEdge | undefined {
    return this.injected.get(refIdentity(workload))?.get(name);
  }

  /** Records an edge (called by Wiring.connect once every check passed). @internal */
  public _record(key: string | undefined, edge: WiringEdge): void {
    this.edgeList.push(edge);
    if (key !== undefined) this.byKey.set(key, edge);
  }

  /** Records an injected variable. @internal */
  public _inject(workload: ObjectRef, name: string, edge: WiringEdge): void {
    const id = refIdentity(workload);
    let names = this.injected.get(id);
    if (!names) this.injected.set(id, names = new Map());
    names.set(name, edge);
  }

  /** The namespace record a bundle keeps here. @internal */
  public _namespace<T>(name: string): T | undefined {
    return this.namespaceList.get(name) as T | undefined;
  }

  /** Registers a namespace record. @internal */
  public _setNamespace<T>(name: string, record: T): void {
    this.namespaceList.set(name, record);
  }
}
