/**
 * The generated gateway configuration, run by a real nginx against local upstreams: config accepted (`nginx -t`),
 * prefix routing and stripping, the root route, the 404 fallback, the health endpoint, and WebSocket upgrades.
 *
 * Needs an nginx binary (Debian: `apt-get install nginx-light`; .ci/run installs it). Without one this suite says
 * so loudly and does not run: the rest of `npm test` needs only Node.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { NginxRoute, renderNginxConfig } from '../../constructs/gateway/nginx-config';
import { startDns } from '../support/dns';

const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
if (!NGINX) {
  console.warn('NGINX NOT FOUND: the gateway integration test (test/gateway/nginx.integration.test.ts) did not run. ' +
    'Install nginx (Debian: apt-get install nginx-light) to run it; .ci/run does.');
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

suite('the generated gateway config in a real nginx', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-nginx-'));
  const upstreams: http.Server[] = [];
  const stops: Array<() => Promise<void>> = [];
  let port: number;
  let fallbackPort: number;
  let dns: { port: number; queries: string[]; close: () => void };

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
    port = main.port;
    fallbackPort = fallback.port;
    stops.push(main.stop, fallback.stop);
  });

  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
    upstreams.forEach((s) => s.close());
    dns?.close();
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

  test('without a root route, unknown paths get a JSON 404', async () => {
    const res = await get(fallbackPort, '/elsewhere');
    expect(res).toEqual({ status: 404, body: '{"error":"no route for this path"}\n' });
    expect(JSON.parse((await get(fallbackPort, '/a/b')).body)).toMatchObject({ upstream: 'player', url: '/b' });
  });
});
