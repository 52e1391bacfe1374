/**
 * The nginx configuration of the managed API gateway, rendered from its routes.
 *
 * Upstreams are Knative services addressed by their in-cluster host names; nginx resolves them at request time
 * (`resolver` + a variable in `proxy_pass`), so the gateway starts even before the functions exist and follows
 * their Services as they change. WebSocket upgrades are passed through; timeouts are long enough for them.
 */

import type { GatewayDomainDirectives } from './domain';
import { CorsRules } from './cors';
import { RateLimitRule } from './rate-limit';

export interface NginxRoute {
  /** Path prefix, `/` or `/a/b` (no trailing slash). */
  readonly path: string;
  /** Fully qualified in-cluster host of the target. */
  readonly host: string;
  /** Remove the prefix before forwarding (`/api/score/x` → `/x`). */
  readonly stripPrefix: boolean;
  /** Upstream read timeout, seconds (default: the gateway's). */
  readonly readTimeoutSeconds?: number;
  /** Upstream send timeout, seconds (default: the gateway's). */
  readonly sendTimeoutSeconds?: number;
  /** Upstream connect timeout, seconds (default: 10). */
  readonly connectTimeoutSeconds?: number;
  /** nginx size of the largest request body, e.g. `8192k` (default: the gateway's). */
  readonly clientMaxBodySize?: string;
  readonly cors?: CorsRules;
  readonly rateLimit?: RateLimitRule;
  /** `required`, `optional` or `none` (default `none`); needs NginxConfigOptions.auth for the first two. */
  readonly auth?: string;
}

export interface NginxAuthOptions {
  /** `host:port` of the verifier (on the pod's loopback). */
  readonly verifier: string;
  /** Headers the verifier answers with the token's claims, passed to the functions (client copies removed). */
  readonly claimHeaders: string[];
}

export interface NginxConfigOptions {
  readonly port: number;
  readonly resolver: string;
  readonly workerProcesses: number;
  readonly workerConnections: number;
  readonly clientMaxBodySize: string;
  /** Read/send timeout towards upstreams, seconds. */
  readonly upstreamTimeoutSeconds: number;
  /** A custom domain's directives (HSTS, redirect to HTTPS, forwarded host). @default - none */
  readonly domain?: GatewayDomainDirectives;
  /** Proxies trusted to name the client in X-Forwarded-For (realip); none: the connection's peer is the client. */
  readonly trustedProxies?: string[];
  /** Token verification by the verifier sidecar. */
  readonly auth?: NginxAuthOptions;
}

/** Path of the health endpoint the gateway answers itself (liveness: nginx runs). */
export const HEALTH_PATH = '/healthz';
/** Prefix of the gateway's own locations (readiness, the verifier subrequests): no route may take it. */
export const INTERNAL_PREFIX = '/_gateway';
/** Readiness: nginx runs and, with authentication, the verifier is ready (its keys fetched). */
export const READY_PATH = `${INTERNAL_PREFIX}/ready`;
const AUTH_PATH = `${INTERNAL_PREFIX}/auth`;

/** CORS response headers the gateway owns on a CORS route: a function's own copies are hidden. */
const CORS_RESPONSE_HEADERS = ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Expose-Headers',
  'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers', 'Access-Control-Max-Age'];

function variableFor(index: number): string {
  return `$upstream_${index}`;
}

/** An nginx string literal in single quotes. */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** nginx variable name of a response header of the verifier: `$upstream_http_x_auth_subject`. */
function upstreamHeaderVariable(header: string): string {
  return `$upstream_http_${header.toLowerCase().replace(/-/g, '_')}`;
}

/** The http-level maps of a route's CORS rules: one variable per response header, empty unless the origin is allowed. */
function corsMaps(cors: CorsRules, i: number): string[] {
  const lines = [`  map $http_origin $cors_origin_${i} {`];
  if (cors.origins) {
    lines.push("    default '';", ...cors.origins.map((o) => `    ${quote(o)} $http_origin;`));
  } else {
    lines.push("    ''      '';", "    default '*';");
  }
  lines.push('  }');
  const derived: Array<[string, string]> = [
    ['methods', cors.methods.join(', ')],
    ['headers', cors.headers.join(', ')],
    ['expose', cors.expose.join(', ')],
    ['credentials', cors.credentials ? 'true' : ''],
    ['max_age', String(cors.maxAgeSeconds)],
  ];
  for (const [name, value] of derived) {
    if (value === '') continue;
    lines.push(`  map $cors_origin_${i} $cors_${name}_${i} {`, "    ''      '';", `    default ${quote(value)};`, '  }');
  }
  return lines;
}

/** The CORS headers of an actual (non-preflight) response. */
function corsResponseHeaders(cors: CorsRules, i: number): string[] {
  return [
    `add_header Access-Control-Allow-Origin $cors_origin_${i} always;`,
    ...cors.credentials ? [`add_header Access-Control-Allow-Credentials $cors_credentials_${i} always;`] : [],
    ...cors.expose.length ? [`add_header Access-Control-Expose-Headers $cors_expose_${i} always;`] : [],
    'add_header Vary Origin always;',
  ];
}

