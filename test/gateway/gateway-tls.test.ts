/**
 * A public entrypoint's custom domain with TLS (constructs/gateway/domain.ts): the objects (DomainMapping, cert-manager
 * Certificate, ClusterDomainClaim) validated strictly, what the plan derives from them (installs, order), the managed
 * gateway's nginx part, the bundle prop, and the input rules — those of Knative Serving 1.22's DomainMapping webhook
 * (pkg/apis/serving/v1beta1/domainmapping_validation.go: a fully qualified name, not under the cluster's local domain,
 * the ref in the mapping's own namespace) and cert-manager's (issuer reference, HSTS preload requirements).
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  ApiGateway, CertificateIssuer, ClusterInstall, DeploymentPlan, Frontend, FunctionsPlatform, KnativeFunction, PlatformContext, PublicDomain,
  PublicDomainOptions,
} from '../../constructs';
import { findObject, synthValid, testChart, validationError, validatorFor } from '../support/k8s';

const LETSENCRYPT = CertificateIssuer.clusterIssuer('letsencrypt');

function gatewayWith(domain: Partial<PublicDomainOptions>, context: { [key: string]: string } = {}) {
  const { app, chart } = testChart('web', context);
  const fn = new KnativeFunction(chart, 'score', { image: 'ghcr.io/example/score:1' });
  const gateway = new ApiGateway(chart, 'gateway', { domain: { domain: 'api.example.com', issuer: LETSENCRYPT, ...domain } as PublicDomainOptions });
  gateway.route('/api/score', fn);
  return { app, chart, gateway };
}

describe('ApiGateway with a custom domain', () => {
  const { app, chart, gateway } = gatewayWith({});
  const objects = synthValid(chart);
  const mapping = findObject(objects, 'DomainMapping', 'api.example.com');
  const certificate = findObject(objects, 'Certificate', 'api.example.com');
  const claim = findObject(objects, 'ClusterDomainClaim', 'api.example.com');
  const nginx = findObject(objects, 'ConfigMap', 'gateway-nginx').data['nginx.conf'];

  test('a DomainMapping named after the domain, in the gateway\'s namespace, serving the certificate\'s Secret', () => {
    expect(mapping).toEqual({
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name: 'api.example.com', namespace: 'web', annotations: { 'networking.knative.dev/http-protocol': 'redirected' } },
      spec: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'gateway', namespace: 'web' },
        tls: { secretName: 'api.example.com-tls' },
      },
    });
    expect(gateway.domain?.url).toBe('https://api.example.com');
  });

  test('a cert-manager Certificate for the domain from the given issuer, its Secret labelled for kourier', () => {
    expect(certificate.apiVersion).toBe('cert-manager.io/v1');
    expect(certificate.metadata).toEqual({ name: 'api.example.com', namespace: 'web' });
    expect(certificate.spec).toMatchObject({
      dnsNames: ['api.example.com'],
      secretName: mapping.spec.tls.secretName,
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
    expect(Object.keys(certificate.spec.secretTemplate.labels)).toEqual(['networking.internal.knative.dev/certificate-uid']);
  });

  test('the domain is claimed for the namespace (cluster-scoped ClusterDomainClaim)', () => {
    expect(claim).toEqual({
      apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'ClusterDomainClaim', metadata: { name: 'api.example.com' }, spec: { namespace: 'web' },
    });
  });

  test('the plan asks for cert-manager and creates the mapping after its certificate, claim and Knative Service', () => {
    const plan = DeploymentPlan.of(app);
    expect(plan.requires(ClusterInstall.CERT_MANAGER)).toBe(true);
    const planned = (kind: string, name: string) => plan.objects.find((o) => o.manifest.kind === kind && o.manifest.metadata.name === name)!;
    expect(planned('Certificate', 'api.example.com').installs).toEqual(['cert-manager']);
    expect(planned('ClusterDomainClaim', 'api.example.com').installs).toEqual(['knative-serving']);
    expect(planned('DomainMapping', 'api.example.com').dependsOn.sort()).toEqual([
      'cert-manager.io/v1 Certificate web/api.example.com',
      'networking.internal.knative.dev/v1alpha1 ClusterDomainClaim api.example.com',
      'serving.knative.dev/v1 Service web/gateway',
    ]);
    // The Secret is cert-manager's: not deployed, not external.
    expect(plan.externalReferences.filter((r) => r.ref.kind === 'Secret')).toEqual([]);
    const order = plan.objects.map((o) => o.key);
    expect(order.indexOf('serving.knative.dev/v1beta1 DomainMapping web/api.example.com'))
      .toBeGreaterThan(order.indexOf('cert-manager.io/v1 Certificate web/api.example.com'));
  });

  test('nginx: HSTS on responses to HTTPS requests, HTTP requests for the domain redirected, the domain as X-Forwarded-Host', () => {
    expect(nginx).toContain('  proxy_set_header X-Forwarded-Host $forwarded_host;');
    expect(nginx).toContain('    https "max-age=31536000";');
    expect(nginx).toContain('    add_header Strict-Transport-Security $strict_transport_security always;');
    expect(nginx).toContain('    "http api.example.com" 1;');
    expect(nginx).toContain('      return 308 https://api.example.com$request_uri;');
  });

  test('a domain of the same name in another namespace is refused by the plan (one claim per domain)', () => {
    const { app: app2, chart: web } = testChart('web');
    new ApiGateway(web, 'gateway', { domain: { domain: 'api.example.com', issuer: LETSENCRYPT } });
    const shop = new Chart(app2, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
    new ApiGateway(shop, 'gateway', { domain: { domain: 'api.example.com', issuer: LETSENCRYPT } });
    expect(validationError(() => DeploymentPlan.of(app2)).message).toContain('ClusterDomainClaim api.example.com is also made by');
  });
});

describe('domain options', () => {
  test('redirectHttp false: the ingress serves HTTP too and the gateway does not redirect; HSTS still on HTTPS', () => {
    const { chart } = gatewayWith({ redirectHttp: false });
    const objects = synthValid(chart);
    expect(findObject(objects, 'DomainMapping', 'api.example.com').metadata.annotations).toEqual({ 'networking.knative.dev/http-protocol': 'enabled' });
    const nginx = findObject(objects, 'ConfigMap', 'gateway-nginx').data['nginx.conf'];
    expect(nginx).not.toContain('redirect_to_https');
    expect(nginx).toContain('add_header Strict-Transport-Security');
  });

  test('HSTS with subdomains and preload; max-age 0 tells browsers to forget it', () => {
    const preload = gatewayWith({ strictTransportSecurity: { maxAge: Duration.days(730), includeSubDomains: true, preload: true } }).gateway;
    expect(preload.domain?.strictTransportSecurity).toBe('max-age=63072000; includeSubDomains; preload');
    const forget = gatewayWith({ strictTransportSecurity: { maxAge: Duration.seconds(0) } }).gateway;
    expect(forget.domain?.strictTransportSecurity).toBe('max-age=0');
  });

  test('claimDomain false leaves the claim to the cluster; an Issuer of the namespace', () => {
    const { chart } = gatewayWith({ claimDomain: false, issuer: CertificateIssuer.issuer('team-ca') });
    const objects = synthValid(chart);
    expect(objects.filter((o) => o.kind === 'ClusterDomainClaim')).toEqual([]);
    expect(findObject(objects, 'Certificate', 'api.example.com').spec.issuerRef).toEqual({ name: 'team-ca', kind: 'Issuer', group: 'cert-manager.io' });
  });

  test('a Frontend gets the mapping and certificate; HSTS is its image\'s', () => {
    const { chart } = testChart('web');
    const frontend = new Frontend(chart, 'web', { image: 'ghcr.io/example/web:1', domain: { domain: 'www.example.com', issuer: LETSENCRYPT } });
    const objects = synthValid(chart);
    expect(findObject(objects, 'DomainMapping', 'www.example.com').spec.ref.name).toBe('web');
    expect(findObject(objects, 'Certificate', 'www.example.com').spec.dnsNames).toEqual(['www.example.com']);
    expect(frontend.domain?.url).toBe('https://www.example.com');
    expect(frontend.service.resource.toJson().spec.template.spec.containers[0].domain).toBeUndefined();
  });

  test('the bundle\'s gateway.domain reaches the managed gateway and the frontend alike', () => {
    for (const frontend of [undefined, { image: 'ghcr.io/example/web:1' }]) {
      const { chart } = testChart(null);
      new FunctionsPlatform(chart, 'p', {
        namespace: 'games', functions: [{ name: 'score', image: 'ghcr.io/example/score:1' }],
        gateway: { frontend, domain: { domain: 'games.example.com', issuer: LETSENCRYPT } },
      });
      const mapping = findObject(Testing.synth(chart), 'DomainMapping', 'games.example.com');
      expect(mapping.spec.ref).toEqual({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'gateway', namespace: 'games' });
    }
  });

  test('the Certificate schema (written from cert-manager\'s Go types) refuses a misspelt field', () => {
    const { chart } = gatewayWith({});
    const certificate = findObject(Testing.synth(chart), 'Certificate', 'api.example.com');
    const misspelt = { ...certificate, spec: { ...certificate.spec, dnsName: ['api.example.com'] } };
    expect(validatorFor(chart).validateAll([misspelt]).join('\n')).toContain('unknown field "dnsName"');
    const noIssuer = { ...certificate, spec: { ...certificate.spec, issuerRef: undefined } };
    expect(validatorFor(chart).validateAll([JSON.parse(JSON.stringify(noIssuer))]).join('\n')).toContain('issuerRef');
  });
});

describe('bad domains and issuers are refused, naming the field, the value and the fix', () => {
  const cases: Array<[string, Partial<PublicDomainOptions>, string]> = [
    ['no domain', { domain: '' }, 'test/gateway/Domain: domain ("") is required: the fully qualified domain to serve, e.g. "api.example.com"'],
    ['a wildcard', { domain: '*.example.com' }, 'domain ("*.example.com") is a wildcard; a DomainMapping maps one domain; map each domain on its own'],
    ['a trailing dot', { domain: 'api.example.com.' }, 'domain ("api.example.com.") ends with "."; write it without the trailing dot: "api.example.com"'],
    ['a single label', { domain: 'localhost' }, 'domain ("localhost") must be a fully qualified domain of at least two labels; e.g. "api.example.com"'],
    ['uppercase', { domain: 'API.Example.com' }, 'domain ("API.Example.com") has the label "API", which is not a DNS-1123 label'],
    ['an IP address', { domain: '10.0.0.1' }, 'domain ("10.0.0.1") is an IP address, not a domain'],
    ['too long for its Secret', { domain: `${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(61)}.com` },
      'characters; at most 249 fit (its TLS Secret is named "<domain>-tls", at most 253)'],
    ['under the cluster\'s local domain', { domain: 'gateway.web.svc.cluster.local' },
      'domain ("gateway.web.svc.cluster.local") is under the cluster\'s local domain "cluster.local"; Knative refuses to map it'],
    ['not an issuer', { issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' } as any },
      'issuer ({"kind":"ClusterIssuer","name":"letsencrypt"}) must be an issuer the cluster runs; use CertificateIssuer.clusterIssuer("letsencrypt")'],
    ['a bad issuer name', { issuer: CertificateIssuer.clusterIssuer('Lets_Encrypt') }, 'issuer.name ("Lets_Encrypt") must be a DNS-1123 subdomain'],
    ['preload without subdomains', { strictTransportSecurity: { preload: true } },
      'strictTransportSecurity.preload (true) needs includeSubDomains: browsers preload a domain with all its subdomains'],
    ['preload with a short max-age', { strictTransportSecurity: { preload: true, includeSubDomains: true, maxAge: Duration.days(30) } },
      'strictTransportSecurity.maxAge ("2592000s") must be at least one year (31536000s) with preload'],
    ['a max-age in fractions of a second', { strictTransportSecurity: { maxAge: Duration.millis(1500) } }, 'strictTransportSecurity.maxAge'],
  ];
  test.each(cases)('%s', (_, domain, message) => {
    expect(validationError(() => gatewayWith(domain)).message).toContain(message);
  });

  test('the cluster\'s local domain is the one the app is configured with', () => {
    const context = { [PlatformContext.CLUSTER_DOMAIN]: 'corp.internal' };
    expect(validationError(() => gatewayWith({ domain: 'api.corp.internal' }, context)).message)
      .toContain('domain ("api.corp.internal") is under the cluster\'s local domain "corp.internal"');
    expect(() => gatewayWith({ domain: 'api.cluster.local' }, context)).not.toThrow();
  });

  test('a PublicDomain can be added to an entrypoint that exists', () => {
    const { chart } = testChart('web');
    const frontend = new Frontend(chart, 'web', { image: 'ghcr.io/example/web:1' });
    const domain = new PublicDomain(chart, 'Domain', { target: frontend, domain: 'www.example.com', issuer: LETSENCRYPT });
    expect(domain.secretName).toBe('www.example.com-tls');
  });
});
