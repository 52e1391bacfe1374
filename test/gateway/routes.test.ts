/**
 * Per-route settings of ApiGateway (timeouts, body limits, CORS, rate limits, authentication) as they reach the
 * Knative Service, the plan and the nginx configuration; and every refusal of a bad setting. What nginx does with
 * the rendered configuration is tested in nginx.integration.test.ts.
 */
import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ApiGateway, AuthMode, KnativeFunction, PIPELINE_IMAGE } from '../../constructs';
import { DeploymentPlan } from '../../constructs/core/plan';
import { container, findObject, synthValid, testChart, validationError } from '../support/k8s';
import { block } from './nginx-text';

function platform() {
  const { app, chart } = testChart('web');
  const api = new KnativeFunction(chart, 'api', { image: 'ghcr.io/example/api:1' });
  const ws = new KnativeFunction(chart, 'ws', { image: 'ghcr.io/example/ws:1' });
  return { app, chart, api, ws };
}

const AUTH = { issuer: 'https://login.example.com/realms/web', audience: 'scores-api' };

function nginxOf(objects: any[], name = 'gw'): string {
  return findObject(objects, 'ConfigMap', `${name}-nginx`).data['nginx.conf'];
}

describe('ApiGateway per-route timeouts and body limits', () => {
  test('a WebSocket route open an hour beside a 5 s API: nginx per route, Knative and the plan follow the longest', () => {
    const { app, chart, api, ws } = platform();
    const gw = new ApiGateway(chart, 'gw', { timeout: Duration.minutes(1) });
    gw.route('/api', api, { readTimeout: Duration.seconds(5), sendTimeout: Duration.seconds(5), connectTimeout: Duration.seconds(2), maxBodySize: Size.kibibytes(64) });
    gw.route('/ws', ws, { readTimeout: Duration.hours(1) });
    const objects = synthValid(chart);
    const ksvc = findObject(objects, 'Service', 'gw', 'serving.knative.dev/v1');
    expect(ksvc.spec.template.spec.timeoutSeconds).toBe(3600);
    expect(ksvc.spec.template.spec.responseStartTimeoutSeconds).toBe(3600);
    expect(DeploymentPlan.of(app).maxRequestTimeoutSeconds).toBe(3600);
    const config = nginxOf(objects);
    expect(block(config, 'location /api/')).toEqual(expect.arrayContaining([
      'client_max_body_size 64k;', 'proxy_connect_timeout 2s;', 'proxy_read_timeout 5s;', 'proxy_send_timeout 5s;',
    ]));
    expect(block(config, 'location /ws/')).toContain('proxy_read_timeout 3600s;');
    // The route without its own send timeout keeps the gateway's (http level).
    expect(block(config, 'location /ws/').some((l) => l.startsWith('proxy_send_timeout'))).toBe(false);
    expect(config).toContain('  proxy_send_timeout 60s;');
  });

  test('the Knative timeout shrinks to the longest route when every route is short, and is the gateway timeout without routes', () => {
    const { chart, api } = platform();
    const gw = new ApiGateway(chart, 'gw');
    expect(gw.service.timeoutSeconds).toBe(3600);
    gw.route('/api', api, { readTimeout: Duration.seconds(5), sendTimeout: Duration.seconds(30) });
    expect(gw.service.timeoutSeconds).toBe(30);
    const ksvc = findObject(synthValid(chart), 'Service', 'gw', 'serving.knative.dev/v1');
    expect([ksvc.spec.template.spec.timeoutSeconds, ksvc.spec.template.spec.responseStartTimeoutSeconds]).toEqual([30, 30]);
    expect(KnativeFunction.maxTimeoutSeconds(chart)).toBe(30);
  });

  test('sizes are whole bytes: kibibytes when whole, else bytes', () => {
    const { chart, api, ws } = platform();
    const gw = new ApiGateway(chart, 'gw', { clientMaxBodySize: Size.gibibytes(1) });
    gw.route('/api', api, { maxBodySize: Size.kibibytes(0.5) });
    gw.route('/ws', ws);
    const config = nginxOf(synthValid(chart));
    expect(config).toContain('  client_max_body_size 1048576k;');
    expect(block(config, 'location /api/')).toContain('client_max_body_size 512;');
  });

  test('an idle timeout longer than the timeout the routes give is refused', () => {
    const { chart } = platform();
    const fn = new KnativeFunction(chart, 'idle', { image: 'ghcr.io/example/idle:1', timeout: Duration.minutes(5), idleTimeout: Duration.minutes(2) });
    expect(validationError(() => fn._setRequestTimeout(60)).message).toBe('test/idle: timeout ("60s") must be >= idleTimeout (120s)');
  });
});

