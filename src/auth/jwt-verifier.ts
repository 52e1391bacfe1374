/**
 * `platform-blueprints jwt-verifier`: the token check behind the gateway's nginx `auth_request`. It runs as a sidecar
 * in the gateway pod, listening on the pod's loopback; nginx sends it the headers of each protected request.
 *
 *   GET /verify/required   200 + claim headers for a valid bearer token; 401 + WWW-Authenticate without one or
 *                          with an invalid one
 *   GET /verify/optional   as required, but 200 without claim headers when no token is sent
 *   GET /ready             200 once the issuer's keys were fetched (the gateway's readiness goes through it)
 *   GET /healthz           200 while the process serves
 *
 * Signatures, algorithms, `iss`, `aud`, `exp`, `nbf` are checked by the `jose` library (`jwtVerify` against the
 * issuer's remote JWKS, which it caches and refetches when a token names an unknown key). The JWKS URL is given, or
 * read from the issuer's OpenID Provider metadata (OIDC Discovery 1.0 §4: `<issuer>/.well-known/openid-configuration`,
 * whose `issuer` must equal the configured one). When the keys cannot be fetched the verifier answers 500: nginx then
 * refuses the request (fails closed).
 */
import * as http from 'http';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { VerifierSettings } from './settings';

/** Gives up on the issuer (discovery, JWKS) after this long: nginx waits 10 s for an answer. */
const FETCH_TIMEOUT_MS = 5000;

/** The `WWW-Authenticate` challenge of RFC 6750 §3 for a refusal. */
function challenge(error?: string, description?: string): string {
  const params = ['realm="api"'];
  if (error) params.push(`error="${error}"`);
  if (description) params.push(`error_description="${description.replace(/["\\]/g, '')}"`);
  return `Bearer ${params.join(', ')}`;
}

/** A claim as a header value: printable ASCII as it is, anything else (objects, arrays, other text) as ASCII JSON. */
export function claimHeaderValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && /^[\x20-\x7e]*$/.test(value)) return value;
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why a token was refused, for the client (the error_description of the challenge). */
function refusal(e: unknown): string | undefined {
  if (e instanceof errors.JWTExpired) return 'the token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return e.reason === 'missing' ? `the token has no ${e.claim} claim` : `the token's ${e.claim} claim is not accepted`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'the token\'s signature does not verify';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'the token\'s algorithm is not accepted';
  if (e instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  if (e instanceof errors.JWKSMultipleMatchingKeys) return 'the token matches more than one key of the issuer';
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid || e instanceof errors.JOSENotSupported) return 'the token is malformed';
  // Anything else (the JWKS could not be fetched or read, a timeout) is the verifier's failure, not the token's.
  return undefined;
}

async function fetchJson(url: string): Promise<any> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** The JWKS URL: configured, or from the issuer's OpenID Provider metadata. */
export async function discoverJwksUrl(settings: VerifierSettings): Promise<string> {
  if (settings.jwksUrl) return settings.jwksUrl;
  const metadataUrl = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const metadata = await fetchJson(metadataUrl);
  if (metadata?.issuer !== settings.issuer) {
    throw new Error(`${metadataUrl} names issuer ${JSON.stringify(metadata?.issuer)}, not ${JSON.stringify(settings.issuer)} (OIDC Discovery requires them equal)`);
  }
  if (typeof metadata.jwks_uri !== 'string') throw new Error(`${metadataUrl} has no jwks_uri`);
  return metadata.jwks_uri;
}

export interface Verifier {
  readonly server: http.Server;
  /** Resolves once listening; the port it listens on. */
  readonly listening: Promise<number>;
  close(): Promise<void>;
}

/** Starts the verifier's HTTP server. */
export function startVerifier(settings: VerifierSettings, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Verifier {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  let pending: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  // Discovery is retried on the next request when it fails (the issuer may come up after the gateway).
  const jwks = () => {
    if (keys) return Promise.resolve(keys);
    pending ??= discoverJwksUrl(settings).then((url) => {
      keys = createRemoteJWKSet(new URL(url), { timeoutDuration: FETCH_TIMEOUT_MS });
      log(`jwt-verifier: keys of ${settings.issuer} from ${url}`);
      return keys;
    }).finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const answer = (res: http.ServerResponse, status: number, headers: { [name: string]: string } = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain', 'cache-control': 'no-store', ...headers });
    res.end(status === 200 ? '' : `${http.STATUS_CODES[status]}\n`);
  };

  const verify = async (req: http.IncomingMessage, res: http.ServerResponse, required: boolean) => {
    const authorization = req.headers.authorization;
    if (authorization === undefined) {
      return required ? answer(res, 401, { 'www-authenticate': challenge() }) : answer(res, 200);
    }
    const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization);
    if (!m) return answer(res, 401, { 'www-authenticate': challenge('invalid_request', 'the Authorization header is not a Bearer token') });
    try {
      const { payload } = await jwtVerify(m[1], await jwks(), {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: settings.algorithms,
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ['exp'],
      });
      const headers: { [name: string]: string } = {};
      for (const [header, claim] of Object.entries(settings.claimHeaders)) {
        const value = claimHeaderValue(payload[claim]);
        if (value !== undefined) headers[header] = value;
      }
      return answer(res, 200, headers);
    } catch (e) {
      const why = refusal(e);
      if (why) return answer(res, 401, { 'www-authenticate': challenge('invalid_token', why) });
      log(`jwt-verifier: cannot check tokens: ${(e as Error)?.message ?? String(e)}`);
      return answer(res, 500);
    }
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405);
    if (path === '/healthz') return answer(res, 200);
    if (path === '/ready') {
      return jwks().then((set) => (set.fresh || set.jwks() ? undefined : set.reload())).then(() => answer(res, 200), (e) => {
        log(`jwt-verifier: not ready: ${(e as Error)?.message ?? String(e)}`);
        answer(res, 503);
      });
    }
    if (path === '/verify/required' || path === '/verify/optional') {
      return verify(req, res, path === '/verify/required').catch((e) => {
        log(`jwt-verifier: ${(e as Error)?.message ?? String(e)}`);
        if (!res.headersSent) answer(res, 500);
      });
    }
    return answer(res, 404);
  });
  const listening = new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve((server.address() as import('net').AddressInfo).port));
  });
  return {
    server,
    listening,
    // Stops accepting, lets requests in flight finish, and drops idle keep-alive connections (nginx's, none by default).
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
