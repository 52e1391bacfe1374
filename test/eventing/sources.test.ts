import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ApiServerSource, ApiServerSourceMode, CloudEventType, ContainerSource, EventCatalog, KnativeFunction, PingSource, PlatformPolicy, PolicyRuleId, RabbitmqBroker, RabbitmqCluster,
} from '../../constructs';
import { cronProblem } from '../../constructs/eventing/cron';
import { container, findObject, synthValid, testChart, validationError } from '../support/k8s';

function setup() {
  const { app, chart } = testChart('events');
  const broker = new RabbitmqBroker(chart, 'game', { cluster: new RabbitmqCluster(chart, 'rabbitmq') });
  const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1' });
  return { app, chart, broker, fn };
}

describe('PingSource', () => {
  test('sends its data on the schedule to the sink; the ping adapter may reach the broker', () => {
    const { app, chart, broker } = setup();
    const ping = new PingSource(chart, 'tick', { schedule: '*/5 * * * *', timezone: 'Europe/Madrid', data: '{"round":1}', sink: broker });
    const objects = synthValid(chart);
    expect(findObject(objects, 'PingSource', 'tick').spec).toEqual({
      schedule: '*/5 * * * *', timezone: 'Europe/Madrid', data: '{"round":1}', contentType: 'application/json',
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'game' } },
    });
    expect(findObject(objects, 'NetworkPolicy', 'game-broker-ingress').spec.ingress).toContainEqual({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'knative-eventing' } },
        podSelector: { matchLabels: { 'eventing.knative.dev/source': 'ping-source-controller', 'sources.knative.dev/role': 'adapter' } },
      }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    expect(EventCatalog.of(app).producers.map((p) => [p.type.type, p.source])).toEqual([['dev.knative.sources.ping', '/apis/v1/namespaces/events/pingsources/tick']]);
    expect(ping.eventSource).toBe('/apis/v1/namespaces/events/pingsources/tick');
    expect(findObject(objects, 'EventType', 'game-dev.knative.sources.ping').spec.attributes).toContainEqual({
      name: 'source', value: '/apis/v1/namespaces/events/pingsources/tick', required: true,
    });
  });

  test.each([
    ['@hourly', undefined], ['0 9-17/2 * * MON-FRI', undefined], ['15,45 0 1 JAN,JUL 0', undefined], ['0 0 * * 6', undefined],
    ['@every 1h30m', 'uses @every, which Knative\'s PingSource does not support'],
    ['0 0 * * 7', 'has an invalid day of week field "7": "7" is outside 0-6'],
    ['* * * *', 'has 4 fields; a schedule has 5 (minute hour day-of-month month day-of-week)'],
    ['60 * * * *', 'has an invalid minute field "60": "60" is outside 0-59'],
    ['* 24 * * *', 'has an invalid hour field "24": "24" is outside 0-23'],
    ['* * 0 * *', 'has an invalid day of month field "0": "0" is outside 1-31'],
    ['* * * FOO *', 'has an invalid month field "FOO": "FOO" is outside 1-12 (or JAN-DEC)'],
    ['*/0 * * * *', 'has an invalid minute field "*/0": step "0" must be a positive whole number'],
    ['5-1 * * * *', 'has an invalid minute field "5-1": range "5-1" runs backwards'],
    ['@sometimes', 'is not a known descriptor'],
  ])('cron %j', (schedule, problem) => {
    const found = cronProblem(schedule);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  test.each([
    [{ schedule: '* * *' }, 'test/tick: schedule ("* * *") has 3 fields; a schedule has 5 (minute hour day-of-month month day-of-week); e.g. "*/5 * * * *" (every 5 minutes)'],
    [{ schedule: '* * * * *', timezone: 'Mars/Olympus' }, 'timezone ("Mars/Olympus") is not an IANA time zone'],
    [{ schedule: '* * * * *', data: '{oops' }, 'data ("{oops") is not a JSON object, but contentType is application/json'],
    [{ schedule: '* * * * *', data: '[1, 2]' }, 'data ("[1, 2]") is not a JSON object, but contentType is application/json'],
    [{ schedule: '* * * * *', data: '"tick"' }, 'is not a JSON object'],
    [{ schedule: '* * * * *', data: 'x', contentType: 'text plain' }, 'contentType ("text plain") is not a media type'],
  ])('rejects %j', (props, message) => {
    const { chart, broker } = setup();
    expect(validationError(() => new PingSource(chart, 'tick', { sink: broker, ...props } as any)).message).toContain(message);
  });

  test('time zones as Knative resolves them (Go\'s time.LoadLocation): backward links valid, case-sensitive, Local refused', () => {
    for (const timezone of ['US/Pacific', 'EST5EDT', 'UTC', 'America/Argentina/Buenos_Aires']) {
      const { chart, broker } = setup();
      new PingSource(chart, 'tick', { schedule: '@hourly', timezone, sink: broker });
      expect(findObject(synthValid(chart), 'PingSource', 'tick').spec.timezone).toBe(timezone);
    }
    {
      const { chart, broker } = setup();
      new PingSource(chart, 'tick', { schedule: '@hourly', timezone: '', sink: broker });
      expect(findObject(synthValid(chart), 'PingSource', 'tick').spec.timezone).toBeUndefined();
    }
    const { chart, broker } = setup();
    expect(validationError(() => new PingSource(chart, 'a', { schedule: '@hourly', timezone: 'europe/madrid', sink: broker })).message).toBe(
      'test/a: timezone ("europe/madrid") is not a time zone; Go looks zones up by file name, case-sensitively: did you mean "Europe/Madrid"?; ' +
      'name an IANA zone, e.g. "Europe/Madrid", or leave it unset for UTC');
    expect(validationError(() => new PingSource(chart, 'b', { schedule: '@hourly', timezone: 'Local', sink: broker })).message)
      .toContain('timezone ("Local") means the local time zone of the pod that runs the schedule, not a zone of its own');
  });

  test('content types compare case-insensitively and may carry parameters (RFC 9110)', () => {
    const { chart, broker } = setup();
    expect(validationError(() => new PingSource(chart, 'a', { schedule: '@hourly', data: '[1]', contentType: 'Application/JSON', sink: broker })).message)
      .toBe('test/a: data ("[1]") is not a JSON object, but contentType is Application/JSON; send an object, e.g. {"tick": true}, or set contentType (e.g. text/plain)');
    expect(validationError(() => new PingSource(chart, 'b', { schedule: '@hourly', data: 'x', contentType: 'application/json; charset=utf-8', sink: broker })).message)
      .toContain('is not a JSON object, but contentType is application/json; charset=utf-8');
    new PingSource(chart, 'c', { schedule: '@hourly', data: '{"a":1}', contentType: 'Application/JSON; charset=utf-8', sink: broker });
    new PingSource(chart, 'd', { schedule: '@hourly', data: 'hi', contentType: 'Text/Plain; charset="utf-8"', sink: broker });
    expect(findObject(synthValid(chart), 'PingSource', 'd').spec.contentType).toBe('Text/Plain; charset="utf-8"');
    expect(validationError(() => new PingSource(chart, 'e', { schedule: '@hourly', data: 'x', contentType: 'text/plain; charset', sink: broker })).message)
      .toBe('test/e: contentType ("text/plain; charset") is not a media type; e.g. "application/json" or "text/plain; charset=utf-8"');
  });

  test('data etcd cannot store is refused: its size counts UTF-8 bytes, not characters', () => {
    const { chart, broker } = setup();
    const big = `{"blob":"${'€'.repeat(520 * 1024)}"}`; // 532,491 characters, 1,597,451 bytes
    expect(validationError(() => new PingSource(chart, 'big', { schedule: '@hourly', data: big, sink: broker })).message).toMatch(
      /^test\/big: data \("1597451 bytes"\) makes the object 1597[0-9]{3} bytes of JSON, more than etcd stores \(1\.5 MiB per request by default, less 16 KiB for what the API server adds\); send a reference to the data/);
    const fits = `{"blob":"${'x'.repeat(1024 * 1024)}"}`;
    new PingSource(chart, 'fits', { schedule: '@hourly', data: fits, sink: broker });
    expect(findObject(Testing.synth(chart), 'PingSource', 'fits').spec.data).toHaveLength(fits.length);
  });

  test('plain-text data with its content type', () => {
    const { chart, fn } = setup();
    new PingSource(chart, 'tick', { schedule: '@daily', data: 'hello', contentType: 'text/plain', sink: fn });
    expect(findObject(synthValid(chart), 'PingSource', 'tick').spec).toMatchObject({
      data: 'hello', contentType: 'text/plain', sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'fn' } },
    });
  });
});

