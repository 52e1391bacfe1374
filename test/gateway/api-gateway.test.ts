import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ApiGateway, EdgeKind, Frontend, KnativeFunction, PlatformGraph } from '../../constructs';
import { renderNginxConfig } from '../../constructs/gateway/nginx-config';
import { container, envOf, findObject, synthValid, testChart, validationError } from '../support/k8s';

function platform() {
  const { chart } = testChart('web');
  const score = new KnativeFunction(chart, 'score', { image: 'ghcr.io/example/score:1' });
  const board = new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
  return { chart, score, board };
}

describe('ApiGateway', () => {
  const { chart, score, board } = platform();
  const gateway = new ApiGateway(chart, 'gateway');
  gateway.route('/api/score', score);
  gateway.route('/', board, { stripPrefix: false });
  const objects = synthValid(chart);
  const ksvc = findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1');
  const nginx = findObject(objects, 'ConfigMap', 'gateway-nginx').data['nginx.conf'];

  test('is the public Knative Service, never cold, ready for WebSockets', () => {
    expect(ksvc.metadata.labels['networking.knative.dev/visibility']).toBeUndefined();
    expect(ksvc.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('1');
    expect(ksvc.spec.template.spec.timeoutSeconds).toBe(3600);
    expect(ksvc.spec.template.spec.responseStartTimeoutSeconds).toBe(3600);
    expect(ksvc.spec.template.spec.containerConcurrency).toBe(500);
    expect(ksvc.metadata.labels['app.kubernetes.io/component']).toBe('api-gateway');
  });

  test('runs unprivileged nginx with its config mounted read-only and writable temp paths', () => {
    expect(container(ksvc).image).toBe('docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine@sha256:c97ff0bf7cbae369953c6da1232ec14ad9f971d66360c5698db0856a4cd657a0');
    expect(container(ksvc).command).toEqual(['nginx']);
    expect(container(ksvc).args).toEqual(['-e', 'stderr', '-c', '/etc/nginx/platform/nginx.conf', '-g', 'daemon off;']);
    expect(container(ksvc).securityContext).toMatchObject({ runAsUser: 101, readOnlyRootFilesystem: true });
    expect(container(ksvc).volumeMounts).toEqual([
      { name: 'writable-0', mountPath: '/tmp' },
      { name: 'writable-1', mountPath: '/var/cache/nginx' },
      { name: 'config-2', mountPath: '/etc/nginx/platform', readOnly: true },
    ]);
    expect(container(ksvc).readinessProbe).toEqual({ httpGet: { path: '/_gateway/ready' }, periodSeconds: 5 });
    expect(container(ksvc).livenessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
  });

  test('the ConfigMap precedes the Service that mounts it', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.indexOf('ConfigMap/gateway-nginx')).toBeLessThan(names.indexOf('Service/gateway'));
  });

  test('routes by prefix to the functions\' in-cluster hosts, resolved at request time', () => {
    expect(nginx).toContain('resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;');
    expect(nginx).toContain([
      '    location /api/score/ {',
      '      set $upstream_1 score.web.svc.cluster.local;',
      '      rewrite ^/api/score/(.*)$ /$1 break;',
      '      proxy_pass http://$upstream_1;',
      '    }',
    ].join('\n'));
    expect(nginx).toContain('    location = /api/score {\n      set $upstream_1 score.web.svc.cluster.local;\n      rewrite ^ / break;');
    expect(nginx).toContain('    location / {\n      set $upstream_0 board.web.svc.cluster.local;\n      proxy_pass http://$upstream_0;\n    }');
    expect(nginx).not.toContain('no route for this path');
    expect(gateway.routeTable).toEqual([
      { path: '/', host: 'board.web.svc.cluster.local' },
      { path: '/api/score', host: 'score.web.svc.cluster.local' },
    ]);
  });

  test('passes WebSocket upgrades and keeps long-lived streams open', () => {
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(nginx).toContain('proxy_http_version 1.1;');
    expect(nginx).toContain('proxy_read_timeout 3600s;');
    expect(nginx).toContain('pid /tmp/nginx.pid;');
  });

  test('records every route in the platform graph', () => {
    expect(PlatformGraph.of(chart).edges.map((e) => [e.from, e.kind, e.to, e.detail])).toEqual([
      [gateway, EdgeKind.ROUTES, score, '/api/score'],
      [gateway, EdgeKind.ROUTES, board, '/'],
    ]);
  });

  test('a route change rolls out a new revision (config hash on the template)', () => {
    const { chart: other, score: s } = platform();
    const g = new ApiGateway(other, 'gateway');
    g.route('/api/other', s);
    const otherKsvc = findObject(synthValid(other), 'Service', 'gateway', 'serving.knative.dev/v1');
    const hash = (k: any) => k.spec.template.metadata.annotations['platform-blueprints.io/config-hash'];
    expect(hash(ksvc)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(otherKsvc)).not.toBe(hash(ksvc));
  });

  test('without a root route, unknown paths get a JSON 404', () => {
    const { chart: c, score: s } = platform();
    new ApiGateway(c, 'gw', { timeout: Duration.minutes(10) }).route('/api/score', s);
    const conf = findObject(synthValid(c), 'ConfigMap', 'gw-nginx').data['nginx.conf'];
    expect(conf).toContain('return 404 \'{"error":"no route for this path"}\\n\';');
    expect(conf).toContain('proxy_read_timeout 600s;');
  });

  const RULE = 'must be "/" or an absolute path of [A-Za-z0-9._~-] segments without a trailing "/"; e.g. "/api/score"';
  test.each([
    ['trailing slash', '/api/', `route("/api/").path ("/api/") ${RULE}`],
    ['relative', 'api', `route("api").path ("api") ${RULE}`],
    ['nginx injection', '/a;b', `route("/a;b").path ("/a;b") ${RULE}`],
    ['health endpoint', '/healthz', 'route("/healthz").path ("/healthz") is the gateway\'s own health endpoint; choose another path'],
    // Shapes nginx normalises before it matches a location: such a route is never chosen (nginx.integration.test.ts).
    ['a ".." segment', '/a/../b', 'route("/a/../b").path ("/a/../b") has a "." or ".." segment, but nginx resolves those before it matches: no request can reach it; e.g. "/b"'],
    ['a "." segment', '/a/./b', 'route("/a/./b").path ("/a/./b") has a "." or ".." segment, but nginx resolves those before it matches: no request can reach it; e.g. "/a/b"'],
    ['a trailing ".." segment', '/q/..', 'route("/q/..").path ("/q/..") has a "." or ".." segment, but nginx resolves those before it matches: no request can reach it; e.g. "/"'],
    ['an empty segment', '//a', 'route("//a").path ("//a") has an empty segment, but nginx merges slashes before it matches: no request can reach it; e.g. "/a"'],
    ['percent-encoded dots', '/c/%2e%2e/d', 'route("/c/%2e%2e/d").path ("/c/%2e%2e/d") is percent-encoded, but nginx decodes a request\'s path before it matches: ' +
      'only requests that encode "%" itself (as %25) would reach it; write the characters themselves; e.g. "/d"'],
    ['a percent-encoded character', '/caf%C3%A9', 'route("/caf%C3%A9").path ("/caf%C3%A9") is percent-encoded, but nginx decodes a request\'s path before it matches: ' +
      'only requests that encode "%" itself (as %25) would reach it; write the characters themselves'],
    ['a percent-encoded tilde', '/%7Euser', 'route("/%7Euser").path ("/%7Euser") is percent-encoded, but nginx decodes a request\'s path before it matches: ' +
      'only requests that encode "%" itself (as %25) would reach it; write the characters themselves; e.g. "/~user"'],
  ])('rejects a bad path: %s', (_case, path, message) => {
    const { chart: c, score: s } = platform();
    expect(validationError(() => new ApiGateway(c, 'gw').route(path, s)).message).toBe(`test/gw: ${message}`);
  });

  test('a configuration larger than a ConfigMap holds (1 MiB of bytes) is refused at synth', () => {
    const { app, chart: c } = testChart('web');
    const s = new KnativeFunction(c, 'score', { image: 'ghcr.io/example/score:1' });
    const g = new ApiGateway(c, 'gw');
    // Each route's path appears three times in the configuration: 40 routes of 10,000 characters pass 1 MiB.
    for (let i = 0; i < 40; i++) g.route(`/${'a'.repeat(10000)}${i}`, s);
    expect(() => app.synth()).toThrow(/\[test\/gw\] test\/gw: the nginx configuration of 40 routes is 12[0-9]{5} bytes, more than a ConfigMap holds \(1 MiB\); spread the routes over two gateways, or route shorter prefixes/);
    const small = testChart('web');
    const fits = new ApiGateway(small.chart, 'gw');
    const s2 = new KnativeFunction(small.chart, 'score', { image: 'ghcr.io/example/score:1' });
    for (let i = 0; i < 20; i++) fits.route(`/${'a'.repeat(10000)}${i}`, s2);
    expect(() => small.app.synth()).not.toThrow();
    expect(findObject(Testing.synth(small.chart), 'ConfigMap', 'gw-nginx').data['nginx.conf'].length).toBeGreaterThan(600000);
  });

  test('the DNS resolver follows the cluster domain and must be host or host:port', () => {
    const { chart: c } = testChart('web', { 'platform-blueprints:cluster-domain': 'corp.internal' });
    new ApiGateway(c, 'gw');
    expect(findObject(synthValid(c), 'ConfigMap', 'gw-nginx').data['nginx.conf']).toContain('resolver kube-dns.kube-system.svc.corp.internal valid=10s ipv6=off;');
    const { chart: d } = testChart('web');
    expect(validationError(() => new ApiGateway(d, 'gw', { dnsResolver: 'dns:53:1' })).message).toBe('test/gw: dnsResolver ("dns:53:1") must be host or host:port');
    expect(validationError(() => new ApiGateway(d, 'gw2', { dnsResolver: 'Bad Host' })).message).toContain('test/gw2: dnsResolver ("Bad Host") must be a DNS-1123 subdomain');
  });

  test('rejects a path routed twice', () => {
    const { chart: c, score: s, board: b } = platform();
    const g = new ApiGateway(c, 'gw');
    g.route('/x', s);
    expect(validationError(() => g.route('/x', b)).message).toBe('test/gw: route("/x").path ("/x") is already routed to score.web.svc.cluster.local');
  });
});

