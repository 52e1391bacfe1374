/**
 * The benchmark's platform: N functions, each bound to Redis, routed by a gateway and subscribed to a broker —
 * the wiring a real platform of that size has — built only through the public constructs. A gateway's nginx
 * configuration lives in a ConfigMap (1 MiB), which holds about 3,000 routes: as a real platform would, the bench
 * spreads the routes over gateways of ROUTES_PER_GATEWAY.
 */
import { App, Chart } from 'cdk8s';
import { ApiGateway, CloudEventType, EventDrivenPlatform, EventFilter, FunctionsPlatform, Language, PingSource } from '../constructs';

const ROUTES_PER_GATEWAY = 2000;

const LANGUAGES = [Language.GO, Language.NODEJS, Language.PYTHON, Language.JAVA];

export function buildBenchPlatform(app: App, n: number): void {
  const chart = new Chart(app, 'functions', { disableResourceNameHashes: true });
  const functions = new FunctionsPlatform(chart, 'Platform', {
    namespace: 'functions',
    functions: Array.from({ length: n }, (_, i) => ({
      name: `fn-${i}`,
      image: `ghcr.io/example/fn-${i}:1.0.${i}`,
      language: LANGUAGES[i % LANGUAGES.length],
    })),
    gateway: { routes: Array.from({ length: Math.min(n, ROUTES_PER_GATEWAY) }, (_, i) => ({ path: `/api/fn-${i}`, function: `fn-${i}` })) },
  });
  for (let first = ROUTES_PER_GATEWAY; first < n; first += ROUTES_PER_GATEWAY) {
    const gateway = new ApiGateway(chart, `Gateway${first / ROUTES_PER_GATEWAY}`, { name: `gateway-${first / ROUTES_PER_GATEWAY}`, namespace: 'functions' });
    for (let i = first; i < Math.min(n, first + ROUTES_PER_GATEWAY); i++) gateway.route(`/api/fn-${i}`, functions.functionNamed(`fn-${i}`));
  }
  const eventsChart = new Chart(app, 'events', { disableResourceNameHashes: true });
  const events = new EventDrivenPlatform(eventsChart, 'Platform', { namespace: 'events' });
  const tick = CloudEventType.PING;
  new PingSource(eventsChart, 'tick', { namespace: 'events', schedule: '*/5 * * * *', sink: events.broker });
  for (const fn of functions.functions) events.broker.subscribe(fn, { filters: [EventFilter.type(tick)] });
}
