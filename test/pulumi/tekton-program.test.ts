/**
 * The Pulumi program with Tekton: when it installs Tekton, what its events sink is, and the namespaces it takes.
 */
import * as pulumi from '@pulumi/pulumi';
import * as pulumiRuntimeResource from '@pulumi/pulumi/runtime/resource';
import { mockPulumi, programState, settle, stackConfig as config, valueOf } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';

const mocked = mockPulumi(programState);
import { ConfigError, readConfig } from '../../src/pulumi/config';
import { runProgram } from '../../src/pulumi/program';
import { ReleaseFileError } from '../../src/pulumi/release-files';
import { tektonManifestUrls } from '../../src/pulumi/tekton';

jest.spyOn(pulumi.log, 'warn').mockImplementation(async () => undefined);

const configEvents = (group: string) => (mocked.get('kubernetes:yaml/v2:ConfigGroup', group).inputs.objs as any[])
  .find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'config-events' && o.metadata.namespace === 'tekton-pipelines');

describe('the program and Tekton', () => {
  test('the reference platform\'s continuous verification needs Tekton: installed by default, its events to the broker the verification declares', async () => {
    const reader = fixtureReader();
    const before = mocked.registrations.length;
    const outputs = await runProgram({ config: readConfig(config({ namespace: 'a', eventsNamespace: 'a-events' })), reader: reader.read });
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    expect(reader.urls.filter((u) => u.includes('tekton'))).toEqual(Object.values(tektonManifestUrls()));
    const added = mocked.registrations.slice(before).filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name.startsWith('tekton-')).map((r) => r.name);
    expect(added).toEqual(['tekton-pipelines', 'tekton-triggers', 'tekton-interceptors']);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'tekton-interceptors')).toEqual(['tekton-triggers']);
    // The sink is the address the Broker reports (the stack output), set before the Broker exists.
    const brokerUrl = await valueOf(outputs.brokerUrl);
    expect(configEvents('tekton-pipelines').data).toEqual({ sink: brokerUrl, formats: 'tektonv1' });
    expect(brokerUrl).toMatch(/^http:\/\/.*a-events/);
    // Tekton objects wait for the install that serves their API group.
    expect(mocked.dependencyNames('kubernetes:triggers.tekton.dev/v1beta1:EventListener', 'functions-platform/delivery/verify-on-deploy'))
      .toEqual(expect.arrayContaining(['tekton-triggers', 'tekton-interceptors']));
    expect(mocked.dependencyNames('kubernetes:tekton.dev/v1:Pipeline', 'functions-platform/delivery/verify')).toEqual(expect.arrayContaining(['tekton-pipelines']));
  });

  test('installTekton false: a cluster that runs Tekton already; its files are not read', async () => {
    const reader = fixtureReader();
    const outputs = await runProgram({ config: readConfig(config({ namespace: 'b', eventsNamespace: 'b-events', installTekton: 'false' })), reader: reader.read });
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    expect(reader.urls.filter((u) => u.includes('tekton'))).toEqual([]);
  });

  test('tektonEventsSink names another sink', async () => {
    const before = mocked.registrations.length;
    const outputs = await runProgram({
      config: readConfig(config({ installKnative: 'false', installEventing: 'false', installTekton: 'true', tektonEventsSink: 'https://events.example.com/tekton' })),
      reader: fixtureReader().read,
    });
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    const group = mocked.registrations.slice(before).find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === 'tekton-pipelines');
    expect((group!.inputs.objs as any[]).find((o) => o.metadata.name === 'config-events').data).toEqual({ sink: 'https://events.example.com/tekton', formats: 'tektonv1' });
  });
});

describe('Tekton settings refused', () => {
  test('the Tekton release files are not pinned: without allowUnpinnedReleases the program refuses them before it registers anything', async () => {
    const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
    // The program's own reader: the pin check comes before any download.
    const running = runProgram({ config: readConfig(config({ installKnative: 'false', installEventing: 'false', installTekton: 'true' })) });
    await expect(running).rejects.toThrow(ReleaseFileError);
    await expect(running).rejects.toThrow(`${tektonManifestUrls().pipelines}: refused, its bytes cannot be checked (upstream.yaml does not pin tekton-pipelines@1.15.0 yet`);
    expect(registered).not.toHaveBeenCalled();
    registered.mockRestore();
  });

  test.each([
    [{ installTekton: 'maybe' }, 'platform-blueprints:installTekton ("maybe") must be true or false'],
    [{ tektonEventsSink: 'broker-ingress.knative-eventing.svc' }, 'platform-blueprints:tektonEventsSink ("broker-ingress.knative-eventing.svc") must be an absolute http(s) URL, ' +
      'e.g. http://broker-ingress.knative-eventing.svc.cluster.local/<namespace>/<broker>'],
  ])('%j', (values, message) => {
    expect(() => readConfig(config(values))).toThrow(new ConfigError(message));
  });

  test('typed: installTekton undefined (when the platform needs it), true or false; the sink as given', () => {
    expect([readConfig(config({})).installTekton, readConfig(config({})).tektonEventsSink]).toEqual([undefined, undefined]);
    expect(readConfig(config({ installTekton: 'false', tektonEventsSink: 'http://x.example/' }))).toMatchObject({ installTekton: false, tektonEventsSink: 'http://x.example/' });
  });
});
