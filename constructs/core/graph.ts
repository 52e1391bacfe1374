/**
 * The platform graph: a view of the app's model (core/model.ts). Every wiring call (bind, route, connect, subscribe,
 * addPublisher, a source's sink) records one edge through `Wiring.connect`; documentation, diagrams and deploy order
 * are derived from it, so none of them is written twice.
 */
import { IConstruct } from 'constructs';
import { PlatformModel } from './model';
import { WiringEdge } from './wiring';

export class PlatformGraph {
  /** The graph of the construct tree `scope` belongs to (one per app). */
  public static of(scope: IConstruct): PlatformGraph {
    return new PlatformGraph(PlatformModel.of(scope));
  }

  private constructor(private readonly model: PlatformModel) {}

  /** All edges in the order they were wired. */
  public get edges(): WiringEdge[] {
    return this.model.edges;
  }

  /** The edges inside a subtree (both ends under `scope`). */
  public edgesWithin(scope: IConstruct): WiringEdge[] {
    const prefix = scope.node.path;
    const inside = (c: IConstruct) => prefix === '' || c.node.path === prefix || c.node.path.startsWith(prefix + '/');
    return this.model.edges.filter((e) => inside(e.from) && inside(e.to));
  }

  /** Side effects the wiring could not apply (imported objects), each with what to do instead. */
  public get notApplied(): string[] {
    return this.model.edges.flatMap((e) => e.notApplied);
  }
}
