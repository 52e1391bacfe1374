/**
 * The generated gateway configuration, run by a real nginx against local upstreams: config accepted (`nginx -t`),
 * prefix routing and stripping, the root route, the 404 fallback, the health endpoint, WebSocket upgrades, and the
 * route shapes nginx normalises away (which ApiGateway refuses) against the odd but reachable ones it accepts; and the
 * per-route features: timeouts, body limits, CORS (preflights, allowed and refused origins), rate limits by client
 * address behind trusted proxies, and token authentication through the real verifier process (`platform-blueprints
 * jwt-verifier`, run from src/cli.ts) against a local OIDC issuer.
 *
 * Needs an nginx binary (Debian: `apt-get install nginx-light`; .ci/run installs it; PB_NGINX names another one).
 * Without one its tests are skipped, each titled with the reason and listed after the run's summary: the rest of
 * `npm test` needs only Node.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as jose from 'jose';
import { jwtAuthSettings, verifierEnvironment } from '../../constructs/gateway/auth';
import { CorsOptions, corsRules } from '../../constructs/gateway/cors';
import { NginxConfigOptions, NginxRoute, renderNginxConfig } from '../../constructs/gateway/nginx-config';
import { DEFAULT_TRUSTED_PROXIES, rateLimitRule, trustedProxies } from '../../constructs/gateway/rate-limit';
import { isRoutePath, routePathProblem } from '../../constructs/gateway/paths';
import { startDns } from '../support/dns';
import { freePort, waitForPort } from '../support/net';
import { runNginx, withNginx } from '../support/nginx';

const suite = withNginx().describe;

/** An upstream that answers with what it received, and echoes bytes back after a WebSocket-style upgrade. */
function upstream(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ upstream: name, url: req.url, host: req.headers.host, forwardedFor: req.headers['x-forwarded-for'] }));
  });
  server.on('upgrade', (req, socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\nX-Upstream: ${name}\r\n\r\n`);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })));
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode as number, body }));
    }).on('error', reject);
  });
}

/** A raw request line (http.get would normalise nothing, but say exactly what is sent); the status and body. */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('error', reject);
    socket.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
  });
}

/** Route shapes ApiGateway refuses because nginx normalises the request path before it matches a location. */
const REFUSED_SHAPES = ['/a/../b', '/a/./b', '/q/..', '//a', '/c//d', '/x%2Fy', '/p%2E', '/c/%2e%2e/d', '/%7Euser'];
/** Odd shapes that are literal to nginx: accepted, and reached. */
const ACCEPTED_SHAPES = ['/...', '/a./b', '/.well-known', '/~user', '/v1.2'];

/** Starts nginx on a rendered config; returns its port and a stop function. */
async function startNginx(dir: string, name: string, routes: NginxRoute[], resolver: string,
  extra: Partial<NginxConfigOptions> = {}): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const config = renderNginxConfig({
    port, resolver, workerProcesses: 1, workerConnections: 1024, clientMaxBodySize: '1024k', upstreamTimeoutSeconds: 30, ...extra,
  }, routes);
  const stop = await runNginx(dir, name, config, [port]);
  return { port, stop };
}

suite('the generated gateway config in a real nginx', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-nginx-'));
  const upstreams: http.Server[] = [];
  const stops: Array<() => Promise<void>> = [];
  let port: number;
  let fallbackPort: number;
  let dns: { port: number; queries: string[]; close: () => void };
  let shapeDns: { port: number; queries: string[]; close: () => void };
  let shapesPort: number;

  beforeAll(async () => {
    const score = await upstream('score');
    const player = await upstream('player');
    upstreams.push(score.server, player.server);
    // Cluster DNS as it answers for Knative Services: an ExternalName (CNAME) to the internal ingress.
    dns = await startDns({
      'score.web.svc.cluster.local': { cname: 'kourier-internal.kourier-system.svc.cluster.local' },
      'kourier-internal.kourier-system.svc.cluster.local': { a: '127.0.0.1' },
      'player.web.svc.cluster.local': { a: '127.0.0.1' },
    });
    const resolver = `127.0.0.1:${dns.port}`;
    const main = await startNginx(dir, 'main', [
      { path: '/api/score', host: `score.web.svc.cluster.local:${score.port}`, stripPrefix: true },
      // Not resolvable yet (its function is not deployed): the gateway must start anyway.
      { path: '/api/later', host: `later.web.svc.cluster.local:${score.port}`, stripPrefix: true },
      { path: '/', host: `player.web.svc.cluster.local:${player.port}`, stripPrefix: false },
    ], resolver);
    const fallback = await startNginx(dir, 'fallback', [{ path: '/a', host: `player.web.svc.cluster.local:${player.port}`, stripPrefix: true }], resolver);
    // Every shape its own route to its own host name, rendered directly: ApiGateway would refuse the first kind.
    const shapes = await upstream('shapes');
    upstreams.push(shapes.server);
    shapeDns = await startDns(Object.fromEntries([...REFUSED_SHAPES, ...ACCEPTED_SHAPES].map((_p, i) => [`r${i}.shapes.local`, { a: '127.0.0.1' }])));
    const shaped = await startNginx(dir, 'shapes', [...REFUSED_SHAPES, ...ACCEPTED_SHAPES].map((p, i) => ({ path: p, host: `r${i}.shapes.local:${shapes.port}`, stripPrefix: false })),
      `127.0.0.1:${shapeDns.port}`);
    port = main.port;
    fallbackPort = fallback.port;
    shapesPort = shaped.port;
    stops.push(main.stop, fallback.stop, shaped.stop);
  });

  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
    upstreams.forEach((s) => s.close());
    dns?.close();
    shapeDns?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('answers its health endpoint itself', async () => {
    expect(await get(port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
  });

  test('resolves function hosts at request time through cluster DNS (CNAME to the Knative ingress)', async () => {
    const res = await get(port, '/api/score/games/7?top=10');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ upstream: 'score', url: '/games/7?top=10', forwardedFor: '127.0.0.1' });
    expect(dns.queries).toContain('score.web.svc.cluster.local');
  });

  test('strips the route prefix and sends the function\'s own host name (Knative routes by Host)', async () => {
    expect(JSON.parse((await get(port, '/api/score')).body)).toMatchObject({ upstream: 'score', url: '/' });
    expect(JSON.parse((await get(port, '/api/score/x')).body).host).toMatch(/^score\.web\.svc\.cluster\.local:\d+$/);
  });

  test('a route whose function does not resolve yet answers 502 while the others work', async () => {
    expect((await get(port, '/api/later/x')).status).toBe(502);
    expect((await get(port, '/api/score/x')).status).toBe(200);
  });

  test('the root route receives every other path unchanged', async () => {
    expect(JSON.parse((await get(port, '/index.html')).body)).toMatchObject({ upstream: 'player', url: '/index.html' });
    expect(JSON.parse((await get(port, '/api/scoreboard')).body)).toMatchObject({ upstream: 'player', url: '/api/scoreboard' });
  });

  test('passes a WebSocket upgrade through and relays frames both ways', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /socket HTTP/1.1\r\nHost: gateway\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => Buffer.concat(received).includes('\r\n\r\n'));
    const head = Buffer.concat(received).toString();
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols/);
    expect(head).toContain('X-Upstream: player');
    received.length = 0;
    socket.write('ping-over-websocket');
    await until(() => Buffer.concat(received).toString() === 'ping-over-websocket');
    expect(Buffer.concat(received).toString()).toBe('ping-over-websocket');
    socket.destroy();
  });

  /** The route a request reached (its index in the shapes), or undefined for the 404 fallback. */
  async function reached(target: string): Promise<number | undefined> {
    const res = await rawGet(shapesPort, target);
    if (res.status === 404) return undefined;
    expect(res.status).toBe(200);
    return Number(/^r(\d+)\.shapes\.local:/.exec(JSON.parse(res.body).host)![1]);
  }

  test('the route shapes ApiGateway refuses are never chosen for the requests they spell: nginx normalises the path first', async () => {
    expect(REFUSED_SHAPES.filter((p) => routePathProblem(p) === undefined && isRoutePath(p))).toEqual([]);
    for (const [i, shape] of REFUSED_SHAPES.entries()) {
      // The path as written, below it, and its dots percent-encoded: none reaches the route.
      for (const target of [shape, `${shape}/x`, `${shape.replace(/\./g, '%2E')}/x`]) {
        expect({ target, route: await reached(target) }).not.toEqual({ target, route: i });
      }
    }
    // What nginx matches instead: the normalised path (here no route: the 404 fallback).
    expect(await reached('/a/../b/x')).toBeUndefined();
    expect(await reached('//a/x')).toBeUndefined();
    // A percent-encoded route is reached only by a request that encodes "%" itself, as the error says.
    expect(await reached('/x%252Fy/z')).toBe(REFUSED_SHAPES.indexOf('/x%2Fy'));
    expect(await reached('/x%2Fy/z')).toBeUndefined();
  });

  test('odd shapes that are literal to nginx are accepted, and reached', async () => {
    expect(ACCEPTED_SHAPES.filter((p) => routePathProblem(p) !== undefined || !isRoutePath(p))).toEqual([]);
    for (const [i, shape] of ACCEPTED_SHAPES.entries()) {
      expect({ shape, route: await reached(`${shape}/x`) }).toEqual({ shape, route: REFUSED_SHAPES.length + i });
      expect({ shape, route: await reached(shape) }).toEqual({ shape, route: REFUSED_SHAPES.length + i });
    }
    // "~" percent-encoded is decoded before matching: the literal route takes it.
    expect(await reached('/%7Euser/x')).toBe(REFUSED_SHAPES.length + ACCEPTED_SHAPES.indexOf('/~user'));
  });

  test('without a root route, unknown paths get a JSON 404', async () => {
    const res = await get(fallbackPort, '/elsewhere');
    expect(res).toEqual({ status: 404, body: '{"error":"no route for this path"}\n' });
    expect(JSON.parse((await get(fallbackPort, '/a/b')).body)).toMatchObject({ upstream: 'player', url: '/b' });
  });
});

/** An upstream that echoes the request (with the identity headers it received), waits `?wait=<ms>`, and claims CORS for everyone. */
function echo(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    let size = 0;
    req.on('data', (c) => (size += c.length));
    req.on('end', () => {
      const wait = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('wait') ?? 0);
      setTimeout(() => {
        if (res.destroyed) return;
        // A function's own CORS headers: the gateway hides them on its CORS routes.
        res.setHeader('access-control-allow-origin', '*');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({
          url: req.url, size, subject: req.headers['x-auth-subject'], email: req.headers['x-auth-email'], forwardedFor: req.headers['x-forwarded-for'],
        }));
      }, wait).unref();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })));
}

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(port: number, urlPath: string, options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods',
  'access-control-allow-headers', 'access-control-expose-headers', 'access-control-max-age'];
const corsOf = (r: Reply) => Object.fromEntries(CORS_HEADERS.filter((h) => r.headers[h] !== undefined).map((h) => [h, r.headers[h]]));

suite('per-route proxy features in a real nginx', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-nginx-routes-'));
  const scope = new Construct(undefined as any, 'gateway');
  const closers: Array<() => unknown> = [];
  let port: number;
  let issuer: string;
  let key: { privateKey: jose.KeyLike; publicKey: jose.KeyLike };
  let verifierLog = '';
  const APP = 'https://app.example.com';

  const token = (claims: jose.JWTPayload, options: { key?: jose.KeyLike; kid?: string; expires?: string | number; audience?: string } = {}) =>
    new jose.SignJWT({ email: 'ada@example.com', ...claims }).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
      .setIssuer(issuer).setAudience(options.audience ?? 'scores-api').setSubject('user-42').setIssuedAt()
      .setExpirationTime(options.expires ?? '5m').sign(options.key ?? key.privateKey);

  beforeAll(async () => {
    // The identity provider: OIDC discovery and a JWKS with the test key.
    key = await jose.generateKeyPair('RS256');
    const jwk = { ...(await jose.exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const idp = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      const documents: { [url: string]: unknown } = { '/.well-known/openid-configuration': { issuer, jwks_uri: `${issuer}/keys` }, '/keys': { keys: [jwk] } };
      res.statusCode = documents[req.url ?? ''] ? 200 : 404;
      res.end(JSON.stringify(documents[req.url ?? ''] ?? {}));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
    issuer = `http://127.0.0.1:${(idp.address() as net.AddressInfo).port}`;
    closers.push(() => {
      idp.closeAllConnections();
      idp.close();
    });

    // The real verifier process, as the sidecar runs it (the package's CLI), configured as ApiGateway configures it.
    const settings = jwtAuthSettings(scope, 'auth', {
      issuer: 'https://placeholder.example', audience: 'scores-api',
      claimHeaders: [{ claim: 'sub', header: 'X-Auth-Subject' }, { claim: 'email', header: 'X-Auth-Email' }],
    });
    const verifierPort = await freePort();
    const env = { ...process.env, ...verifierEnvironment(settings, verifierPort), JWT_ISSUER: issuer, JWT_ALLOW_HTTP: 'true' };
    const verifier = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '..', '..', 'src', 'cli.ts'), 'jwt-verifier'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] });
    verifier.stderr?.on('data', (d) => (verifierLog += d));
    closers.push(() => verifier.kill('SIGTERM'));
    await waitForPort(verifierPort, verifier, () => verifierLog);

    const fn = await echo();
    closers.push(() => {
      fn.server.closeAllConnections();
      fn.server.close();
    });
    const dns = await startDns({ 'fn.web.svc.cluster.local': { a: '127.0.0.1' } });
    closers.push(() => dns.close());
    const host = `fn.web.svc.cluster.local:${fn.port}`;
    const route = (p: string, more: Partial<NginxRoute>): NginxRoute => ({ path: p, host, stripPrefix: true, ...more });
    const cors = (options: CorsOptions) => corsRules(scope, 'cors', options);
    const nginx = await startNginx(dir, 'routes', [
      route('/api', { readTimeoutSeconds: 1, clientMaxBodySize: '1k', auth: 'none' }),
      route('/ws', { readTimeoutSeconds: 3600, sendTimeoutSeconds: 3600, auth: 'none' }),
      route('/cors', {
        auth: 'none',
        cors: cors({ allowOrigins: [APP], allowMethods: ['GET', 'PUT'], allowHeaders: ['Authorization', 'Content-Type'], exposeHeaders: ['X-Request-Id'], allowCredentials: true }),
      }),
      route('/public', { auth: 'none', cors: cors({ allowOrigins: ['*'], maxAge: Duration.seconds(60) }) }),
      route('/limited', { auth: 'none', rateLimit: rateLimitRule(scope, 'rateLimit', { requestsPerMinute: 20, burst: 1 }), cors: cors({ allowOrigins: [APP] }) }),
      route('/private', { auth: 'required', cors: cors({ allowOrigins: [APP], allowHeaders: ['Authorization'] }) }),
      route('/maybe', { auth: 'optional' }),
    ], `127.0.0.1:${dns.port}`, {
      trustedProxies: trustedProxies(scope, 'trustedProxies', DEFAULT_TRUSTED_PROXIES),
      auth: { verifier: `127.0.0.1:${verifierPort}`, claimHeaders: settings.claimHeaders.map((c) => c.header) },
    });
    closers.push(nginx.stop);
    port = nginx.port;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a route times out on its own read timeout (504) while a longer one waits', async () => {
    // The function would answer after 3 s: a 504 is nginx giving up after the route's 1 s.
    expect((await request(port, '/api/x?wait=3000')).status).toBe(504);
    expect(JSON.parse((await request(port, '/ws/x?wait=1500')).body)).toMatchObject({ url: '/x?wait=1500' });
  });

  test('a body above the route\'s limit is refused with 413 before it reaches the function', async () => {
    expect((await request(port, '/api/upload', { method: 'POST', body: Buffer.alloc(2048) })).status).toBe(413);
    expect(JSON.parse((await request(port, '/api/upload', { method: 'POST', body: Buffer.alloc(1024) })).body)).toMatchObject({ size: 1024 });
    // The other routes keep the gateway's limit (1024k here).
    expect(JSON.parse((await request(port, '/ws/upload', { method: 'POST', body: Buffer.alloc(4096) })).body)).toMatchObject({ size: 4096 });
  });

  test('CORS preflight from an allowed origin: 204 from nginx with the allow headers and Vary: Origin', async () => {
    const res = await request(port, '/cors/item', { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
    expect(res.status).toBe(204);
    expect(corsOf(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-max-age': '600',
    });
    expect(res.headers.vary).toBe('Origin');
  });

  test('CORS: a disallowed origin gets no CORS header, on the preflight or the response; the function\'s own are hidden', async () => {
    const preflight = await request(port, '/cors/item', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' } });
    expect(preflight.status).toBe(204);
    expect(corsOf(preflight)).toEqual({});
    const res = await request(port, '/cors/item', { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(corsOf(res)).toEqual({});
    expect(res.headers.vary).toBe('Origin');
    // A prefix or a case change of an allowed origin is another origin.
    expect(corsOf(await request(port, '/cors/item', { headers: { origin: `${APP}.evil.example` } }))).toEqual({});
  });

  test('CORS: an allowed origin reads the response, with credentials and the exposed headers', async () => {
    const res = await request(port, '/cors/item', { headers: { origin: APP } });
    expect(res.status).toBe(200);
    expect(corsOf(res)).toEqual({ 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Request-Id' });
    // A plain OPTIONS (no Access-Control-Request-Method) is no preflight: the function answers it.
    expect(JSON.parse((await request(port, '/cors/item', { method: 'OPTIONS', headers: { origin: APP } })).body)).toMatchObject({ url: '/item' });
    // Without Origin (not a browser's cross-origin request): no CORS headers; the function's own stay hidden.
    expect(corsOf(await request(port, '/cors/item'))).toEqual({});
  });

  test('CORS: "*" without credentials answers any origin with "*"', async () => {
    const preflight = await request(port, '/public/x', { method: 'OPTIONS', headers: { origin: 'https://any.example', 'access-control-request-method': 'GET' } });
    expect(corsOf(preflight)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, POST', 'access-control-max-age': '60' });
    expect(corsOf(await request(port, '/public/x', { headers: { origin: 'https://other.example' } }))).toEqual({ 'access-control-allow-origin': '*' });
  });

  test('rate limit: past rate + burst a client gets 429 with Retry-After (and CORS headers), per client address', async () => {
    const from = (address: string, headers: http.OutgoingHttpHeaders = {}) => request(port, '/limited/x', { headers: { 'x-forwarded-for': address, origin: APP, ...headers } });
    // 20 requests per minute, burst 1: two at once pass, the third is refused.
    expect((await from('203.0.113.5')).status).toBe(200);
    expect((await from('203.0.113.5')).status).toBe(200);
    const refused = await from('203.0.113.5');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('3');
    expect(JSON.parse(refused.body)).toEqual({ error: 'too many requests' });
    expect(corsOf(refused)).toEqual({ 'access-control-allow-origin': APP });
    // Another client is counted on its own.
    expect((await from('203.0.113.6')).status).toBe(200);
    // Writing another address in front of X-Forwarded-For does not help: the address the trusted proxy appended counts.
    expect((await from('198.51.100.7, 203.0.113.5')).status).toBe(429);
    // The function sees the whole chain; nginx appended the client address it counted.
    expect(JSON.parse((await from('198.51.100.7, 203.0.113.8')).body).forwardedFor).toBe('198.51.100.7, 203.0.113.8, 203.0.113.8');
  });

  test('auth: no token → 401 with a Bearer challenge; the function is not called', async () => {
    const res = await request(port, '/private/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    // A page of an allowed origin can read the refusal.
    const fromPage = await request(port, '/private/me', { headers: { origin: APP } });
    expect([fromPage.status, fromPage.headers['access-control-allow-origin']]).toEqual([401, APP]);
  });

  test('auth: a token signed with the issuer\'s key passes; the function receives the identity, not the client\'s copy', async () => {
    const res = await request(port, '/private/me', { headers: { authorization: `Bearer ${await token({})}`, 'x-auth-subject': 'admin' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ url: '/me', subject: 'user-42', email: 'ada@example.com' });
    // The subrequest carries headers only: a request with a body is checked the same way.
    const post = await request(port, '/private/me', { method: 'POST', headers: { authorization: `Bearer ${await token({})}` }, body: Buffer.from('{"a":1}') });
    expect(JSON.parse(post.body)).toMatchObject({ size: 7, subject: 'user-42' });
  });

  test('auth: forged, expired, wrong-audience and malformed tokens are refused with invalid_token', async () => {
    const forger = await jose.generateKeyPair('RS256');
    const cases: Array<[string, string, string]> = [
      ['forged (another key, same kid)', await token({}, { key: forger.privateKey }), 'the token\'s signature does not verify'],
      ['expired', await token({}, { expires: Math.floor(Date.now() / 1000) - 120 }), 'the token has expired'],
      ['wrong audience', await token({}, { audience: 'another-api' }), 'the token\'s aud claim is not accepted'],
      ['unknown key', await token({}, { key: forger.privateKey, kid: 'k2' }), 'no key of the issuer matches the token'],
      ['not a JWT', 'abc.def.ghi', 'the token is malformed'],
    ];
    for (const [name, jwt, why] of cases) {
      const res = await request(port, '/private/me', { headers: { authorization: `Bearer ${jwt}` } });
      expect({ name, status: res.status, challenge: res.headers['www-authenticate'] })
        .toEqual({ name, status: 401, challenge: `Bearer realm="api", error="invalid_token", error_description="${why}"` });
    }
    const basic = await request(port, '/private/me', { headers: { authorization: 'Basic YWRhOnB3' } });
    expect(basic.status).toBe(401);
    expect(basic.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_request"/);
  });

  test('auth: a preflight needs no token; optional routes pass anonymous requests without identity headers', async () => {
    const preflight = await request(port, '/private/me', { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toBe('Authorization');
    const anonymous = await request(port, '/maybe/x', { headers: { 'x-auth-subject': 'admin', 'x-auth-email': 'root@example.com' } });
    expect(anonymous.status).toBe(200);
    expect(JSON.parse(anonymous.body)).toEqual({ url: '/x', size: 0, forwardedFor: '127.0.0.1' });
    expect(JSON.parse((await request(port, '/maybe/x', { headers: { authorization: `Bearer ${await token({})}` } })).body)).toMatchObject({ subject: 'user-42' });
    expect((await request(port, '/maybe/x', { headers: { authorization: `Bearer ${await token({}, { audience: 'x' })}` } })).status).toBe(401);
  });

  test('routes without auth still remove client-sent identity headers; readiness includes the verifier', async () => {
    expect(JSON.parse((await request(port, '/ws/x', { headers: { 'x-auth-subject': 'admin' } })).body).subject).toBeUndefined();
    expect((await request(port, '/_gateway/ready')).status).toBe(200);
    expect((await request(port, '/_gateway/auth/required')).status).toBe(404);
  });
});
