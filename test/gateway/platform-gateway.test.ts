/**
 * The per-route gateway settings through the FunctionsPlatform bundle: route defaults for every route (the default
 * `/api/<name>` routes too), a route's own settings over them, the gateway-wide settings, and their refusal with a
 * bring-your-own frontend.
 */
import { Duration, Size } from 'cdk8s';
import { AuthMode, FunctionsPlatform, FunctionsPlatformProps, Language, PIPELINE_IMAGE, Profile, StoreBackend } from '../../constructs';
import { DeploymentPlan } from '../../constructs/core/plan';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';
import { block } from './nginx-text';

const functions = [
  { name: 'score', image: 'ghcr.io/example/score:1', language: Language.GO },
  { name: 'live', image: 'ghcr.io/example/live:1', language: Language.PYTHON },
];
const AUTH = { issuer: 'https://login.example.com/realms/games', audience: 'games-api' };

function build(props: Partial<FunctionsPlatformProps>) {
  const { app, chart } = testChart(null);
  new FunctionsPlatform(chart, 'platform', { namespace: 'games', functions, ...props });
  const objects = synthValid(chart);
  return { app, objects, ksvc: findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1'), nginx: findObject(objects, 'ConfigMap', 'gateway-nginx').data['nginx.conf'] as string };
}

describe('FunctionsPlatform gateway routes', () => {
  test('route defaults apply to the default routes; the Knative timeout follows the longest', () => {
    const { app, ksvc, nginx } = build({
      gateway: {
        timeout: Duration.seconds(30),
        clientMaxBodySize: Size.mebibytes(1),
        routeDefaults: { cors: { allowOrigins: ['https://games.example.com'] }, rateLimit: { requestsPerSecond: 20, burst: 40 } },
      },
    });
    expect(ksvc.spec.template.spec.timeoutSeconds).toBe(30);
    expect(DeploymentPlan.of(app).maxRequestTimeoutSeconds).toBe(30);
    expect(nginx).toContain('  client_max_body_size 1024k;');
    for (const path of ['/api/score', '/api/live']) {
      expect(block(nginx, `location ${path}/`)).toEqual(expect.arrayContaining([expect.stringMatching(/^limit_req zone=route_\d burst=40 nodelay;$/), 'add_header Vary Origin always;']));
    }
  });

  test('a route\'s own settings win over the defaults, field by field; auth from the gateway settings', () => {
    const { ksvc, nginx } = build({
      gateway: {
        auth: AUTH,
        routeDefaults: { readTimeout: Duration.seconds(5), rateLimit: { requestsPerSecond: 20 } },
        routes: [
          { path: '/api/score', function: 'score' },
          { path: '/live', function: 'live', readTimeout: Duration.hours(1), auth: AuthMode.OPTIONAL, rateLimit: undefined },
        ],
      },
    });
    expect(ksvc.spec.template.spec.timeoutSeconds).toBe(3600);
    expect(ksvc.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['function', 'jwt-verifier']);
    expect(block(nginx, 'location /api/score/')).toEqual(expect.arrayContaining(['proxy_read_timeout 5s;', 'auth_request /_gateway/auth/required;', 'limit_req zone=route_0 burst=0 nodelay;']));
    // An explicit `undefined` keeps the default (field by field): the WebSocket route keeps the rate limit too.
    expect(block(nginx, 'location /live/')).toEqual(expect.arrayContaining(['proxy_read_timeout 3600s;', 'auth_request /_gateway/auth/optional;', 'limit_req zone=route_1 burst=0 nodelay;']));
  });

  test('a bad route setting names the route under the platform\'s gateway', () => {
    expect(validationError(() => build({ gateway: { routes: [{ path: '/x', function: 'score', cors: { allowOrigins: ['*'], allowCredentials: true } }] } })).message)
      .toMatch(/^test\/platform\/Gateway: route\("\/x"\)\.cors\.allowOrigins \(\["\*"\]\) is "\*" with allowCredentials/);
  });

  test.each([
    ['routeDefaults', { routeDefaults: { readTimeout: Duration.seconds(5) } }],
    ['timeout', { timeout: Duration.seconds(5) }],
    ['clientMaxBodySize', { clientMaxBodySize: Size.mebibytes(1) }],
    ['auth', { auth: AUTH }],
    ['trustedProxies', { trustedProxies: ['10.0.0.0/8'] }],
  ])('%s configures the managed proxy: refused with a frontend', (key, gateway) => {
    const message = validationError(() => build({ gateway: { ...gateway, frontend: { image: 'ghcr.io/example/web:1' } } })).message;
    expect(message).toMatch(new RegExp(`^test/platform: gateway\\.${key} \\(.*\\) configures the managed proxy, not a frontend; remove it, or drop gateway\\.frontend to use the managed proxy$`));
  });
});

describe('FunctionsPlatform gateway auth in prod', () => {
  const pinned = functions.map((f) => ({ ...f, image: `${f.image.split(':')[0]}@sha256:${'5'.repeat(64)}` }));
  const exemption = (o: any) => o.metadata.annotations?.['policy.platform-blueprints.io/exempt-pb004'];

  test('the verifier\'s default image (the package\'s, by version tag only) is refused in prod, naming gateway.auth.image; a pinned one passes the policy', () => {
    const prod = (gateway: object) => build({ functions: pinned, profile: Profile.PROD, store: StoreBackend.IN_CLUSTER, gateway });
    expect(validationError(() => prod({ auth: AUTH })).message).toBe(
      `test/platform: gateway.auth.image (undefined) must be set in a prod namespace: the library's default (${PIPELINE_IMAGE}) is not pinned by digest; ` +
      'set gateway.auth.image to an image pinned by digest (e.g. from your registry: "registry.example.com/event-display@sha256:<64 hex digits>")');
    const pinnedVerifier = `ghcr.io/example/pb@sha256:${'8'.repeat(64)}`;
    const { ksvc } = prod({ auth: { ...AUTH, image: pinnedVerifier } });
    expect(exemption(ksvc)).toBeUndefined();
    expect(ksvc.spec.template.spec.containers.map((c: any) => c.image)).toContain(pinnedVerifier);
  });
});
