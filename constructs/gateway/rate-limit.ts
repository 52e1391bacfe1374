/**
 * Rate limits of gateway routes (nginx `limit_req`, a leaky bucket per client address and route) and the client
 * address they count by.
 *
 * Behind Knative the gateway never sees the client's connection: queue-proxy forwards every request from 127.0.0.1,
 * after the ingress (Kourier's Envoy) and possibly the activator. Envoy appends the address of the peer it accepted the
 * connection from to `X-Forwarded-For`, and each proxy after it appends its own peer. nginx's realip module walks that
 * header from the right, skipping addresses of trusted proxies, and takes the first untrusted one: the address Envoy
 * saw. Entries a client wrote itself sit to the left of it and are never reached, so a client cannot choose the
 * address it is counted as — unless its own address is trusted (a pod calling through the ingress from inside the
 * trusted ranges), whose requests are counted by what it wrote.
 */
import { isIP } from 'net';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requireInteger } from '../core/validate';

export interface RateLimit {
  /**
   * Sustained requests per second allowed to one client address on this route. Set this or `requestsPerMinute`.
   * @default - none; requestsPerMinute applies
   */
  readonly requestsPerSecond?: number;
  /**
   * Sustained requests per minute allowed to one client address on this route. Set this or `requestsPerSecond`.
   * @default - none; requestsPerSecond applies
   */
  readonly requestsPerMinute?: number;
  /**
   * Requests above the rate served at once before refusing (nginx `burst`, served without delay).
   * @default 0 - a request faster than the rate is refused
   */
  readonly burst?: number;
}

/** A checked rate limit, ready to render. */
export interface RateLimitRule {
  /** nginx rate, `10r/s` or `30r/m`. */
  readonly rate: string;
  readonly burst: number;
  /** Seconds until the bucket admits the next request: the Retry-After of a refusal. */
  readonly retryAfterSeconds: number;
}

/**
 * Addresses trusted to report the client in `X-Forwarded-For` by default: loopback (queue-proxy) and the private
 * ranges pod networks are carved from (RFC 1918, RFC 6598 shared space, IPv6 unique-local).
 */
export const DEFAULT_TRUSTED_PROXIES = ['127.0.0.1/32', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/** nginx keeps rates as an integer of thousandths of a request per millisecond: anything above overflows nothing here. */
const MAX_RATE = 1_000_000;

export function rateLimitRule(scope: IConstruct, field: string, limit: RateLimit): RateLimitRule {
  const perSecond = limit.requestsPerSecond;
  const perMinute = limit.requestsPerMinute;
  if ((perSecond === undefined) === (perMinute === undefined)) {
    return invalid(scope, field, limit, 'must set exactly one of requestsPerSecond and requestsPerMinute');
  }
  const burst = requireInteger(scope, `${field}.burst`, limit.burst ?? 0, { min: 0, max: MAX_RATE });
  if (perSecond !== undefined) {
    const n = requireInteger(scope, `${field}.requestsPerSecond`, perSecond, { min: 1, max: MAX_RATE });
    return { rate: `${n}r/s`, burst, retryAfterSeconds: 1 };
  }
  const n = requireInteger(scope, `${field}.requestsPerMinute`, perMinute, { min: 1, max: MAX_RATE });
  return { rate: `${n}r/m`, burst, retryAfterSeconds: Math.ceil(60 / n) };
}

/** Checks the trusted proxy ranges (`address/prefix`, IPv4 or IPv6); returns them. */
export function trustedProxies(scope: IConstruct, field: string, cidrs: string[]): string[] {
  if (!Array.isArray(cidrs)) return invalid(scope, field, cidrs, 'must be a list of CIDR ranges');
  cidrs.forEach((cidr, i) => {
    const [address, prefix, ...rest] = typeof cidr === 'string' ? cidr.split('/') : [];
    const family = address === undefined ? 0 : isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (!family || rest.length || prefix === undefined || !/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > bits) {
      invalid(scope, `${field}[${i}]`, cidr, 'is not a CIDR range address/prefix (IPv4 or IPv6)', 'e.g. "10.244.0.0/16", the cluster\'s pod range');
    }
    if (Number(prefix) === 0) {
      invalid(scope, `${field}[${i}]`, cidr, 'trusts every address: any client could then name the address it is counted as in X-Forwarded-For',
        'list the ranges of the ingress and the cluster\'s pods');
    }
  });
  return [...cidrs];
}
