import { Chart, Testing } from 'cdk8s';
import { CloudEventType, EventCatalog, EventFilter, KnativeFunction, PingSource, RabbitmqBroker, RabbitmqCluster } from '../../constructs';

function build() {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'events' });
  const broker = new RabbitmqBroker(chart, 'game', { cluster: new RabbitmqCluster(chart, 'mq') });
  const player = new KnativeFunction(chart, 'player', { image: 'ghcr.io/example/player:1' });
  const board = new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
  const score = CloudEventType.of('dev.example.score', { description: 'a | scored' });
  const partner = CloudEventType.external('com.partner.signup');
  broker.addPublisher(player, { emits: [score] });
  new PingSource(chart, 'tick', { schedule: '@hourly', sink: broker });
  broker.subscribe(board, { filters: [EventFilter.type(score)] });
  broker.subscribe(player, { filters: [EventFilter.type(partner)] });
  broker.subscribe(board, { name: 'board-all' });
  return { app, catalog: EventCatalog.of(app) };
}

describe('EventCatalog', () => {
  test('lists every type with its producers and consumers, external types marked', () => {
    const md = build().catalog.renderMarkdown('Catalog', 'events.svg');
    expect(md).toContain('![event flows](events.svg)');
    expect(md).toContain('| `dev.example.score` | a \\| scored | events/player (SinkBinding) | events/game | events/board |');
    expect(md).toContain('| `dev.knative.sources.ping` | a scheduled ping from a PingSource | events/tick (PingSource) | events/game | — |');
    expect(md).toContain('| `com.partner.signup` (external) |  | outside the platform |  | events/player |');
    expect(md).toContain('| events/board-all | events/game | all events | events/board |');
  });

  test('draws producers, brokers and subscribers with labelled arrows, deterministically', () => {
    const svg = build().catalog.renderSvg('Flows <1>');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(svg).toContain('<title>Flows &lt;1&gt;</title>');
    for (const label of ['events/player', 'events/tick', 'events/game', 'events/board', 'dev.example.score', 'type=dev.example.score', 'all events']) {
      expect(svg).toContain(`>${label}</text>`);
    }
    expect((svg.match(/<path d="M/g) ?? []).length).toBe(5);
    expect(build().catalog.renderSvg('Flows <1>')).toBe(svg);
  });

  test('only non-external types without a producer into the same broker are reported', () => {
    const { catalog } = build();
    expect(catalog.consumers.map((c) => catalog.unproducedTypes(c).map((t) => t.type))).toEqual([[], [], []]);
  });

  test('a type forwarded by one broker to another reaches it; a type the forwarding filters drop does not', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'events' });
    const cluster = new RabbitmqCluster(chart, 'mq');
    const ingest = new RabbitmqBroker(chart, 'ingest', { cluster });
    const scores = new RabbitmqBroker(chart, 'scores', { cluster });
    const player = new KnativeFunction(chart, 'player', { image: 'ghcr.io/example/player:1' });
    const board = new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
    const score = CloudEventType.of('dev.example.score');
    const chat = CloudEventType.of('dev.example.chat');
    ingest.addPublisher(player, { emits: [score, chat] });
    ingest.subscribe(scores, { name: 'forward-scores', filters: [EventFilter.type(score)] });
    scores.subscribe(board, { name: 'board-scores', filters: [EventFilter.type(score)] });
    const catalog = EventCatalog.of(app);
    expect(catalog.consumers.map((c) => [c.subscription.node.id, catalog.unproducedTypes(c).map((t) => t.type)]))
      .toEqual([['Trigger-forward-scores', []], ['Trigger-board-scores', []]]);
    expect(() => app.synth()).not.toThrow();

    scores.subscribe(board, { name: 'board-chat', filters: [EventFilter.type(chat)] });
    expect(catalog.unproducedTypes(catalog.consumers[2]).map((t) => t.type)).toEqual(['dev.example.chat']);
    expect(() => app.synth()).toThrow(/Trigger-board-chat: filters subscribe events\/board to event type "dev\.example\.chat", which nothing produces into broker events\/scores/);
  });
});
