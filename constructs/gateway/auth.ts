/**
 * Authentication of gateway requests with JSON Web Tokens (OIDC access or ID tokens, or any issuer publishing a JWKS).
 *
 * nginx does no cryptography here: each protected request makes an `auth_request` subrequest to a verifier sidecar
 * in the gateway pod (`platform-blueprints jwt-verifier`, src/auth/, built on the `jose` library), which checks the
 * bearer token's signature against the issuer's JWKS, its issuer, audience, algorithm and lifetime, and answers 200
 * with the claims the functions receive as headers, or 401 with `WWW-Authenticate`.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requireSeconds } from '../core/durations';
import { resourcesToKube } from '../core/quantity';
import { restrictedContainerSecurityContext } from '../core/security';
import { requireImage } from '../core/validate';
import { PIPELINE_IMAGE } from '../kratix/image';
import { JWT_ALGORITHMS } from './jwt-algorithms';

/** Whether a route needs a valid token. */
export class AuthMode {
  /** A valid bearer token is required: none or an invalid one is answered 401. */
  public static readonly REQUIRED = new AuthMode('required');
  /** A token is checked when sent (an invalid one is answered 401); without one the request passes anonymously. */
  public static readonly OPTIONAL = new AuthMode('optional');
  /** No check; identity headers a client sends are still removed. */
  public static readonly NONE = new AuthMode('none');

  private constructor(public readonly name: string) {}
}

/** A token claim passed to the functions as a request header. */
export interface ClaimHeader {
  /** Claim name in the token's payload, e.g. `sub`, `email`. */
  readonly claim: string;
  /** Request header the function receives it in, e.g. `X-Auth-Subject`. Client-sent copies are always removed. */
  readonly header: string;
}

export interface JwtAuthOptions {
  /** The token issuer (`iss`) exactly as the provider writes it, an https URL (e.g. `https://accounts.example.com/realms/web`). */
  readonly issuer: string;
  /** The audience (`aud`) tokens must be issued for, e.g. the API's client id or resource URL. */
  readonly audience: string;
  /**
   * Where the issuer publishes its signing keys (JWKS, https).
   * @default - discovered from `<issuer>/.well-known/openid-configuration` (OIDC Discovery) when the verifier starts
   */
  readonly jwksUrl?: string;
  /**
   * Signature algorithms accepted (asymmetric only: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA).
   * @default ['RS256']
   */
  readonly algorithms?: string[];
  /**
   * Leeway for clock skew when checking `exp`, `nbf` and `iat` (whole seconds).
   * @default Duration.seconds(30)
   */
  readonly clockTolerance?: Duration;
  /**
   * Claims passed to the functions as headers.
   * @default - `sub` as `X-Auth-Subject`
   */
  readonly claimHeaders?: ClaimHeader[];
  /**
   * Image of the verifier sidecar: this package's image, which runs `platform-blueprints jwt-verifier`.
   * @default - the package's image of this version (the Kratix pipeline image)
   */
  readonly image?: string;
  /**
   * Resources of the verifier sidecar (Node with the package loaded: about 85 MiB resident).
   * @default - cpu request 50m; memory request 96Mi, limit 192Mi
   */
  readonly resources?: kplus.ContainerResources;
}


/** Port the verifier listens on, on the pod's loopback only (not a Knative-reserved port). */
export const VERIFIER_PORT = 8089;

/** Headers a claim may not be written into: the proxy or the protocol owns them. */
const RESERVED_HEADERS = ['host', 'authorization', 'connection', 'upgrade', 'content-length', 'transfer-encoding', 'te', 'trailer',
  'keep-alive', 'proxy-authorization', 'cookie', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'expect'];
const HEADER_NAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

/** The checked settings of the verifier; the environment of its container. */
export interface JwtAuthSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string;
  readonly algorithms: string[];
  readonly clockToleranceSeconds: number;
  readonly claimHeaders: ClaimHeader[];
}

function requireHttpsUrl(scope: IConstruct, field: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password || url.hash) {
    return invalid(scope, field, value, 'must be an https URL without credentials or fragment', 'e.g. "https://login.example.com/realms/web"');
  }
  return value as string;
}

