/**
 * The gateway's custom domain over TLS, run in real nginx processes.
 *
 * What the cluster does, and what stands in for it here: TLS ends at the Knative ingress (kourier's Envoy) with the
 * certificate cert-manager wrote into the DomainMapping's Secret; the DomainMapping's ingress rule rewrites `Host` to
 * the gateway's own host and adds `K-Original-Host: <domain>` (knative/serving
 * pkg/reconciler/domainmapping/resources/ingress.go), and Envoy says how the request came in `X-Forwarded-Proto`. An
 * nginx configured exactly so (TLS with a self-signed certificate for the domain, made by openssl at test time) stands
 * in for the ingress. With `http-protocol: redirected` kourier answers plain HTTP itself; the stand-in forwards plain
 * HTTP as an ingress does with `enabled` (or one that ignores the annotation), so the gateway's own fallback shows.
 *
 * What is the gateway's, and tested as generated: the nginx configuration ApiGateway renders for a PublicDomain (same
 * renderer, same directives) — HSTS on HTTPS responses only, HTTP requests for the domain redirected (308) to HTTPS,
 * the domain passed to functions as X-Forwarded-Host and the scheme as X-Forwarded-Proto, probes and in-cluster
 * callers untouched. Issuance (ACME, DNS), kourier itself and the certificate's renewal need a cluster (README).
 *
 * Needs nginx (with http_ssl_module) and openssl; without them its tests are skipped, titled with the reason (like
 * test/gateway/nginx.integration.test.ts).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ApiGateway, CertificateIssuer, PublicDomainOptions } from '../../constructs';
import { corsRules } from '../../constructs/gateway/cors';
import { renderNginxConfig } from '../../constructs/gateway/nginx-config';
import { rateLimitRule } from '../../constructs/gateway/rate-limit';
import { startDns } from '../support/dns';
import { testChart } from '../support/k8s';
import { freePort } from '../support/net';
import { runNginx, withNginx } from '../support/nginx';

const OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => fs.existsSync(p));
const suite = withNginx({ openssl: OPENSSL !== undefined }).describe;

const DOMAIN = 'api.example.com';
const GATEWAY_HOST = 'gateway.web.svc.cluster.local';
const APP = 'https://app.example.com';

/** The stand-in for the ingress of a DomainMapping (see the module comment): TLS and plain HTTP, both to the gateway. */
function ingressConfig(tlsPort: number, httpPort: number, gatewayPort: number): string {
  const forward = [
    '    location / {',
    `      proxy_pass http://127.0.0.1:${gatewayPort};`,
    `      proxy_set_header Host ${GATEWAY_HOST};`,
    `      proxy_set_header K-Original-Host ${DOMAIN};`,
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    '    }',
  ];
  return [
    'worker_processes 1;', 'pid /tmp/nginx.pid;', 'error_log stderr warn;', 'events { worker_connections 64; }', 'http {',
    '  access_log off;', '  client_body_temp_path /tmp/client;', '  proxy_temp_path /tmp/proxy;', '  fastcgi_temp_path /tmp/fastcgi;',
    '  uwsgi_temp_path /tmp/uwsgi;', '  scgi_temp_path /tmp/scgi;',
    '  server {', `    listen ${tlsPort} ssl;`, `    server_name ${DOMAIN};`,
    // Relative to the configuration's folder, where the certificate and key are written.
    '    ssl_certificate tls.crt;', '    ssl_certificate_key tls.key;', ...forward, '  }',
    '  server {', `    listen ${httpPort};`, ...forward, '  }',
    '}', '',
  ].join('\n');
}

/** The gateway's configuration as ApiGateway renders it for a domain, listening and resolving where the test says. */
function gatewayConfig(port: number, resolver: string, fnPort: number, domain: Partial<PublicDomainOptions>): string {
  const { chart } = testChart('web');
  const gateway = new ApiGateway(chart, 'gateway', { domain: { domain: DOMAIN, issuer: CertificateIssuer.clusterIssuer('letsencrypt'), ...domain } });
  return renderNginxConfig({
    port, resolver, workerProcesses: 1, workerConnections: 1024, clientMaxBodySize: '1024k', upstreamTimeoutSeconds: 30,
    domain: gateway.domain!.gatewayDirectives,
  }, [
    { path: '/api/score', host: `score.web.svc.cluster.local:${fnPort}`, stripPrefix: true },
    // A route whose location adds headers of its own (CORS, a rate limit's 429): nginx inherits no server-level
    // add_header into it, so the config must repeat HSTS there.
    {
      path: '/api/cors', host: `score.web.svc.cluster.local:${fnPort}`, stripPrefix: true,
      cors: corsRules(chart, 'cors', { allowOrigins: [APP] }),
      rateLimit: rateLimitRule(chart, 'rateLimit', { requestsPerMinute: 60, burst: 1 }),
    },
  ]);
}

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(port: number, urlPath: string, options: { tls?: { ca: string; servername: string }; method?: string; headers?: { [name: string]: string } } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const done = (res: http.IncomingMessage) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    };
    const base = { host: '127.0.0.1', port, path: urlPath, method: options.method ?? 'GET', headers: { host: DOMAIN, ...options.headers } };
    const req = options.tls ? https.request({ ...base, ca: options.tls.ca, servername: options.tls.servername }, done) : http.request(base, done);
    req.on('error', reject);
    req.end();
  });
}

