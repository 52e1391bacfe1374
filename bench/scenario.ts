/**
 * The benchmark's platform: N functions, each bound to Redis, routed by the gateway and subscribed to a broker —
 * the wiring a real platform of that size has — built only through the public constructs.
 */
import { App, Chart } from 'cdk8s';
import { CloudEventType, EventDrivenPlatform, EventFilter, FunctionsPlatform, Language, PingSource } from '../constructs';

const LANGUAGES = [Language.GO, Language.NODEJS, Language.PYTHON, Language.JAVA];

export function buildBenchPlatform(app: App, n: number): void {
  const functions = new FunctionsPlatform(new Chart(app, 'functions', { disableResourceNameHashes: true }), 'Platform', {
    namespace: 'functions',
    functions: Array.from({ length: n }, (_, i) => ({
      name: `fn-${i}`,
      image: `ghcr.io/example/fn-${i}:1.0.${i}`,
      language: LANGUAGES[i % LANGUAGES.length],
    })),
    gateway: { routes: Array.from({ length: n }, (_, i) => ({ path: `/api/fn-${i}`, function: `fn-${i}` })) },
  });
  const eventsChart = new Chart(app, 'events', { disableResourceNameHashes: true });
  const events = new EventDrivenPlatform(eventsChart, 'Platform', { namespace: 'events' });
  const tick = CloudEventType.PING;
  new PingSource(eventsChart, 'tick', { namespace: 'events', schedule: '*/5 * * * *', sink: events.broker });
  for (const fn of functions.functions) events.broker.subscribe(fn, { filters: [EventFilter.type(tick)] });
}