describe('ApiServerSource', () => {
  test('watches exactly the given kinds with a least-privilege Role of its own', () => {
    const { chart, broker } = setup();
    const source = new ApiServerSource(chart, 'config-watch', {
      resources: [{ apiVersion: 'v1', kind: 'ConfigMap', labels: { app: 'game' } }, { apiVersion: 'apps/v1', kind: 'Deployment' }],
      sink: broker,
    });
    const objects = synthValid(chart);
    // The CRD preserves unknown fields in spec: the emitted field names are checked one by one.
    expect(findObject(objects, 'ApiServerSource', 'config-watch').spec).toEqual({
      mode: 'Reference',
      serviceAccountName: 'config-watch-apiserver-source',
      resources: [
        { apiVersion: 'v1', kind: 'ConfigMap', selector: { matchLabels: { app: 'game' } } },
        { apiVersion: 'apps/v1', kind: 'Deployment' },
      ],
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'game' } },
    });
    expect(findObject(objects, 'Role', 'config-watch-apiserver-source').rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(findObject(objects, 'RoleBinding', 'config-watch-apiserver-source')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-watch-apiserver-source' },
      subjects: [{ kind: 'ServiceAccount', name: 'config-watch-apiserver-source', namespace: 'events' }],
    });
    expect(objects.filter((o) => o.kind === 'ClusterRole')).toEqual([]);
    expect(source.emits.map((t) => t.type)).toEqual(['dev.knative.apiserver.ref.add', 'dev.knative.apiserver.ref.update', 'dev.knative.apiserver.ref.delete']);
    expect(findObject(objects, 'NetworkPolicy', 'game-broker-ingress').spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'eventing.knative.dev/source': 'apiserver-source-controller', 'eventing.knative.dev/sourceName': 'config-watch' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
  });

  test('other namespaces: a Role in each (named after the source\'s namespace there), no cluster-wide access, a namespace selector; Resource mode', () => {
    const { chart, broker } = setup();
    const source = new ApiServerSource(chart, 'watch', {
      resources: [{ apiVersion: 'games.example.com/v1', kind: 'Match', resource: 'matches' }],
      watchNamespaces: ['functions', 'events'],
      mode: ApiServerSourceMode.RESOURCE,
      sink: broker,
    });
    const objects = synthValid(chart);
    const matches = [{ apiGroups: ['games.example.com'], resources: ['matches'], verbs: ['get', 'list', 'watch'] }];
    expect(objects.filter((o) => o.kind === 'Role').map((o) => [o.metadata.namespace, o.metadata.name, o.rules])).toEqual([
      ['functions', 'events.watch-apiserver-source', matches],
      ['events', 'watch-apiserver-source', matches],
    ]);
    expect(objects.filter((o) => o.kind === 'RoleBinding').map((o) => [o.metadata.namespace, o.roleRef.name, o.subjects])).toEqual([
      ['functions', 'events.watch-apiserver-source', [{ kind: 'ServiceAccount', name: 'watch-apiserver-source', namespace: 'events' }]],
      ['events', 'watch-apiserver-source', [{ kind: 'ServiceAccount', name: 'watch-apiserver-source', namespace: 'events' }]],
    ]);
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    expect(findObject(objects, 'ApiServerSource', 'watch').spec.namespaceSelector).toEqual({
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['events', 'functions'] }],
    });
    expect(source.emits[0]).toBe(CloudEventType.API_SERVER_RESOURCE_ADD);
  });

  test.each([
    [{ resources: [] }, 'resources ([]) must list at least one kind to watch'],
    [{ resources: [{ apiVersion: 'v1', kind: 'Widget' }] }, 'resources[0].resource (undefined) is required for kind Widget'],
    [{ resources: [{ apiVersion: 'V1', kind: 'ConfigMap' }] }, 'resources[0].apiVersion ("V1") is not an API version'],
    [{ resources: [{ apiVersion: 'v1', kind: 'configmap' }] }, 'resources[0].kind ("configmap") is not a kind'],
    [{ resources: [{ apiVersion: 'v1', kind: 'ConfigMap' }], watchNamespaces: [] }, 'watchNamespaces ([]) must list at least one namespace'],
    [{ resources: [{ apiVersion: 'v1', kind: 'Secret' }], mode: ApiServerSourceMode.RESOURCE },
      'mode ("Resource") would send the contents of watched Secrets as events (through the broker, to every subscriber); watch Secrets in ApiServerSourceMode.REFERENCE'],
  ])('rejects %j', (props, message) => {
    const { chart, broker } = setup();
    expect(validationError(() => new ApiServerSource(chart, 'w', { sink: broker, ...props } as any)).message).toContain(message);
  });
});

