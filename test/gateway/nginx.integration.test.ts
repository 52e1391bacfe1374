/**
 * The generated gateway configuration, run by a real nginx against local upstreams: config accepted (`nginx -t`),
 * prefix routing and stripping, the root route, the 404 fallback, the health endpoint, WebSocket upgrades, and the
 * route shapes nginx normalises away (which ApiGateway refuses) against the odd but reachable ones it accepts.
 *
 * Needs an nginx binary (Debian: `apt-get install nginx-light`; .ci/run installs it; PB_NGINX names another one).
 * Without one this suite prints "NGINX NOT FOUND ..." to stderr and its tests are reported as skipped: the rest of
 * `npm test` needs only Node.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { NginxRoute, renderNginxConfig } from '../../constructs/gateway/nginx-config';
import { isRoutePath, routePathProblem } from '../../constructs/gateway/paths';
import { startDns } from '../support/dns';

// PB_NGINX names the binary to use (or, set to a path that does not exist, shows what a machine without nginx sees).
const NGINX = (process.env.PB_NGINX ? [process.env.PB_NGINX] : ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'])
  .find((p) => fs.existsSync(p));
if (!NGINX) {
  // jest drops the console output of a file whose tests are all skipped, so console.warn would never be seen here:
  // the warning goes to the worker's stderr, which jest passes through.
  process.stderr.write('\nNGINX NOT FOUND: the gateway integration test (test/gateway/nginx.integration.test.ts) did NOT run; ' +
    'its tests are reported as skipped. Install nginx (Debian: apt-get install nginx-light; .ci/run does) or point PB_NGINX ' +
    'at the binary to run it.\n\n');
}
const suite = NGINX ? describe : describe.skip;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

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

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); }).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${log()}`);
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
async function startNginx(dir: string, name: string, routes: NginxRoute[], resolver: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const config = renderNginxConfig({
    port, resolver, workerProcesses: 1, workerConnections: 1024, clientMaxBodySize: '1024k', upstreamTimeoutSeconds: 30,
  }, routes).replace(/\/tmp\//g, `${dir}/${name}-`);
  const file = path.join(dir, `${name}.conf`);
  fs.writeFileSync(file, config);
  execFileSync(NGINX as string, ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const child = spawn(NGINX as string, ['-e', 'stderr', '-p', dir, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d) => (stderr += d));
  await waitForPort(port, child, () => stderr);
  return {
    port,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGQUIT');
    }),
  };
}

suite(NGINX ? 'the generated gateway config in a real nginx' : 'NOT RUN (no nginx binary): the generated gateway config in a real nginx', () => {
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