describe('ApiGateway CORS, rate limits and client address', () => {
  const { chart, api, ws } = platform();
  const gw = new ApiGateway(chart, 'gw', { trustedProxies: ['127.0.0.1/32', '10.244.0.0/16'] });
  gw.route('/api', api, {
    cors: { allowOrigins: ['https://app.example.com', 'http://localhost:3000'], allowHeaders: ['Content-Type'], allowCredentials: true, maxAge: Duration.minutes(1) },
    rateLimit: { requestsPerSecond: 10, burst: 20 },
  });
  gw.route('/ws', ws, { cors: { allowOrigins: ['*'] }, rateLimit: { requestsPerMinute: 7 } });
  const config = nginxOf(synthValid(chart));

  test('each origin is matched exactly and echoed; other headers only for an allowed origin', () => {
    expect(config).toContain([
      '  map $http_origin $cors_origin_0 {',
      "    default '';",
      "    'https://app.example.com' $http_origin;",
      "    'http://localhost:3000' $http_origin;",
      '  }',
    ].join('\n'));
    expect(config).toContain("  map $cors_origin_0 $cors_credentials_0 {\n    ''      '';\n    default 'true';\n  }");
    expect(config).toContain("  map $cors_origin_0 $cors_max_age_0 {\n    ''      '';\n    default '60';\n  }");
    expect(config).toContain("  map $http_origin $cors_origin_1 {\n    ''      '';\n    default '*';\n  }");
    // The preflight is answered before the prefix is rewritten (rewrite ... break ends the rewrite directives).
    const api0 = block(config, 'location /api/');
    expect(api0.indexOf('return 204;')).toBeLessThan(api0.findIndex((l) => l.startsWith('rewrite')));
    expect(api0).toEqual(expect.arrayContaining(['add_header Vary Origin always;', 'proxy_hide_header Access-Control-Allow-Origin;']));
  });

  test('rate limits: a zone per route keyed by client address, 429 with Retry-After', () => {
    expect(config).toContain('  limit_req_zone $binary_remote_addr zone=route_0:1m rate=10r/s;');
    expect(config).toContain('  limit_req_zone $binary_remote_addr zone=route_1:1m rate=7r/m;');
    expect(block(config, 'location /api/')).toEqual(expect.arrayContaining(['limit_req zone=route_0 burst=20 nodelay;', 'error_page 429 @rate_limited_0;']));
    expect(block(config, 'location @rate_limited_0')).toContain('add_header Retry-After 1 always;');
    expect(block(config, 'location @rate_limited_1')).toContain('add_header Retry-After 9 always;');
  });

  test('the client address comes from X-Forwarded-For only past the trusted proxies', () => {
    expect(config).toContain('  set_real_ip_from 127.0.0.1/32;\n  set_real_ip_from 10.244.0.0/16;\n  real_ip_header X-Forwarded-For;\n  real_ip_recursive on;');
    const { chart: c } = testChart('web');
    new ApiGateway(c, 'gw');
    expect(nginxOf(synthValid(c))).toContain('  set_real_ip_from 127.0.0.1/32;\n  set_real_ip_from ::1/128;\n  set_real_ip_from 10.0.0.0/8;');
  });
});

