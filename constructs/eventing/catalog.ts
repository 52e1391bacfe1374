/**
 * The event catalog: which CloudEvent types are produced where, and who consumes them — a view of the app's model.
 * Every producer (sources, publishers) and every subscription is an edge recorded by the same wiring call that
 * creates its objects (`Wiring.connect`), so the catalog, the Knative EventTypes, the missing-producer check and the
 * event-flow picture never disagree.
 */
import { IConstruct } from 'constructs';
import { IEventSink } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { CloudEventType } from '../core/event-type';
import { ValidationError } from '../core/errors';
import { PlatformModel } from '../core/model';
import { EdgeKind } from '../core/wiring';

export interface EventProducer {
  /** The source or publishing workload. */
  readonly producer: IConstruct;
  /** How it produces: `PingSource`, `SinkBinding`, `ContainerSource`, `ApiServerSource`. */
  readonly via: string;
  /** Where the events go. */
  readonly sink: IEventSink;
  readonly type: CloudEventType;
  /** The CloudEvent `source` attribute, when the producer's is known (e.g. a PingSource's). @default - unknown */
  readonly source?: string;
}

/** A sink that can say why a type does not reach it (a team broker: the type is not granted to the team). @internal */
interface IExplainsMissingTypes {
  _missingTypeHint(type: CloudEventType): string | undefined;
}

export interface EventConsumer {
  /** The subscription (a Trigger). */
  readonly subscription: IConstruct;
  readonly broker: IEventSink;
  readonly subscriber: IEventSink;
  readonly filters: EventFilter[];
}

/** Names a construct for people: `namespace/name` when it has them, else its construct path. */
export function describe(c: IConstruct): string {
  const any = c as any;
  if (typeof any.name === 'string' && typeof any.namespace === 'string') return `${any.namespace}/${any.name}`;
  return c.node.path;
}

export class EventCatalog {
  /** The catalog of the app `scope` belongs to. */
  public static of(scope: IConstruct): EventCatalog {
    return new EventCatalog(PlatformModel.of(scope));
  }

  private constructor(private readonly model: PlatformModel) {}

  /**
   * Makes synthesis check every subscription of the app: a type filter on a type nothing produces into its broker
   * is a ValidationError naming the subscription (unless the type is external). Called by the Trigger.
   * @internal
   */
  public _checkAtSynth(): void {
    this.model._addCheck('event-catalog', () => {
      const reaching = this.reachingTypes();
      const problems = this.consumers.flatMap((c) => this.unproducedWith(c, reaching).map((t) => ({ c, t })));
      if (problems.length === 0) return;
      const [{ c, t }, ...more] = problems;
      const also = more.map((p) => `\n${p.c.subscription.node.path}: filters subscribe ${describe(p.c.subscriber)} to event type "${p.t.type}" (nothing produces it into ${describe(p.c.broker)})`).join('');
      // A broker fed from another one says why a type does not reach it (a team broker: the type is not granted).
      const hint = (c.broker as Partial<IExplainsMissingTypes>)._missingTypeHint?.(t);
      throw new ValidationError(c.subscription, 'filters', `subscribe ${describe(c.subscriber)} to event type "${t.type}", which nothing produces into ` +
        `broker ${describe(c.broker)}; ${hint ?? 'add its producer (broker.addPublisher(fn, { emits }), a source with the broker as sink) ' +
        'or declare the type CloudEventType.external(...) if it comes from outside the platform'}${also}`);
    });
  }

  /** Every production of a type into a sink, in wiring order. */
  public get producers(): EventProducer[] {
    return this.model.edges.flatMap((e) => (e.events?.produces ?? []).map((type) => ({
      producer: e.from, via: e.events!.via, sink: e.to as IEventSink, type, ...(e.events!.source !== undefined ? { source: e.events!.source } : {}),
    })));
  }

  /** Every subscription, in wiring order. */
  public get consumers(): EventConsumer[] {
    return this.model.edges.filter((e) => e.kind === EdgeKind.DELIVERS_EVENTS && e.events?.filters !== undefined)
      .map((e) => ({ subscription: e.events!.realizedBy, broker: e.from as IEventSink, subscriber: e.to as IEventSink, filters: e.events!.filters! }));
  }

  /**
   * The types a subscription requires that nothing produces into its broker (external types excepted). A type
   * reaches a broker when something produces it there, or when another broker that receives it delivers it there (a
   * subscription of the broker whose filters let the type through, or its dead letters).
   */
  public unproducedTypes(consumer: EventConsumer): CloudEventType[] {
    return this.unproducedWith(consumer, this.reachingTypes());
  }

  private unproducedWith(consumer: EventConsumer, reaching: Map<IConstruct, Set<string>>): CloudEventType[] {
    return consumer.filters.flatMap((f) => f._requiredTypes())
      .filter((t) => !t.isExternal && !reaching.get(consumer.broker)?.has(t.type));
  }