export function jwtAuthSettings(scope: IConstruct, field: string, options: JwtAuthOptions): JwtAuthSettings {
  const issuer = requireHttpsUrl(scope, `${field}.issuer`, options.issuer);
  if (typeof options.audience !== 'string' || options.audience.trim() === '' || options.audience.trim() !== options.audience) {
    invalid(scope, `${field}.audience`, options.audience, 'must be a non-empty string without surrounding spaces', 'the API\'s client id or resource URL, as the provider writes it in `aud`');
  }
  const jwksUrl = options.jwksUrl === undefined ? undefined : requireHttpsUrl(scope, `${field}.jwksUrl`, options.jwksUrl);
  const algorithms = options.algorithms ?? ['RS256'];
  if (!Array.isArray(algorithms) || algorithms.length === 0) invalid(scope, `${field}.algorithms`, algorithms, 'must list at least one algorithm');
  algorithms.forEach((a, i) => {
    if (!JWT_ALGORITHMS.includes(a)) {
      invalid(scope, `${field}.algorithms[${i}]`, a, /^HS/.test(String(a)) ? 'is symmetric: the verifier would need the signing secret, and anyone holding it could mint tokens'
        : 'is not an asymmetric JWS algorithm the verifier accepts', `use one of ${JWT_ALGORITHMS.join(', ')}`);
    }
  });
  if (new Set(algorithms).size !== algorithms.length) invalid(scope, `${field}.algorithms`, algorithms, 'lists an algorithm twice');
  const clockToleranceSeconds = requireSeconds(scope, `${field}.clockTolerance`, options.clockTolerance ?? Duration.seconds(30), { min: 0, max: 300 });
  const claimHeaders = options.claimHeaders ?? [{ claim: 'sub', header: 'X-Auth-Subject' }];
  if (!Array.isArray(claimHeaders)) invalid(scope, `${field}.claimHeaders`, claimHeaders, 'must be a list of { claim, header }');
  const seen = new Map<string, number>();
  claimHeaders.forEach((c, i) => {
    if (typeof c?.claim !== 'string' || c.claim === '' || !/^[\x21-\x7e]+$/.test(c.claim)) {
      invalid(scope, `${field}.claimHeaders[${i}].claim`, c?.claim, 'must be a claim name of printable ASCII without spaces');
    }
    // nginx reads the verifier's answer through $upstream_http_<name>: letters, digits and "-" only.
    if (typeof c.header !== 'string' || !HEADER_NAME.test(c.header)) invalid(scope, `${field}.claimHeaders[${i}].header`, c.header, 'must be a header name of letters, digits and "-"', 'e.g. "X-Auth-Email"');
    const key = c.header.toLowerCase();
    if (RESERVED_HEADERS.includes(key)) invalid(scope, `${field}.claimHeaders[${i}].header`, c.header, 'is a header the proxy or the protocol owns', 'use a name of your own, e.g. X-Auth-Email');
    if (seen.has(key)) invalid(scope, `${field}.claimHeaders[${i}].header`, c.header, `is also claimHeaders[${seen.get(key)}].header (names compare case-insensitively)`);
    seen.set(key, i);
  });
  return { issuer, audience: options.audience, jwksUrl, algorithms: [...algorithms], clockToleranceSeconds, claimHeaders: claimHeaders.map((c) => ({ claim: c.claim, header: c.header })) };
}

/** The verifier's environment (src/auth/settings.ts reads it). */
export function verifierEnvironment(settings: JwtAuthSettings, port: number): { [name: string]: string } {
  return {
    JWT_ISSUER: settings.issuer,
    JWT_AUDIENCE: settings.audience,
    ...(settings.jwksUrl ? { JWT_JWKS_URL: settings.jwksUrl } : {}),
    JWT_ALGORITHMS: settings.algorithms.join(','),
    JWT_CLOCK_TOLERANCE_SECONDS: String(settings.clockToleranceSeconds),
    JWT_CLAIM_HEADERS: JSON.stringify(Object.fromEntries(settings.claimHeaders.map((c) => [c.header, c.claim]))),
    JWT_VERIFIER_LISTEN: `127.0.0.1:${port}`,
  };
}

const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50) },
  memory: { request: Size.mebibytes(96), limit: Size.mebibytes(192) },
};

/** Where the package's CLI sits in its image (docker/pipeline/Dockerfile). */
const CLI_IN_IMAGE = '/opt/platform-blueprints/node_modules/platform-blueprints/lib/src/cli.js';

/** The verifier sidecar container of the gateway pod: restricted, resources set, no ports (Knative sidecars have none). */
export function verifierContainer(scope: IConstruct, field: string, options: JwtAuthOptions, settings: JwtAuthSettings): object {
  const image = requireImage(scope, `${field}.image`, options.image ?? PIPELINE_IMAGE);
  const resources = resourcesToKube(scope, `${field}.resources`, options.resources ?? DEFAULT_RESOURCES);
  return {
    name: 'jwt-verifier',
    image,
    command: ['node', CLI_IN_IMAGE, 'jwt-verifier'],
    env: Object.entries(verifierEnvironment(settings, VERIFIER_PORT)).map(([name, value]) => ({ name, value })),
    resources: { requests: resources.requests, limits: resources.limits },
    // The image's user (65532) runs it; Node writes nothing, so the root filesystem stays read-only.
    securityContext: restrictedContainerSecurityContext({ user: 65532 }),
  };
}
