/**
 * The platform graph: every wiring call (bind, route, connect, and later publish/subscribe) records one edge here.
 * Network policies are created by the same calls; the graph is what documentation, diagrams and deploy order are
 * derived from, so none of them is written twice.
 */
import { IConstruct } from 'constructs';

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

export interface GraphEdge {
  readonly from: IConstruct;
  readonly to: IConstruct;
  readonly kind: EdgeKind;
  /** What the edge carries, e.g. the route path or the injected env prefix. */
  readonly detail: string;
}

const GRAPHS = new WeakMap<IConstruct, PlatformGraph>();

export class PlatformGraph {
  /** The graph of the construct tree `scope` belongs to (one per app). */
  public static of(scope: IConstruct): PlatformGraph {
    const root = scope.node.root;
    let graph = GRAPHS.get(root);
    if (!graph) {
      graph = new PlatformGraph();
      GRAPHS.set(root, graph);
    }
    return graph;
  }

  private readonly list: GraphEdge[] = [];

  private constructor() {}

  public addEdge(edge: GraphEdge): void {
    this.list.push(edge);
  }

  /** All edges in the order they were wired. */
  public get edges(): GraphEdge[] {
    return [...this.list];
  }

  /** The edges inside a subtree (both ends under `scope`). */
  public edgesWithin(scope: IConstruct): GraphEdge[] {
    const prefix = scope.node.path;
    const inside = (c: IConstruct) => prefix === '' || c.node.path === prefix || c.node.path.startsWith(prefix + '/');
    return this.list.filter((e) => inside(e.from) && inside(e.to));
  }
}
