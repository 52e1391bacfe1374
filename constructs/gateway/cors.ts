/**
 * Cross-origin rules of a gateway route (the Fetch standard's CORS protocol), answered by nginx itself: a preflight
 * (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) from an allowed origin gets 204 and the allow headers;
 * other requests from an allowed origin get `Access-Control-Allow-Origin` (and the exposed headers, credentials);
 * a request from any other origin gets no CORS header, so the browser keeps the response from the page.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requireSeconds } from '../core/durations';

export interface CorsOptions {
  /**
   * Origins allowed to read responses, each exactly as a browser sends it: `scheme://host[:port]`, lowercase, no
   * path, no default port (`https://app.example.com`, `http://localhost:3000`). `['*']` allows any origin, but only
   * without credentials.
   */
  readonly allowOrigins: string[];
  /**
   * Methods a preflight allows.
   * @default ['GET', 'HEAD', 'POST']
   */
  readonly allowMethods?: string[];
  /**
   * Request headers a preflight allows beyond the CORS-safelisted ones (e.g. `Authorization`, `Content-Type` for JSON).
   * @default - none: only CORS-safelisted request headers
   */
  readonly allowHeaders?: string[];
  /**
   * Response headers the page may read beyond the CORS-safelisted ones.
   * @default - none
   */
  readonly exposeHeaders?: string[];
  /**
   * Whether the page may send cookies / HTTP authentication and read the response (`Access-Control-Allow-Credentials`).
   * Needs exact origins (`*` is refused with it: browsers ignore a wildcard on credentialed requests).
   * @default false
   */
  readonly allowCredentials?: boolean;
  /**
   * How long a browser may cache a preflight's answer (`Access-Control-Max-Age`, whole seconds).
   * @default Duration.minutes(10)
   */
  readonly maxAge?: Duration;
}

/** The checked CORS rules of one route, ready to render. */
export interface CorsRules {
  /** Exact origins, or undefined for any (`*`). */
  readonly origins?: string[];
  readonly methods: string[];
  readonly headers: string[];
  readonly expose: string[];
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
}

/** RFC 9110 token: a method or header name. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A serialized origin: scheme, lowercase host (DNS name, IPv4 or bracketed IPv6), optional port, nothing else. */
const ORIGIN = /^(https?):\/\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?$/;
const DEFAULT_PORTS: { [scheme: string]: string } = { http: '80', https: '443' };
/** Methods a browser never lets a page send (Fetch "forbidden methods"): allowing them is a mistake. */
const FORBIDDEN_METHODS = ['CONNECT', 'TRACE', 'TRACK'];

/** Why `origin` can never equal a browser's `Origin` header, or undefined. */
export function originProblem(origin: string): string | undefined {
  if (typeof origin !== 'string') return 'must be a string';
  if (origin === 'null') return 'is the opaque origin (sandboxed frames, file: pages): any such page could claim it';
  const m = ORIGIN.exec(origin);
  if (!m) {
    if (origin.toLowerCase() !== origin && ORIGIN.test(origin.toLowerCase())) return `has upper-case letters, but browsers send the origin lowercase; write ${JSON.stringify(origin.toLowerCase())}`;
    if (/^https?:\/\/[^/]+\/.*$/.test(origin)) return 'has a path, but an origin is scheme://host[:port] only; drop everything after the host';
    return 'is not an origin scheme://host[:port] (http or https)';
  }
  const [, scheme, , port] = m;
  if (port !== undefined) {
    if (DEFAULT_PORTS[scheme] === port) return `names the default port of ${scheme}, which browsers leave out; write ${JSON.stringify(origin.slice(0, -port.length - 1))}`;
    if (Number(port) < 1 || Number(port) > 65535 || /^0/.test(port)) return 'has a port outside 1..65535 (or with a leading zero)';
  }
  return undefined;
}

function requireTokens(scope: IConstruct, field: string, values: string[] | undefined, fallback: string[]): string[] {
  if (values === undefined) return fallback;
  if (!Array.isArray(values)) return invalid(scope, field, values, 'must be a list');
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (typeof v !== 'string' || !TOKEN.test(v)) invalid(scope, `${field}[${i}]`, v, 'is not an HTTP token (letters, digits, !#$%&\'*+.^_`|~-)');
    if (v === '*') invalid(scope, `${field}[${i}]`, v, 'is a wildcard, which browsers ignore on credentialed requests and this gateway does not render', 'list the names');
    const key = v.toLowerCase();
    if (seen.has(key)) invalid(scope, `${field}[${i}]`, v, 'is listed twice (names compare case-insensitively)');
    seen.add(key);
  });
  return [...values];
}

/** Checks a route's CORS options; `field` is the route's field prefix for messages. */
export function corsRules(scope: IConstruct, field: string, options: CorsOptions): CorsRules {
  const origins = options.allowOrigins;
  if (!Array.isArray(origins) || origins.length === 0) {
    return invalid(scope, `${field}.allowOrigins`, origins, 'must list at least one origin', 'e.g. ["https://app.example.com"]');
  }
  const credentials = options.allowCredentials ?? false;
  const wildcard = origins.includes('*');
  if (wildcard && origins.length > 1) invalid(scope, `${field}.allowOrigins`, origins, 'mixes "*" with exact origins', 'use ["*"] alone, or only exact origins');
  if (wildcard && credentials) {
    invalid(scope, `${field}.allowOrigins`, origins, 'is "*" with allowCredentials: browsers refuse a wildcard origin on credentialed requests, and echoing any origin back would let every site act as the user',
      'list the exact origins that may send credentials, or set allowCredentials: false');
  }
  if (!wildcard) {
    const seen = new Set<string>();
    origins.forEach((o, i) => {
      const problem = originProblem(o);
      if (problem) invalid(scope, `${field}.allowOrigins[${i}]`, o, problem);
      if (seen.has(o)) invalid(scope, `${field}.allowOrigins[${i}]`, o, 'is listed twice');
      seen.add(o);
    });
  }
  const methods = requireTokens(scope, `${field}.allowMethods`, options.allowMethods, ['GET', 'HEAD', 'POST']);
  methods.forEach((m, i) => {
    if (m !== m.toUpperCase()) invalid(scope, `${field}.allowMethods[${i}]`, m, 'is not upper-case, but methods compare case-sensitively', `write ${JSON.stringify(m.toUpperCase())}`);
    if (FORBIDDEN_METHODS.includes(m)) invalid(scope, `${field}.allowMethods[${i}]`, m, 'is a method browsers forbid pages to send');
  });
  const maxAgeSeconds = requireSeconds(scope, `${field}.maxAge`, options.maxAge ?? Duration.minutes(10), { min: 0, max: 86400 });
  return {
    origins: wildcard ? undefined : [...origins],
    methods,
    headers: requireTokens(scope, `${field}.allowHeaders`, options.allowHeaders, []),
    expose: requireTokens(scope, `${field}.exposeHeaders`, options.exposeHeaders, []),
    credentials,
    maxAgeSeconds,
  };
}
