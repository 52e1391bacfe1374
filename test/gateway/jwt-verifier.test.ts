/**
 * The gateway's token verifier (src/auth) on its own: its settings, OIDC discovery, and how it fails when the issuer
 * cannot be reached (closed: 500 to nginx, not ready). The accept/refuse paths behind a real nginx are in
 * nginx.integration.test.ts.
 */
import * as http from 'http';
import * as net from 'net';
import * as jose from 'jose';
import { main } from '../../src/cli';
import { claimHeaderValue, startVerifier } from '../../src/auth/jwt-verifier';
import { VerifierSettingsError, readSettings } from '../../src/auth/settings';

const BASE = { JWT_ISSUER: 'https://login.example.com', JWT_AUDIENCE: 'api' };

function get(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers }));
    }).on('error', reject);
  });
}

/** An issuer serving OIDC metadata (with the issuer it claims) and its keys; `down` makes both answer 503. */
async function issuerServer(claimed?: (self: string) => string) {
  const key = await jose.generateKeyPair('ES256');
  const jwk = { ...(await jose.exportJWK(key.publicKey)), kid: 'e1', alg: 'ES256' };
  const state = { down: false, url: '' };
  const server = http.createServer((req, res) => {
    const docs: { [path: string]: unknown } = {
      '/.well-known/openid-configuration': { issuer: claimed ? claimed(state.url) : state.url, jwks_uri: `${state.url}/jwks` },
      '/jwks': { keys: [jwk] },
    };
    res.statusCode = state.down ? 503 : docs[req.url ?? ''] ? 200 : 404;
    res.end(JSON.stringify(state.down ? {} : docs[req.url ?? ''] ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { server, key, state };
}

describe('jwt-verifier settings', () => {
  test('defaults, and the settings the gateway passes', () => {
    expect(readSettings(BASE)).toEqual({
      issuer: 'https://login.example.com', audience: 'api', jwksUrl: undefined, algorithms: ['RS256'], clockToleranceSeconds: 30,
      claimHeaders: { 'X-Auth-Subject': 'sub' }, host: '127.0.0.1', port: 8089,
    });
    expect(readSettings({ ...BASE, JWT_ALGORITHMS: 'ES256,EdDSA', JWT_CLAIM_HEADERS: '{"X-Mail":"email"}', JWT_VERIFIER_LISTEN: '0.0.0.0:9000' }))
      .toMatchObject({ algorithms: ['ES256', 'EdDSA'], claimHeaders: { 'X-Mail': 'email' }, host: '0.0.0.0', port: 9000 });
  });

  test.each([
    [{ JWT_AUDIENCE: 'api' }, 'JWT_ISSUER (unset) must be an https URL'],
    [{ ...BASE, JWT_ISSUER: 'http://login.example.com' }, 'JWT_ISSUER ("http://login.example.com") must be an https URL'],
    [{ ...BASE, JWT_AUDIENCE: '' }, 'JWT_AUDIENCE ("") must name the audience tokens are issued for'],
    [{ ...BASE, JWT_ALGORITHMS: 'RS256,HS256' }, 'JWT_ALGORITHMS ("RS256,HS256") lists "HS256"; accepted: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA'],
    [{ ...BASE, JWT_CLOCK_TOLERANCE_SECONDS: '1.5' }, 'JWT_CLOCK_TOLERANCE_SECONDS ("1.5") must be whole seconds (0-999)'],
    [{ ...BASE, JWT_CLAIM_HEADERS: '{' }, 'JWT_CLAIM_HEADERS ("{") must be a JSON object {"<header>": "<claim>"}'],
    [{ ...BASE, JWT_CLAIM_HEADERS: '{"X Sub":"sub"}' }, 'JWT_CLAIM_HEADERS ("{\\"X Sub\\":\\"sub\\"}") must be a JSON object {"<header>": "<claim>"} of header names (letters, digits, "-") and claim names'],
    [{ ...BASE, JWT_VERIFIER_LISTEN: '8089' }, 'JWT_VERIFIER_LISTEN ("8089") must be host:port'],
  ])('refuses %j', (env, message) => {
    expect(() => readSettings(env)).toThrow(VerifierSettingsError);
    expect(() => readSettings(env)).toThrow(message);
  });

  test('the CLI says what is wrong and exits 2 without starting', () => {
    const saved = { ...process.env };
    const errors: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (errors.push(String(chunk)), true));
    try {
      delete process.env.JWT_ISSUER;
      process.env.JWT_AUDIENCE = 'api';
      expect(main(['jwt-verifier'])).toBe(2);
      expect(errors.join('')).toBe('platform-blueprints jwt-verifier: JWT_ISSUER (unset) must be an https URL\n');
    } finally {
      write.mockRestore();
      process.env = saved;
    }
  });

  test('claims as header values: printable ASCII as it is, anything else as ASCII JSON', () => {
    expect(claimHeaderValue('user-42')).toBe('user-42');
    expect(claimHeaderValue('zoë')).toBe('"zo\\u00eb"');
    expect(claimHeaderValue('a\r\nX-Admin: 1')).toBe('"a\\r\\nX-Admin: 1"');
    expect(claimHeaderValue(['a', 'b'])).toBe('["a","b"]');
    expect(claimHeaderValue(7)).toBe('7');
    expect(claimHeaderValue(undefined)).toBeUndefined();
  });
});

describe('jwt-verifier with an issuer', () => {
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);

  test('discovers the keys, verifies, and fails closed (500, not ready) while the issuer is down', async () => {
    const idp = await issuerServer();
    const verifier = startVerifier({ ...readSettings({ JWT_ISSUER: 'https://x', JWT_AUDIENCE: 'api', JWT_ALGORITHMS: 'ES256', JWT_VERIFIER_LISTEN: '127.0.0.1:0' }), issuer: idp.state.url }, log);
    try {
      const port = await verifier.listening;
      idp.state.down = true;
      expect((await get(port, '/ready')).status).toBe(503);
      const jwt = await new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'e1' }).setIssuer(idp.state.url).setAudience('api')
        .setSubject('u1').setExpirationTime('1m').sign(idp.key.privateKey);
      expect((await get(port, '/verify/required', { authorization: `Bearer ${jwt}` })).status).toBe(500);
      expect(logs.join('\n')).toContain('jwt-verifier: cannot check tokens:');
      idp.state.down = false;
      expect((await get(port, '/ready')).status).toBe(200);
      const ok = await get(port, '/verify/required', { authorization: `Bearer ${jwt}` });
      expect([ok.status, ok.headers['x-auth-subject']]).toEqual([200, 'u1']);
      // A token without an expiry is refused: tokens must end.
      const endless = await new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'e1' }).setIssuer(idp.state.url).setAudience('api').sign(idp.key.privateKey);
      expect((await get(port, '/verify/optional', { authorization: `Bearer ${endless}` })).headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="the token has no exp claim"');
      expect((await get(port, '/verify/optional')).status).toBe(200);
      expect((await get(port, '/healthz')).status).toBe(200);
      expect((await get(port, '/elsewhere')).status).toBe(404);
    } finally {
      await verifier.close();
      idp.server.closeAllConnections();
      idp.server.close();
    }
  });

  test('an issuer whose discovery document names another issuer is not trusted', async () => {
    const idp = await issuerServer(() => 'https://impostor.example');
    const verifier = startVerifier({ ...readSettings({ JWT_ISSUER: 'https://x', JWT_AUDIENCE: 'api', JWT_VERIFIER_LISTEN: '127.0.0.1:0' }), issuer: idp.state.url }, log);
    try {
      const port = await verifier.listening;
      expect((await get(port, '/ready')).status).toBe(503);
      expect(logs.join('\n')).toContain(`names issuer "https://impostor.example", not "${idp.state.url}" (OIDC Discovery requires them equal)`);
    } finally {
      await verifier.close();
      idp.server.closeAllConnections();
      idp.server.close();
    }
  });
});