describe('renderNginxConfig', () => {
  test('is deterministic whatever the order routes were added in', () => {
    const options = { port: 8080, resolver: 'dns', workerProcesses: 1, workerConnections: 1024, clientMaxBodySize: '1k', upstreamTimeoutSeconds: 60 };
    const a = { path: '/a', host: 'a.x', stripPrefix: true };
    const b = { path: '/b', host: 'b.x', stripPrefix: false };
    expect(renderNginxConfig(options, [a, b])).toBe(renderNginxConfig(options, [b, a]));
    expect(renderNginxConfig(options, [b])).toContain('    location = /b {\n      set $upstream_0 b.x;\n      proxy_pass http://$upstream_0;\n    }\n    location /b/ {');
  });
});

describe('Frontend', () => {
  test('GIVEN a frontend image WHEN connected to functions THEN it gets their URLs and is public and warm', () => {
    const { chart, score, board } = platform();
    const frontend = new Frontend(chart, 'web', { image: 'ghcr.io/example/web:2', port: 3000, securityContext: { user: 1000 } });
    frontend.connect(score);
    frontend.connect(board, { envName: 'LEADERBOARD_URL' });
    const ksvc = findObject(synthValid(chart), 'Service', 'web', 'serving.knative.dev/v1');
    expect(envOf(ksvc)).toEqual({ SCORE_URL: 'http://score.web.svc.cluster.local', LEADERBOARD_URL: 'http://board.web.svc.cluster.local' });
    expect(ksvc.metadata.labels['networking.knative.dev/visibility']).toBeUndefined();
    expect(ksvc.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('1');
    expect(ksvc.spec.template.spec.timeoutSeconds).toBe(3600);
    expect(ksvc.metadata.labels['app.kubernetes.io/component']).toBe('frontend');
    expect(PlatformGraph.of(chart).edges.map((e) => [e.kind, e.detail])).toEqual([[EdgeKind.CALLS, 'SCORE_URL'], [EdgeKind.CALLS, 'LEADERBOARD_URL']]);
  });

  test('rejects an invalid env name and connecting to itself', () => {
    const { chart, score } = platform();
    const frontend = new Frontend(chart, 'web', { image: 'ghcr.io/example/web:2', env: { X: kplus.EnvValue.fromValue('1') } });
    expect(validationError(() => frontend.connect(score, { envName: 'score-url' })).message).toContain('test/web: connect.envName ("score-url") is not a valid environment variable name');
    expect(validationError(() => frontend.connect(frontend.service)).message).toBe('test/web: connect ("web") is the frontend itself');
  });
});