  /** The types that reach each sink: produced into it, or forwarded to it by a broker that receives them. */
  private reachingTypes(): Map<IConstruct, Set<string>> {
    const reaching = new Map<IConstruct, Set<string>>();
    const add = (sink: IConstruct, type: string): boolean => {
      let types = reaching.get(sink);
      if (!types) reaching.set(sink, types = new Set());
      if (types.has(type)) return false;
      types.add(type);
      return true;
    };
    const forwards: Array<{ from: IConstruct; to: IConstruct; only?: Set<string> }> = [];
    for (const e of this.model.edges) {
      for (const t of e.events?.produces ?? []) add(e.to, t.type);
      if (e.kind === EdgeKind.DELIVERS_EVENTS && isBrokerLike(e.to)) {
        // A subscription forwards what its type filters select (everything without one); dead letters forward all.
        const required = (e.events?.filters ?? []).flatMap((f) => f._requiredTypes()).map((t) => t.type);
        forwards.push({ from: e.from, to: e.to, only: required.length ? new Set(required) : undefined });
      }
    }
    for (let changed = forwards.length > 0; changed;) {
      changed = false;
      for (const f of forwards) {
        for (const t of [...reaching.get(f.from) ?? []]) if ((!f.only || f.only.has(t)) && add(f.to, t)) changed = true;
      }
    }
    return reaching;
  }

  /** All types, produced or consumed, in first-seen order. */
  public types(): CloudEventType[] {
    const seen = new Map<string, CloudEventType>();
    for (const p of this.producers) if (!seen.has(p.type.type)) seen.set(p.type.type, p.type);
    for (const c of this.consumers) {
      for (const t of c.filters.flatMap((f) => f._requiredTypes())) if (!seen.has(t.type)) seen.set(t.type, t);
    }
    return [...seen.values()];
  }

  /** The catalog as Markdown: one row per type, then one row per subscription. */
  public renderMarkdown(title: string, picture?: string): string {
    const lines = [`# ${title}`, '', 'Generated from the wiring (sources, publishers, subscriptions). Do not edit.', ''];
    if (picture) lines.push(`![event flows](${picture})`, '');
    lines.push('## Event types', '', '| type | description | produced by | into | consumed by |', '|---|---|---|---|---|');
    const allProducers = this.producers;
    const allConsumers = this.consumers;
    for (const t of this.types()) {
      const producers = allProducers.filter((p) => p.type.type === t.type);
      const consumers = allConsumers.filter((c) => c.filters.some((f) => f._requiredTypes().some((r) => r.type === t.type)));
      lines.push(`| \`${t.type}\`${t.isExternal ? ' (external)' : ''} | ${escapeCell(t.description ?? '')} | ${
        producers.map((p) => `${describe(p.producer)} (${p.via})`).join('<br>') || (t.isExternal ? 'outside the platform' : '—')} | ${
        [...new Set(producers.map((p) => describe(p.sink)))].join('<br>')} | ${
        [...new Set(consumers.map((c) => describe(c.subscriber)))].join('<br>') || '—'} |`);
    }
    lines.push('', '## Subscriptions', '', '| subscription | broker | filter | subscriber |', '|---|---|---|---|');
    for (const c of allConsumers) {
      lines.push(`| ${describe(c.subscription)} | ${describe(c.broker)} | ${c.filters.length ? escapeCell(c.filters.map((f) => f.toString()).join(' & ')) : 'all events'} | ${describe(c.subscriber)} |`);
    }
    lines.push('');
    return lines.join('\n');
  }

