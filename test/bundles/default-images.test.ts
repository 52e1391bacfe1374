/**
 * The library's default images: pinned by digest where the upstream publishes one, and never handed to a prod
 * namespace when they are not (the bundle names the prop to set instead). Which digest comes from where: README
 * "Default images".
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  ContinuousVerification, DEFAULT_IMAGES, PIPELINE_IMAGE, EVENT_DISPLAY_IMAGE, EventDrivenPlatform, FunctionsPlatform, GATEWAY_IMAGE, KnativeFunction, PlatformPolicy,
  Profile, REDIS_IMAGE, StoreBackend,
} from '../../constructs';
import { container, findObject, testChart, validationError } from '../support/k8s';

const DIGEST = `@sha256:${'d'.repeat(64)}`;

describe('default images', () => {
  test('every default but Knative\'s event_display (published only as latest) and this package\'s own image is pinned by a full sha256 digest', () => {
    const unpinned = Object.entries(DEFAULT_IMAGES).filter(([, image]) => !/^[^@]+:[\w][\w.-]*@sha256:[0-9a-f]{64}$/.test(image));
    expect(unpinned).toEqual([
      ['dead letters (EventDrivenPlatform), verification alerts (ContinuousVerification)', EVENT_DISPLAY_IMAGE],
      ['token verifier (ApiGateway auth), Kratix pipeline (KratixPromise)', PIPELINE_IMAGE],
    ]);
    expect(GATEWAY_IMAGE).toMatch(/^docker\.io\/nginxinc\/nginx-unprivileged:1\.28\.0-alpine@sha256:/);
    expect(REDIS_IMAGE).toMatch(/^docker\.io\/library\/redis:8\.2\.7-alpine@sha256:/);
  });

  test('a prod FunctionsPlatform runs the pinned gateway and Redis defaults and passes the policy without exemptions', () => {
    const { chart } = testChart(null);
    new FunctionsPlatform(chart, 'p', { namespace: 'games', profile: Profile.PROD, store: StoreBackend.IN_CLUSTER, functions: [{ name: 'score', image: `ghcr.io/example/score${DIGEST}` }] });
    const objects = Testing.synth(chart);
    expect(container(findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1')).image).toBe(GATEWAY_IMAGE);
    expect(container(findObject(objects, 'StatefulSet', 'redis')).image).toBe(REDIS_IMAGE);
    expect(PlatformPolicy.check(objects)).toEqual([]);
  });

  test('a prod EventDrivenPlatform refuses the latest-only dead-letter default, naming deadLetterImage', () => {
    const { chart } = testChart(null);
    expect(validationError(() => new EventDrivenPlatform(chart, 'events', { namespace: 'events', profile: Profile.PROD })).message).toBe(
      `test/events: deadLetterImage (undefined) must be set in a prod namespace: the library's default (${EVENT_DISPLAY_IMAGE}) is not pinned by digest; ` +
      'set deadLetterImage to an image pinned by digest (e.g. from your registry: "registry.example.com/event-display@sha256:<64 hex digits>")');
  });

  test('prod accepts an image of your own or a sink of your own; dev keeps the default with its documented exemption', () => {
    const { chart } = testChart(null);
    const own = new EventDrivenPlatform(chart, 'own', { namespace: 'own', profile: Profile.PROD, deadLetterImage: `registry.example.com/event-display${DIGEST}` });
    expect(container((own.deadLetterSink as KnativeFunction).resource.toJson()).image).toBe(`registry.example.com/event-display${DIGEST}`);
    const sink = new KnativeFunction(new Chart(chart.node.scope as any, 'ops', { namespace: 'ops' }), 'dlq', { image: `ghcr.io/example/dlq${DIGEST}` });
    expect(() => new EventDrivenPlatform(chart, 'sunk', { namespace: 'sunk', profile: Profile.PROD, deadLetterSink: sink })).not.toThrow();
    const dev = new EventDrivenPlatform(chart, 'dev', { namespace: 'dev' });
    const devFn = (dev.deadLetterSink as KnativeFunction).resource.toJson();
    expect(container(devFn).image).toBe(EVENT_DISPLAY_IMAGE);
    expect(devFn.metadata.annotations['policy.platform-blueprints.io/exempt-pb004']).toMatch(/pass deadLetterImage with a digest/);
  });

  test('a prod ContinuousVerification refuses the latest-only notification default, naming notificationImage', () => {
    const verification = (notificationImage?: string) => {
      const app = Testing.app();
      const events = new EventDrivenPlatform(new Chart(app, 'events'), 'E', { namespace: 'events' });
      const fn = new KnativeFunction(new Chart(app, 'fns', { namespace: 'functions' }), 'hello', { image: `ghcr.io/example/hello${DIGEST}` });
      return new ContinuousVerification(new Chart(app, 'cv'), 'CV', {
        namespace: 'delivery', profile: Profile.PROD, broker: events.broker, functions: [fn], notificationImage,
        loadTest: { duration: Duration.seconds(30), rate: 1, p95LatencyMs: 500, maxErrorRate: 0.01 },
      });
    };
    expect(validationError(() => verification()).message).toContain('cv/CV: notificationImage (undefined) must be set in a prod namespace: the library\'s default');
    expect(() => verification(`registry.example.com/event-display${DIGEST}`)).not.toThrow();
  });
});
