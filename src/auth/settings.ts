/**
 * The settings of `platform-blueprints jwt-verifier`, read from its environment (the gateway's sidecar gets them from
 * ApiGateway `auth`, constructs/gateway/auth.ts `verifierEnvironment`).
 */
import { JWT_ALGORITHMS } from '../../constructs/gateway/jwt-algorithms';

export interface VerifierSettings {
  readonly issuer: string;
  readonly audience: string;
  /** The JWKS URL; undefined: discovered from the issuer's OIDC configuration. */
  readonly jwksUrl?: string;
  readonly algorithms: string[];
  readonly clockToleranceSeconds: number;
  /** Response header → claim name. */
  readonly claimHeaders: { [header: string]: string };
  readonly host: string;
  readonly port: number;
}

/** A bad setting: names the variable, the value and the rule. */
export class VerifierSettingsError extends Error {
  public constructor(variable: string, value: string | undefined, rule: string) {
    super(`${variable} (${value === undefined ? 'unset' : JSON.stringify(value)}) ${rule}`);
    this.name = 'VerifierSettingsError';
  }
}

function url(variable: string, value: string | undefined, allowHttp: boolean): string {
  let parsed: URL | undefined;
  try {
    parsed = value ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!parsed || !schemes.includes(parsed.protocol)) throw new VerifierSettingsError(variable, value, `must be an ${allowHttp ? 'http(s)' : 'https'} URL`);
  return value as string;
}

/**
 * Reads the settings. `JWT_ALLOW_HTTP=true` accepts http:// issuer and JWKS URLs (a local test issuer); the
 * gateway never sets it.
 */
export function readSettings(env: NodeJS.ProcessEnv): VerifierSettings {
  const allowHttp = env.JWT_ALLOW_HTTP === 'true';
  const issuer = url('JWT_ISSUER', env.JWT_ISSUER, allowHttp);
  const audience = env.JWT_AUDIENCE;
  if (!audience) throw new VerifierSettingsError('JWT_AUDIENCE', audience, 'must name the audience tokens are issued for');
  const jwksUrl = env.JWT_JWKS_URL ? url('JWT_JWKS_URL', env.JWT_JWKS_URL, allowHttp) : undefined;
  const algorithms = (env.JWT_ALGORITHMS ?? 'RS256').split(',').map((a) => a.trim());
  for (const a of algorithms) {
    if (!JWT_ALGORITHMS.includes(a)) throw new VerifierSettingsError('JWT_ALGORITHMS', env.JWT_ALGORITHMS, `lists ${JSON.stringify(a)}; accepted: ${JWT_ALGORITHMS.join(', ')}`);
  }
  const tolerance = env.JWT_CLOCK_TOLERANCE_SECONDS ?? '30';
  if (!/^[0-9]{1,3}$/.test(tolerance)) throw new VerifierSettingsError('JWT_CLOCK_TOLERANCE_SECONDS', tolerance, 'must be whole seconds (0-999)');
  let claimHeaders: { [header: string]: string };
  try {
    claimHeaders = JSON.parse(env.JWT_CLAIM_HEADERS ?? '{"X-Auth-Subject":"sub"}');
  } catch {
    throw new VerifierSettingsError('JWT_CLAIM_HEADERS', env.JWT_CLAIM_HEADERS, 'must be a JSON object {"<header>": "<claim>"}');
  }
  if (typeof claimHeaders !== 'object' || claimHeaders === null || Array.isArray(claimHeaders)
    || Object.entries(claimHeaders).some(([h, c]) => !/^[A-Za-z0-9-]+$/.test(h) || typeof c !== 'string' || c === '')) {
    throw new VerifierSettingsError('JWT_CLAIM_HEADERS', env.JWT_CLAIM_HEADERS, 'must be a JSON object {"<header>": "<claim>"} of header names (letters, digits, "-") and claim names');
  }
  const listen = env.JWT_VERIFIER_LISTEN ?? '127.0.0.1:8089';
  const m = /^(.+):([0-9]{1,5})$/.exec(listen);
  if (!m || Number(m[2]) > 65535) throw new VerifierSettingsError('JWT_VERIFIER_LISTEN', listen, 'must be host:port');
  return {
    issuer, audience, jwksUrl, algorithms, clockToleranceSeconds: Number(tolerance), claimHeaders, host: m[1], port: Number(m[2]),
  };
}