describe('ApiGateway authentication', () => {
  const { chart, api, ws } = platform();
  const gw = new ApiGateway(chart, 'gw', { auth: { ...AUTH, claimHeaders: [{ claim: 'sub', header: 'X-Auth-Subject' }, { claim: 'email', header: 'X-Auth-Email' }] } });
  gw.route('/api', api);
  gw.route('/ws', ws, { auth: AuthMode.OPTIONAL });
  gw.route('/', ws, { auth: AuthMode.NONE, stripPrefix: false });
  const objects = synthValid(chart);
  const ksvc = findObject(objects, 'Service', 'gw', 'serving.knative.dev/v1');
  const config = nginxOf(objects);

  test('a verifier sidecar from the package image: restricted, resources, loopback only, no ports or probes', () => {
    const sidecar = ksvc.spec.template.spec.containers[1];
    expect(ksvc.spec.template.spec.containers).toHaveLength(2);
    expect(sidecar).toMatchObject({
      name: 'jwt-verifier',
      image: PIPELINE_IMAGE,
      command: ['node', '/opt/platform-blueprints/node_modules/platform-blueprints/lib/src/cli.js', 'jwt-verifier'],
      resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '192Mi' } },
      securityContext: { runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    });
    expect(sidecar.ports).toBeUndefined();
    expect(sidecar.readinessProbe).toBeUndefined();
    expect(Object.fromEntries(sidecar.env.map((e: any) => [e.name, e.value]))).toEqual({
      JWT_ISSUER: AUTH.issuer,
      JWT_AUDIENCE: 'scores-api',
      JWT_ALGORITHMS: 'RS256',
      JWT_CLOCK_TOLERANCE_SECONDS: '30',
      JWT_CLAIM_HEADERS: '{"X-Auth-Subject":"sub","X-Auth-Email":"email"}',
      JWT_VERIFIER_LISTEN: '127.0.0.1:8089',
    });
    // The pod is ready when the verifier is: nginx's readiness location asks it.
    expect(container(ksvc).readinessProbe).toEqual({ httpGet: { path: '/_gateway/ready' }, periodSeconds: 5 });
    expect(block(config, 'location = /_gateway/ready')).toContain('proxy_pass http://127.0.0.1:8089/ready;');
    expect(gw.authenticates).toBe(true);
  });

  test('routes require a token by default; optional and none as asked; identity headers only from the verifier', () => {
    expect(block(config, 'location /api/')).toEqual(expect.arrayContaining([
      'auth_request /_gateway/auth/required;',
      'auth_request_set $auth_claim_0 $upstream_http_x_auth_subject;',
      'auth_request_set $auth_claim_1 $upstream_http_x_auth_email;',
      'proxy_set_header X-Auth-Subject $auth_claim_0;',
      'proxy_set_header X-Auth-Email $auth_claim_1;',
      'proxy_set_header Upgrade $http_upgrade;',
    ]));
    expect(block(config, 'location /ws/')).toContain('auth_request /_gateway/auth/optional;');
    const root = block(config, 'location /');
    expect(root.some((l) => l.startsWith('auth_request'))).toBe(false);
    expect(root).toEqual(expect.arrayContaining(["proxy_set_header X-Auth-Subject '';", "proxy_set_header X-Auth-Email '';"]));
    expect(block(config, 'location = /_gateway/auth/required')).toEqual(expect.arrayContaining(['internal;', 'proxy_pass_request_body off;']));
  });

  test('without auth, the gateway has one container and no verifier locations', () => {
    const { chart: c, api: a } = platform();
    new ApiGateway(c, 'plain').route('/api', a);
    const objects2 = synthValid(c);
    expect(findObject(objects2, 'Service', 'plain', 'serving.knative.dev/v1').spec.template.spec.containers).toHaveLength(1);
    expect(nginxOf(objects2, 'plain')).not.toContain('auth_request');
    expect(Testing.synth(c).length).toBe(objects2.length);
  });

  test('the sidecar takes a given image and resources', () => {
    const { chart: c } = platform();
    new ApiGateway(c, 'gw', {
      auth: { ...AUTH, jwksUrl: 'https://login.example.com/keys', algorithms: ['ES256', 'EdDSA'], clockTolerance: Duration.seconds(0), image: 'ghcr.io/example/pb:0.1.0',
        resources: { cpu: { request: kplus.Cpu.millis(20) }, memory: { request: Size.mebibytes(80), limit: Size.mebibytes(160) } } },
    });
    const sidecar = findObject(synthValid(c), 'Service', 'gw', 'serving.knative.dev/v1').spec.template.spec.containers[1];
    expect(sidecar.image).toBe('ghcr.io/example/pb:0.1.0');
    expect(sidecar.resources).toEqual({ requests: { cpu: '20m', memory: '80Mi' }, limits: { memory: '160Mi' } });
    expect(sidecar.env).toEqual(expect.arrayContaining([{ name: 'JWT_JWKS_URL', value: 'https://login.example.com/keys' }, { name: 'JWT_ALGORITHMS', value: 'ES256,EdDSA' },
      { name: 'JWT_CLOCK_TOLERANCE_SECONDS', value: '0' }]));
  });
});