suite('the gateway on its own domain, TLS ended at the ingress (real nginx)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-tls-'));
  const stops: Array<() => Promise<void>> = [];
  let fn: http.Server;
  let dns: { port: number; close: () => void };
  let ca: string;
  const ports = { tls: 0, http: 0, gateway: 0, plainGateway: 0 };

  beforeAll(async () => {
    // A self-signed certificate for the domain, as a test CA the client trusts (cert-manager's part in the cluster).
    execFileSync(OPENSSL!, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${DOMAIN}`, '-addext', `subjectAltName=DNS:${DOMAIN}`, '-keyout', `${dir}/tls.key`, '-out', `${dir}/tls.crt`], { stdio: 'ignore' });
    ca = fs.readFileSync(`${dir}/tls.crt`, 'utf8');
    // The function: answers with what reached it.
    fn = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ url: req.url, host: req.headers.host, proto: req.headers['x-forwarded-proto'], forwardedHost: req.headers['x-forwarded-host'] }));
    });
    await new Promise<void>((r) => fn.listen(0, '127.0.0.1', r));
    const fnPort = (fn.address() as net.AddressInfo).port;
    dns = await startDns({ 'score.web.svc.cluster.local': { a: '127.0.0.1' } });
    for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
    const resolver = `127.0.0.1:${dns.port}`;
    stops.push(await runNginx(dir, 'gateway', gatewayConfig(ports.gateway, resolver, fnPort, {}), [ports.gateway]));
    stops.push(await runNginx(dir, 'plain', gatewayConfig(ports.plainGateway, resolver, fnPort, { redirectHttp: false }), [ports.plainGateway]));
    stops.push(await runNginx(dir, 'ingress', ingressConfig(ports.tls, ports.http, ports.gateway), [ports.tls, ports.http]));
  });

  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
    fn?.close();
    dns?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('HTTPS for the domain: the certificate verifies, the function sees https and the domain, the answer carries HSTS', async () => {
    const res = await request(ports.tls, '/api/score/games/7?top=3', { tls: { ca, servername: DOMAIN } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ url: '/games/7?top=3', proto: 'https', forwardedHost: DOMAIN });
    expect(JSON.parse(res.body).host).toMatch(/^score\.web\.svc\.cluster\.local:\d+$/);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  test('the certificate is the domain\'s: a client asking for another name refuses it', async () => {
    await expect(request(ports.tls, '/api/score', { tls: { ca, servername: 'other.example.com' } })).rejects.toThrow(/altnames|does not match|other\.example\.com/i);
  });

  test('HSTS is on the gateway\'s own answers over HTTPS too (no route: 404)', async () => {
    const res = await request(ports.tls, '/nowhere', { tls: { ca, servername: DOMAIN } });
    expect(res.status).toBe(404);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  test('HSTS is also on routes that add headers of their own: a CORS answer, its preflight, and a rate limit\'s 429', async () => {
    const tls = { ca, servername: DOMAIN };
    const answer = await request(ports.tls, '/api/cors/x', { tls, headers: { origin: APP } });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(APP);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
    const preflight = await request(ports.tls, '/api/cors/x', { tls, method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['strict-transport-security']).toBe('max-age=31536000');
    let limited: Answer | undefined;
    for (let i = 0; i < 5 && !limited; i++) {
      const res = await request(ports.tls, '/api/cors/x', { tls, headers: { origin: APP } });
      if (res.status === 429) limited = res;
    }
    expect(limited?.headers['retry-after']).toBeDefined();
    expect(limited?.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  test('plain HTTP for the domain is redirected to HTTPS with path and query, without HSTS (browsers ignore it over HTTP)', async () => {
    const res = await request(ports.http, '/api/score/games/7?top=3');
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`https://${DOMAIN}/api/score/games/7?top=3`);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  test('probes and in-cluster callers (no K-Original-Host) are neither redirected nor sent HSTS', async () => {
    const probe = await request(ports.gateway, '/healthz', { headers: { host: '10.0.0.7:8080' } });
    expect(probe).toMatchObject({ status: 200, body: 'ok\n' });
    expect(probe.headers['strict-transport-security']).toBeUndefined();
    const inCluster = await request(ports.gateway, '/api/score/x', { headers: { host: GATEWAY_HOST, 'x-forwarded-proto': 'http' } });
    expect(inCluster.status).toBe(200);
    expect(JSON.parse(inCluster.body)).toMatchObject({ url: '/x', proto: 'http', forwardedHost: GATEWAY_HOST });
  });

  test('with redirectHttp false the gateway serves plain HTTP for the domain, still without HSTS', async () => {
    const res = await request(ports.plainGateway, '/api/score/x', { headers: { host: GATEWAY_HOST, 'k-original-host': DOMAIN, 'x-forwarded-proto': 'http' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ url: '/x', proto: 'http', forwardedHost: DOMAIN });
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