/** The preflight answer: 204 from nginx, with the allow headers only for an allowed origin. */
function corsPreflight(cors: CorsRules, i: number, serverHeaderLines: string[]): string[] {
  return [
    'if ($cors_preflight) {',
    `  add_header Access-Control-Allow-Origin $cors_origin_${i} always;`,
    `  add_header Access-Control-Allow-Methods $cors_methods_${i} always;`,
    ...cors.headers.length ? [`  add_header Access-Control-Allow-Headers $cors_headers_${i} always;`] : [],
    ...cors.credentials ? [`  add_header Access-Control-Allow-Credentials $cors_credentials_${i} always;`] : [],
    `  add_header Access-Control-Max-Age $cors_max_age_${i} always;`,
    '  add_header Vary Origin always;',
    ...serverHeaderLines.map((l) => `  ${l}`),
    '  return 204;',
    '}',
  ];
}

/** The proxy headers every route sends (repeated in a location that sets any: nginx inherits none then). */
function proxyHeaders(options: NginxConfigOptions): string[] {
  return [
    'proxy_set_header Upgrade $http_upgrade;',
    'proxy_set_header Connection $connection_upgrade;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    `proxy_set_header X-Forwarded-Host ${options.domain?.forwardedHost ?? '$http_host'};`,
  ];
}

/** The server's response headers (HSTS), repeated in a block that adds its own: nginx inherits none then. */
function serverHeaders(options: NginxConfigOptions): string[] {
  return options.domain?.headers ?? [];
}

function routeSettings(route: NginxRoute, i: number, options: NginxConfigOptions): string[] {
  const lines: string[] = [];
  if (route.clientMaxBodySize !== undefined) lines.push(`client_max_body_size ${route.clientMaxBodySize};`);
  if (route.connectTimeoutSeconds !== undefined) lines.push(`proxy_connect_timeout ${route.connectTimeoutSeconds}s;`);
  if (route.readTimeoutSeconds !== undefined) lines.push(`proxy_read_timeout ${route.readTimeoutSeconds}s;`);
  if (route.sendTimeoutSeconds !== undefined) lines.push(`proxy_send_timeout ${route.sendTimeoutSeconds}s;`);
  if (route.rateLimit) {
    lines.push(`limit_req zone=route_${i} burst=${route.rateLimit.burst} nodelay;`, `error_page 429 @rate_limited_${i};`);
  }
  const auth = route.auth ?? 'none';
  if (auth !== 'none') {
    if (!options.auth) throw new Error(`route ${route.path}: auth ${auth} without a verifier`);
    lines.push(`auth_request ${AUTH_PATH}/${auth};`);
    options.auth.claimHeaders.forEach((h, k) => lines.push(`auth_request_set $auth_claim_${k} ${upstreamHeaderVariable(h)};`));
  }
  if (options.auth) {
    // The identity headers come from the verifier only: a client's own copies are replaced (or removed when empty).
    lines.push(...proxyHeaders(options), ...options.auth.claimHeaders.map((h, k) => `proxy_set_header ${h} ${auth === 'none' ? "''" : `$auth_claim_${k}`};`));
  }
  if (route.cors) {
    lines.push(...corsResponseHeaders(route.cors, i), ...serverHeaders(options), ...CORS_RESPONSE_HEADERS.map((h) => `proxy_hide_header ${h};`));
  }
  return lines;
}

function renderRoute(route: NginxRoute, index: number, options: NginxConfigOptions): string[] {
  const variable = variableFor(index);
  // Preflights are answered first: `rewrite ... break` ends the rewrite directives, and auth and limits come after.
  const preflight = route.cors ? corsPreflight(route.cors, index, serverHeaders(options)) : [];
  const settings = routeSettings(route, index, options);
  const location = (match: string, rewrite?: string) => [
    `  location ${match} {`,
    ...preflight.map((l) => `    ${l}`),
    `    set ${variable} ${route.host};`,
    ...rewrite ? [`    ${rewrite}`] : [],
    ...settings.map((l) => `    ${l}`),
    `    proxy_pass http://${variable};`,
    '  }',
  ];
  const named = route.rateLimit ? [
    `  location @rate_limited_${index} {`,
    '    default_type application/json;',
    `    add_header Retry-After ${route.rateLimit.retryAfterSeconds} always;`,
    ...route.cors ? corsResponseHeaders(route.cors, index).map((l) => `    ${l}`) : [],
    ...serverHeaders(options).map((l) => `    ${l}`),
    '    return 429 \'{"error":"too many requests"}\\n\';',
    '  }',
  ] : [];
  if (route.path === '/') return [...location('/'), ...named];
  if (!route.stripPrefix) return [...location(`= ${route.path}`), ...location(`${route.path}/`), ...named];
  return [
    ...location(`= ${route.path}`, 'rewrite ^ / break;'),
    ...location(`${route.path}/`, `rewrite ^${route.path}/(.*)$ /$1 break;`),
    ...named,
  ];
}