describe('ContainerSource', () => {
  test('runs the program under Pod Security "restricted"; its pods may reach the broker', () => {
    const { chart, broker } = setup();
    const heartbeats = new ContainerSource(chart, 'heartbeats', {
      image: 'gcr.io/knative-releases/knative.dev/eventing/cmd/heartbeats:latest',
      args: ['--period=10'],
      env: { POD_NAME: kplus.EnvValue.fromValue('heartbeats') },
      emits: [CloudEventType.of('dev.knative.eventing.samples.heartbeat')],
      sink: broker,
    });
    // Knative's sample is published only as latest: exempted from PB004 with a reason, as the policy requires.
    PlatformPolicy.exempt(heartbeats.resource, PolicyRuleId.PINNED_IMAGES, 'Knative publishes the heartbeats sample only as latest');
    const objects = synthValid(chart);
    const source = findObject(objects, 'ContainerSource', 'heartbeats');
    expect(source.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(source)).toMatchObject({
      name: 'source', args: ['--period=10'], env: [{ name: 'POD_NAME', value: 'heartbeats' }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '64Mi' } },
    });
    expect(findObject(objects, 'NetworkPolicy', 'game-broker-ingress').spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'platform-blueprints.io/container-source': 'heartbeats' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
  });

  test.each([
    [{ emits: undefined }, 'emits (undefined) must list the CloudEvent types the program emits'],
    [{ env: { K_SINK: kplus.EnvValue.fromValue('x') } }, 'env.K_SINK ("K_SINK") is set by Knative'],
    [{ image: 'busybox' }, 'image ("busybox") has neither a tag nor a digest'],
    [{ securityContext: { user: 2 ** 31 } }, 'securityContext.user (2147483648) must be <= 2147483647 (a 32-bit integer)'],
    [{ securityContext: { user: 0 } }, 'securityContext.user (0) must be >= 1'],
  ])('rejects %j', (props, message) => {
    const { chart, broker } = setup();
    expect(validationError(() => new ContainerSource(chart, 's', {
      image: 'ghcr.io/example/src:1', emits: [CloudEventType.of('x.y')], sink: broker, ...props,
    } as any)).message).toContain(message);
  });
});