describe('ApiGateway refuses bad route settings', () => {
  const route = (options: object, props: object = {}) => {
    const { chart, api } = platform();
    return validationError(() => new ApiGateway(chart, 'gw', props).route('/api', api, options)).message;
  };
  const gateway = (props: object) => {
    const { chart } = platform();
    return validationError(() => new ApiGateway(chart, 'gw', props)).message;
  };
  const R = 'test/gw: route("/api")';

  test.each([
    ['read timeout zero', { readTimeout: Duration.seconds(0) }, `${R}.readTimeout ("0s") must be at least 1s`],
    ['send timeout fraction', { sendTimeout: Duration.millis(1500) }, `${R}.sendTimeout ("1.5s") must be a whole number of seconds; the field holds whole seconds; it is not rounded`],
    ['connect timeout above 75 s', { connectTimeout: Duration.minutes(2) }, `${R}.connectTimeout ("120s") must be at most 75s`],
    ['body size not a Size', { maxBodySize: 1024 }, `${R}.maxBodySize (1024) must be a cdk8s Size (e.g. Size.mebibytes(8))`],
    ['body size zero', { maxBodySize: Size.mebibytes(0) }, `${R}.maxBodySize ("0Mi") must be greater than zero`],
    ['body size fraction of a byte', { maxBodySize: Size.kibibytes(0.0001) }, `${R}.maxBodySize ("0.0001Ki") is not a whole number of bytes`],
    ['body size beyond exact integers', { maxBodySize: Size.pebibyte(10000) }, `${R}.maxBodySize ("10000Pi") is more than 9007199254740991 bytes`],
  ])('timeouts and sizes: %s', (_case, options, message) => {
    expect(route(options)).toBe(message);
  });

  test.each([
    ['no origin', { allowOrigins: [] }, `${R}.cors.allowOrigins ([]) must list at least one origin; e.g. ["https://app.example.com"]`],
    ['"*" and credentials', { allowOrigins: ['*'], allowCredentials: true }, `${R}.cors.allowOrigins (["*"]) is "*" with allowCredentials: browsers refuse a wildcard origin on credentialed requests, and echoing any origin back would let every site act as the user; list the exact origins that may send credentials, or set allowCredentials: false`],
    ['"*" among origins', { allowOrigins: ['*', 'https://a.example'] }, `${R}.cors.allowOrigins (["*","https://a.example"]) mixes "*" with exact origins; use ["*"] alone, or only exact origins`],
    ['a path', { allowOrigins: ['https://a.example/'] }, `${R}.cors.allowOrigins[0] ("https://a.example/") has a path, but an origin is scheme://host[:port] only; drop everything after the host`],
    ['upper case', { allowOrigins: ['https://App.example'] }, `${R}.cors.allowOrigins[0] ("https://App.example") has upper-case letters, but browsers send the origin lowercase; write "https://app.example"`],
    ['default port', { allowOrigins: ['https://a.example:443'] }, `${R}.cors.allowOrigins[0] ("https://a.example:443") names the default port of https, which browsers leave out; write "https://a.example"`],
    ['port out of range', { allowOrigins: ['http://a.example:70000'] }, `${R}.cors.allowOrigins[0] ("http://a.example:70000") has a port outside 1..65535 (or with a leading zero)`],
    ['opaque origin', { allowOrigins: ['null'] }, `${R}.cors.allowOrigins[0] ("null") is the opaque origin (sandboxed frames, file: pages): any such page could claim it`],
    ['not an origin', { allowOrigins: ['app.example.com'] }, `${R}.cors.allowOrigins[0] ("app.example.com") is not an origin scheme://host[:port] (http or https)`],
    ['not a string', { allowOrigins: [42] }, `${R}.cors.allowOrigins[0] (42) must be a string`],
    ['twice', { allowOrigins: ['https://a.example', 'https://a.example'] }, `${R}.cors.allowOrigins[1] ("https://a.example") is listed twice`],
    ['methods not a list', { allowOrigins: ['*'], allowMethods: 'GET' }, `${R}.cors.allowMethods ("GET") must be a list`],
    ['lower-case method', { allowOrigins: ['*'], allowMethods: ['get'] }, `${R}.cors.allowMethods[0] ("get") is not upper-case, but methods compare case-sensitively; write "GET"`],
    ['forbidden method', { allowOrigins: ['*'], allowMethods: ['TRACE'] }, `${R}.cors.allowMethods[0] ("TRACE") is a method browsers forbid pages to send`],
    ['header not a token', { allowOrigins: ['*'], allowHeaders: ['X Custom'] }, `${R}.cors.allowHeaders[0] ("X Custom") is not an HTTP token (letters, digits, !#$%&'*+.^_\`|~-)`],
    ['header wildcard', { allowOrigins: ['*'], exposeHeaders: ['*'] }, `${R}.cors.exposeHeaders[0] ("*") is a wildcard, which browsers ignore on credentialed requests and this gateway does not render; list the names`],
    ['header twice', { allowOrigins: ['*'], allowHeaders: ['X-A', 'x-a'] }, `${R}.cors.allowHeaders[1] ("x-a") is listed twice (names compare case-insensitively)`],
    ['max age above a day', { allowOrigins: ['*'], maxAge: Duration.days(2) }, `${R}.cors.maxAge ("172800s") must be at most 86400s`],
  ])('CORS: %s', (_case, cors, message) => {
    expect(route({ cors })).toBe(message);
  });

  test.each([
    ['no rate', {}, `${R}.rateLimit ({}) must set exactly one of requestsPerSecond and requestsPerMinute`],
    ['two rates', { requestsPerSecond: 1, requestsPerMinute: 60 }, `${R}.rateLimit ({"requestsPerSecond":1,"requestsPerMinute":60}) must set exactly one of requestsPerSecond and requestsPerMinute`],
    ['zero per second', { requestsPerSecond: 0 }, `${R}.rateLimit.requestsPerSecond (0) must be >= 1`],
    ['fraction per minute', { requestsPerMinute: 1.5 }, `${R}.rateLimit.requestsPerMinute (1.5) must be a whole number`],
    ['negative burst', { requestsPerSecond: 5, burst: -1 }, `${R}.rateLimit.burst (-1) must be >= 0`],
  ])('rate limit: %s', (_case, rateLimit, message) => {
    expect(route({ rateLimit })).toBe(message);
  });

  test('auth mode: needs the gateway\'s auth settings, and is one of the three', () => {
    expect(route({ auth: AuthMode.REQUIRED })).toBe(`${R}.auth ("required") needs token verification, but the gateway has no \`auth\` settings; set ApiGatewayProps.auth (issuer, audience), or AuthMode.NONE`);
    expect(route({ auth: 'required' }, { auth: AUTH })).toBe(`${R}.auth ("required") must be AuthMode.REQUIRED, AuthMode.OPTIONAL or AuthMode.NONE`);
  });

  test('the gateway\'s own locations cannot be routed', () => {
    const { chart, api } = platform();
    const gw = new ApiGateway(chart, 'gw');
    for (const path of ['/_gateway', '/_gateway/ready']) {
      expect(validationError(() => gw.route(path, api)).message)
        .toBe(`test/gw: route(${JSON.stringify(path)}).path (${JSON.stringify(path)}) is under /_gateway, the gateway's own locations (readiness, token checks); choose another path`);
    }
  });

  test.each([
    ['trusted proxies not a list', { trustedProxies: '10.0.0.0/8' }, 'test/gw: trustedProxies ("10.0.0.0/8") must be a list of CIDR ranges'],
    ['not a CIDR', { trustedProxies: ['10.0.0.1'] }, 'test/gw: trustedProxies[0] ("10.0.0.1") is not a CIDR range address/prefix (IPv4 or IPv6); e.g. "10.244.0.0/16", the cluster\'s pod range'],
    ['prefix too long', { trustedProxies: ['10.0.0.0/33'] }, 'test/gw: trustedProxies[0] ("10.0.0.0/33") is not a CIDR range address/prefix (IPv4 or IPv6); e.g. "10.244.0.0/16", the cluster\'s pod range'],
    ['everyone trusted', { trustedProxies: ['::/0'] }, 'test/gw: trustedProxies[0] ("::/0") trusts every address: any client could then name the address it is counted as in X-Forwarded-For; list the ranges of the ingress and the cluster\'s pods'],
    ['gateway body size', { clientMaxBodySize: Size.mebibytes(0) }, 'test/gw: clientMaxBodySize ("0Mi") must be greater than zero'],
    ['issuer http', { auth: { ...AUTH, issuer: 'http://login.example.com' } }, 'test/gw: auth.issuer ("http://login.example.com") must be an https URL without credentials or fragment; e.g. "https://login.example.com/realms/web"'],
    ['issuer not a URL', { auth: { ...AUTH, issuer: 'login' } }, 'test/gw: auth.issuer ("login") must be an https URL without credentials or fragment; e.g. "https://login.example.com/realms/web"'],
    ['jwks with credentials', { auth: { ...AUTH, jwksUrl: 'https://u:p@login.example.com/keys' } }, 'test/gw: auth.jwksUrl ("https://u:p@login.example.com/keys") must be an https URL without credentials or fragment; e.g. "https://login.example.com/realms/web"'],
    ['empty audience', { auth: { ...AUTH, audience: ' ' } }, 'test/gw: auth.audience (" ") must be a non-empty string without surrounding spaces; the API\'s client id or resource URL, as the provider writes it in `aud`'],
    ['no algorithm', { auth: { ...AUTH, algorithms: [] } }, 'test/gw: auth.algorithms ([]) must list at least one algorithm'],
    ['symmetric algorithm', { auth: { ...AUTH, algorithms: ['HS256'] } }, 'test/gw: auth.algorithms[0] ("HS256") is symmetric: the verifier would need the signing secret, and anyone holding it could mint tokens; use one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA'],
    ['"none"', { auth: { ...AUTH, algorithms: ['none'] } }, 'test/gw: auth.algorithms[0] ("none") is not an asymmetric JWS algorithm the verifier accepts; use one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA'],
    ['algorithm twice', { auth: { ...AUTH, algorithms: ['RS256', 'RS256'] } }, 'test/gw: auth.algorithms (["RS256","RS256"]) lists an algorithm twice'],
    ['clock tolerance', { auth: { ...AUTH, clockTolerance: Duration.minutes(10) } }, 'test/gw: auth.clockTolerance ("600s") must be at most 300s'],
    ['claim headers not a list', { auth: { ...AUTH, claimHeaders: { sub: 'X-Sub' } } }, 'test/gw: auth.claimHeaders ({"sub":"X-Sub"}) must be a list of { claim, header }'],
    ['empty claim', { auth: { ...AUTH, claimHeaders: [{ claim: '', header: 'X-Sub' }] } }, 'test/gw: auth.claimHeaders[0].claim ("") must be a claim name of printable ASCII without spaces'],
    ['header with "_"', { auth: { ...AUTH, claimHeaders: [{ claim: 'sub', header: 'X_Sub' }] } }, 'test/gw: auth.claimHeaders[0].header ("X_Sub") must be a header name of letters, digits and "-"; e.g. "X-Auth-Email"'],
    ['reserved header', { auth: { ...AUTH, claimHeaders: [{ claim: 'sub', header: 'Authorization' }] } }, 'test/gw: auth.claimHeaders[0].header ("Authorization") is a header the proxy or the protocol owns; use a name of your own, e.g. X-Auth-Email'],
    ['header twice', { auth: { ...AUTH, claimHeaders: [{ claim: 'sub', header: 'X-Id' }, { claim: 'email', header: 'x-id' }] } }, 'test/gw: auth.claimHeaders[1].header ("x-id") is also claimHeaders[0].header (names compare case-insensitively)'],
    ['sidecar image', { auth: { ...AUTH, image: 'not an image' } }, 'test/gw: auth.image ("not an image")'],
  ])('gateway: %s', (_case, props, message) => {
    if (_case === 'sidecar image') expect(gateway(props).startsWith(message)).toBe(true);
    else expect(gateway(props)).toBe(message);
  });
});
