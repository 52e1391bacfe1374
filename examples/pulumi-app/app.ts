import { App, Chart } from 'cdk8s';
import { CloudEventType, EventDrivenPlatform, EventFilter, FunctionsPlatform } from 'platform-blueprints';

export const SCORED = CloudEventType.of('com.example.game.scored', { description: 'a player scored' });

/** The team's app: two functions behind the gateway with the in-cluster store, and a broker between them. */
export function buildApp() {
  const app = new App();
  const platform = new FunctionsPlatform(new Chart(app, 'functions', { disableResourceNameHashes: true }), 'Platform', {
    namespace: 'games',
    functions: [
      { name: 'score', image: 'ghcr.io/org/score:1.4.2' },
      { name: 'board', image: 'ghcr.io/org/board:2.0.1' },
    ],
  });
  const events = new EventDrivenPlatform(new Chart(app, 'events', { disableResourceNameHashes: true }), 'Events', {
    namespace: 'games-events',
    deadLetterImage: 'gcr.io/knative-releases/knative.dev/eventing/cmd/event_display:v1.22.2',
  });
  const [score, board] = platform.functions;
  events.broker.addPublisher(score, { emits: [SCORED] });
  events.broker.subscribe(board, { filters: [EventFilter.type(SCORED)] });
  return { app, platform, events };
}
