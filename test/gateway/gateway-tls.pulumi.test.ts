/**
 * The Pulumi program with the gateway on its own domain: the settings, what waits for what (the Certificate for
 * cert-manager's install, the DomainMapping for its Certificate and ClusterDomainClaim, those for Knative Serving), and
 * the stack's gateway URL.
 */
import * as pulumi from '@pulumi/pulumi';
import { mockPulumi, programState, settle, stackConfig as config, valueOf } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';

const mocked = mockPulumi(programState);
import { ConfigError, readConfig } from '../../src/pulumi/config';
import { runProgram } from '../../src/pulumi/program';

jest.spyOn(pulumi.log, 'warn').mockImplementation(async () => undefined);

describe('the program with gatewayDomain', () => {
  test('creates the certificate after cert-manager, the mapping after its certificate and claim; the gateway URL is the domain\'s', async () => {
    const outputs = await runProgram({
      config: readConfig(config({
        namespace: 'shop', eventsNamespace: 'shop-events', gatewayDomain: 'shop.example.com', gatewayIssuer: 'letsencrypt', installTekton: 'false', installKratix: 'false',
      })),
      reader: fixtureReader().read,
    });
    expect(await valueOf(outputs.gatewayUrl)).toBe('https://shop.example.com');
    // The URL is known at once; the objects register as their installs do.
    for (let i = 0; i < 400 && !mocked.registrations.some((r) => r.type === 'kubernetes:serving.knative.dev/v1beta1:DomainMapping'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await settle([]);
    const certificate = mocked.get('kubernetes:cert-manager.io/v1:Certificate', 'functions-platform/shop/shop.example.com');
    expect(certificate.inputs.spec.issuerRef).toEqual({ name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(mocked.dependencyNames('kubernetes:cert-manager.io/v1:Certificate', 'functions-platform/shop/shop.example.com')).toContain('event-stack-cert-manager');
    const mappingDeps = mocked.dependencyNames('kubernetes:serving.knative.dev/v1beta1:DomainMapping', 'functions-platform/shop/shop.example.com');
    expect(mappingDeps).toEqual(expect.arrayContaining(['functions-platform/shop/shop.example.com', 'functions-platform/shop.example.com', 'functions-platform/shop/gateway']));
    expect(mocked.dependencyNames('kubernetes:networking.internal.knative.dev/v1alpha1:ClusterDomainClaim', 'functions-platform/shop.example.com'))
      .toEqual(['knative-serving-crds', 'knative-serving-core', 'knative-serving-kourier']);
  });

  test('gatewayDomain and gatewayIssuer come together', () => {
    expect(() => readConfig(config({ gatewayDomain: 'shop.example.com' }))).toThrow(new ConfigError(
      'platform-blueprints:gatewayIssuer (undefined) is required with gatewayDomain: the name of the cert-manager ClusterIssuer that signs its certificate, e.g. letsencrypt'));
    expect(() => readConfig(config({ gatewayIssuer: 'letsencrypt' }))).toThrow(new ConfigError(
      'platform-blueprints:gatewayDomain (undefined) is required with gatewayIssuer: the domain the gateway is served on, e.g. api.example.com'));
  });
});