/** realip: the client is the first address from the right of X-Forwarded-For that no trusted proxy owns. */
function clientAddress(options: NginxConfigOptions): string[] {
  if (!options.trustedProxies?.length) return [];
  return [
    '',
    '  # The client address (logs, X-Forwarded-For, rate limits): walk X-Forwarded-For from the right past trusted proxies.',
    ...options.trustedProxies.map((cidr) => `  set_real_ip_from ${cidr};`),
    '  real_ip_header X-Forwarded-For;',
    '  real_ip_recursive on;',
  ];
}

function readiness(options: NginxConfigOptions): string[] {
  if (!options.auth) {
    return [`    location = ${READY_PATH} {`, '      access_log off;', '      default_type text/plain;', '      return 200 "ok\\n";', '    }'];
  }
  // Knative refuses probes on sidecars (unless multi-container-probing): the pod is ready when the verifier is.
  return [
    `    location = ${READY_PATH} {`,
    '      access_log off;',
    `      proxy_pass http://${options.auth.verifier}/ready;`,
    '      proxy_connect_timeout 1s;',
    '      proxy_read_timeout 5s;',
    '    }',
  ];
}

/** The subrequests of `auth_request`: headers only, to the verifier. */
function verifierLocations(options: NginxConfigOptions): string[] {
  if (!options.auth) return [];
  return ['required', 'optional'].flatMap((mode) => [
    '',
    `    location = ${AUTH_PATH}/${mode} {`,
    '      internal;',
    `      proxy_pass http://${options.auth!.verifier}/verify/${mode};`,
    '      proxy_pass_request_body off;',
    "      proxy_set_header Content-Length '';",
    "      proxy_set_header Upgrade '';",
    '      proxy_connect_timeout 1s;',
    // The verifier gives up on an unreachable JWKS after 5 s (an error, answered 500).
    '      proxy_read_timeout 10s;',
    '    }',
  ]);
}

export function renderNginxConfig(options: NginxConfigOptions, routes: NginxRoute[]): string {
  const sorted = [...routes].sort((a, b) => a.path.localeCompare(b.path));
  const hasRoot = sorted.some((r) => r.path === '/');
  const lines = [
    '# Generated by platform-blueprints (ApiGateway). Do not edit: change the routes in code.',
    `worker_processes ${options.workerProcesses};`,
    'pid /tmp/nginx.pid;',
    'error_log stderr warn;',
    '',
    'events {',
    `  worker_connections ${options.workerConnections};`,
    '}',
    '',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    '  server_tokens off;',
    '  access_log /dev/stdout;',
    '  client_body_temp_path /tmp/client_temp;',
    '  proxy_temp_path /tmp/proxy_temp;',
    '  fastcgi_temp_path /tmp/fastcgi_temp;',
    '  uwsgi_temp_path /tmp/uwsgi_temp;',
    '  scgi_temp_path /tmp/scgi_temp;',
    `  client_max_body_size ${options.clientMaxBodySize};`,
    `  resolver ${options.resolver} valid=10s ipv6=off;`,
    '  resolver_timeout 5s;',
    '',
    '  # WebSocket: forward the upgrade handshake; plain requests close the upstream connection.',
    '  map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    "    ''      close;",
    '  }',
    '  proxy_http_version 1.1;',
    ...proxyHeaders(options).map((l) => `  ${l}`),
    `  proxy_connect_timeout 10s;`,
    `  proxy_read_timeout ${options.upstreamTimeoutSeconds}s;`,
    `  proxy_send_timeout ${options.upstreamTimeoutSeconds}s;`,
    '  proxy_buffering off;',
    ...options.domain ? ['', ...options.domain.http] : [],
    ...clientAddress(options),
    ...sorted.some((r) => r.rateLimit) ? ['', '  # Rate limits: one leaky bucket per client address and route (in this pod).', '  limit_req_status 429;', '  limit_req_log_level warn;'] : [],
    ...sorted.flatMap((r, i) => (r.rateLimit ? [`  limit_req_zone $binary_remote_addr zone=route_${i}:1m rate=${r.rateLimit.rate};`] : [])),
    ...sorted.some((r) => r.cors) ? [
      '',
      '  # CORS: a preflight is an OPTIONS request that names the method it asks for.',
      '  map "$request_method:$http_access_control_request_method" $cors_preflight {',
      '    default 0;',
      '    "~^OPTIONS:." 1;',
      '  }',
    ] : [],
    ...sorted.flatMap((r, i) => (r.cors ? corsMaps(r.cors, i) : [])),
    '',
    '  server {',
    `    listen ${options.port};`,
    ...options.domain?.server ?? [],
    '',
    `    location = ${HEALTH_PATH} {`,
    '      access_log off;',
    '      default_type text/plain;',
    '      return 200 "ok\\n";',
    '    }',
    '',
    ...readiness(options),
    ...verifierLocations(options),
  ];
  sorted.forEach((route, i) => {
    lines.push('');
    lines.push(...renderRoute(route, i, options).map((l) => `  ${l}`));
  });
  if (!hasRoot) {
    lines.push('', '    location / {', '      default_type application/json;', '      return 404 \'{"error":"no route for this path"}\\n\';', '    }');
  }
  lines.push('  }', '}', '');
  return lines.join('\n');
}