  /**
   * The event flows as an SVG picture: producers → brokers → subscribers (a function that publishes and subscribes
   * appears in both outer columns), one arrow per pair, labelled with the types or filters it carries.
   */
  public renderSvg(title: string): string {
    const isBroker = (s: IEventSink) => typeof (s as any).subscribe === 'function';
    const producers = this.producers;
    const consumers = this.consumers;
    const brokers = unique([...consumers.map((c) => c.broker), ...consumers.map((c) => c.subscriber).filter(isBroker), ...producers.map((p) => p.sink).filter(isBroker)]);
    // A broker fed by another (a team's broker) stands one column to the right of the brokers that feed it.
    const depth = new Map<IConstruct, number>(brokers.map((b) => [b, 0]));
    for (let round = 0, changed = true; changed && round < brokers.length; round++) {
      changed = false;
      for (const c of consumers) {
        if (!isBroker(c.subscriber) || (depth.get(c.subscriber) ?? 0) > depth.get(c.broker)!) continue;
        depth.set(c.subscriber, depth.get(c.broker)! + 1);
        changed = true;
      }
    }
    const levels = Math.max(0, ...depth.values()) + 1;
    const brokerColumn = (b: IConstruct) => 1 + depth.get(b)!;
    const last = levels + 1;
    const columns: IConstruct[][] = [
      unique(producers.map((p) => p.producer)),
      ...Array.from({ length: levels }, (_, d) => brokers.filter((b) => depth.get(b) === d)),
      unique([...consumers.map((c) => c.subscriber), ...producers.map((p) => p.sink)]).filter((s) => !brokers.includes(s)),
    ];
    type Edge = { from: [number, IConstruct]; to: [number, IConstruct]; labels: string[]; color: string; labelAt: 'start' | 'end' };
    const edges: Edge[] = [];
    const addEdge = (from: [number, IConstruct], to: [number, IConstruct], label: string, color: string, labelAt: 'start' | 'end') => {
      const existing = edges.find((e) => e.from[1] === from[1] && e.to[1] === to[1] && e.from[0] === from[0] && e.to[0] === to[0]);
      if (existing) {
        if (!existing.labels.includes(label)) existing.labels.push(label);
      } else {
        edges.push({ from, to, labels: [label], color, labelAt });
      }
    };
    for (const p of producers) addEdge([0, p.producer], [isBroker(p.sink) ? brokerColumn(p.sink) : last, p.sink], p.type.type, '#1f6feb', 'start');
    for (const c of consumers) {
      addEdge([brokerColumn(c.broker), c.broker], [isBroker(c.subscriber) ? brokerColumn(c.subscriber) : last, c.subscriber],
        c.filters.length ? c.filters.map((f) => f.toString()).join(' & ') : 'all events', '#8250df', 'end');
    }
    const lineHeight = 14;
    const boxHeight = 34;
    const columnWidth = 250;
    const edgeSpace = 260;
    const top = 60;
    // Each row is tall enough for the labels stacked above the boxes of its row.
    const labelLines = (col: number, node: IConstruct) => edges
      .filter((e) => (e.labelAt === 'start' ? e.from : e.to)[0] === col && (e.labelAt === 'start' ? e.from : e.to)[1] === node)
      .reduce((n, e) => n + e.labels.length, 0);
    const position = new Map<string, { x: number; y: number; w: number }>();
    const key = (col: number, node: IConstruct) => `${col}:${node.node.path}`;
    let height = top;
    columns.forEach((column, col) => {
      let y = top;
      for (const node of column) {
        y += labelLines(col, node) * lineHeight;
        const w = Math.max(120, describe(node).length * 7.2 + 24);
        position.set(key(col, node), { x: 20 + col * (columnWidth + edgeSpace) + (columnWidth - w) / 2, y, w });
        y += boxHeight + 22;
      }
      height = Math.max(height, y);
    });
    const width = 40 + columns.length * columnWidth + (columns.length - 1) * edgeSpace;
    height += 10;
    const out: string[] = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
      `<title>${xml(title)}</title>`,
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
      `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
      `<text x="20" y="26" font-size="16" font-weight="bold">${xml(title)}</text>`,
      ...['producers', 'brokers', ...Array.from({ length: levels - 1 }, () => 'brokers fed by brokers'), 'subscribers'].map((heading, i) =>
        `<text x="${20 + i * (columnWidth + edgeSpace) + columnWidth / 2}" y="48" text-anchor="middle" fill="#666">${heading}</text>`),
    ];
    const stacked = new Map<string, number>();
    for (const e of edges) {
      const a = position.get(key(...e.from))!;
      const b = position.get(key(...e.to))!;
      const x1 = a.x + a.w;
      const y1 = a.y + boxHeight / 2;
      const x2 = b.x;
      const y2 = b.y + boxHeight / 2;
      const mx = (x1 + x2) / 2;
      out.push(`<path d="M${fmt(x1)},${fmt(y1)} C${fmt(mx)},${fmt(y1)} ${fmt(mx)},${fmt(y2)} ${fmt(x2)},${fmt(y2)}" fill="none" stroke="${e.color}" stroke-width="1.5" marker-end="url(#arrow)"/>`);
      // Labels sit above the box they start from (producers) or end at (subscribers), stacked upwards.
      const anchorKey = key(...(e.labelAt === 'start' ? e.from : e.to));
      const anchor = e.labelAt === 'start' ? a : b;
      for (const label of e.labels) {
        const n = stacked.get(anchorKey) ?? 0;
        stacked.set(anchorKey, n + 1);
        const y = anchor.y - 4 - n * lineHeight;
        out.push(e.labelAt === 'start'
          ? `<text x="${fmt(anchor.x + anchor.w + 6)}" y="${fmt(y)}" fill="${e.color}">${xml(label)}</text>`
          : `<text x="${fmt(anchor.x - 6)}" y="${fmt(y)}" text-anchor="end" fill="${e.color}">${xml(label)}</text>`);
      }
    }
    for (const [col, column] of columns.entries()) {
      for (const node of column) {
        const p = position.get(key(col, node))!;
        out.push(`<rect x="${fmt(p.x)}" y="${fmt(p.y)}" width="${fmt(p.w)}" height="${boxHeight}" rx="8" fill="#f6f8fa" stroke="#444"/>`);
        out.push(`<text x="${fmt(p.x + p.w / 2)}" y="${fmt(p.y + boxHeight / 2 + 4)}" text-anchor="middle">${xml(describe(node))}</text>`);
      }
    }
    out.push('</svg>', '');
    return out.join('\n');
  }
}

/** A broker (ours or imported), by its shape: it forwards what it receives to its subscribers. */
function isBrokerLike(x: IConstruct): boolean {
  return typeof (x as { subscribe?: unknown }).subscribe === 'function' && typeof (x as { addPublisher?: unknown }).addPublisher === 'function';
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
