/**
 * The Pulumi program with Kratix: when it installs Kratix, cert-manager declared once with the event stack, and the
 * unpinned release file refused (the namespaces Kratix's files create are refused in program.test.ts's table).
 */
import * as pulumi from '@pulumi/pulumi';
import * as pulumiRuntimeResource from '@pulumi/pulumi/runtime/resource';
import { mockPulumi, programState, settle, stackConfig as config, valueOf } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';
import { KRATIX_RELEASE_URL } from '../support/kratix-release';

const mocked = mockPulumi(programState);
import { ConfigError, readConfig } from '../../src/pulumi/config';
import { runProgram } from '../../src/pulumi/program';
import { ReleaseFileError } from '../../src/pulumi/release-files';

jest.spyOn(pulumi.log, 'warn').mockImplementation(async () => undefined);

const groupsAdded = (before: number, prefix: string) => mocked.registrations.slice(before)
  .filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name.startsWith(prefix)).map((r) => r.name).sort();

/** The ConfigGroups registered since `before` once `count` of them are (their inputs resolve after the program returns), or those there are after 10 s. */
async function groupsRegistered(before: number, prefix: string, count: number): Promise<string[]> {
  for (let i = 0; i < 500 && groupsAdded(before, prefix).length < count; i++) await new Promise((r) => setTimeout(r, 20));
  await settle([]);
  return groupsAdded(before, prefix);
}

describe('the program and Kratix', () => {
  test('installKratix false: the cluster runs Kratix already; its files are not read', async () => {
    const off = fixtureReader();
    const after = mocked.registrations.length;
    const again = await runProgram({
      config: readConfig(config({ namespace: 'a', eventsNamespace: 'a-events', installKnative: 'false', installTekton: 'false', installKratix: 'false' })), reader: off.read,
    });
    await valueOf(again.gatewayUrl);
    await settle([]);
    expect(off.urls.filter((u) => u.includes('kratix'))).toEqual([]);
    expect(groupsAdded(after, 'kratix-')).toEqual([]);
  });

  test('installed by default (the reference platform offers Promises): Kratix and its single-cluster setup, cert-manager declared once (the event stack\'s copy, Kratix\'s stage waiting for it)', async () => {
    const reader = fixtureReader();
    const before = mocked.registrations.length;
    const outputs = await runProgram({
      config: readConfig(config({ namespace: 'b', eventsNamespace: 'b-events', installKnative: 'false', installTekton: 'false' })), reader: reader.read,
    });
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    expect(await groupsRegistered(before, 'kratix-', 5)).toEqual(['kratix-cert-manager', 'kratix-config', 'kratix-flux', 'kratix-kratix', 'kratix-minio']);
    // cert-manager.yaml is read once, for both installs.
    expect(reader.urls.filter((u) => u.endsWith('/cert-manager.yaml'))).toHaveLength(1);
    const certManager = mocked.registrations.slice(before).find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === 'kratix-cert-manager')!;
    expect(certManager.inputs.objs).toEqual([]);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'kratix-cert-manager')).toEqual(['event-stack-cert-manager']);
    // Kratix's Issuer and Certificates wait for the cert-manager CRDs where they are declared.
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'kratix-kratix').sort()).toEqual(['event-stack-cert-manager', 'kratix-cert-manager']);
    // The Promises wait for Kratix and its configured Destination.
    const promise = mocked.registrations.slice(before).find((r) => r.type === 'kubernetes:platform.kratix.io/v1alpha1:Promise' && r.name === 'functions-platform/functions-platform')!;
    expect(promise.dependencies.map((urn) => urn.split('::').pop())).toEqual(expect.arrayContaining(['kratix-kratix', 'kratix-config']));
  });

  test('installEventing false (the cluster runs the event stack\'s installs, cert-manager among them): Kratix installs no cert-manager', async () => {
    const reader = fixtureReader();
    const before = mocked.registrations.length;
    const outputs = await runProgram({
      config: readConfig(config({ namespace: 'c', eventsNamespace: 'c-events', installKnative: 'false', installEventing: 'false', installTekton: 'false', installKratix: 'true' })),
      reader: reader.read,
    });
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    expect(await groupsRegistered(before, 'kratix-', 4)).toEqual(['kratix-config', 'kratix-flux', 'kratix-kratix', 'kratix-minio']);
    expect(reader.urls.filter((u) => u.endsWith('/cert-manager.yaml'))).toEqual([]);
  });
});

describe('Kratix settings refused', () => {
  test('kratix.yaml is not pinned: without allowUnpinnedReleases the program refuses it before it registers anything', async () => {
    const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
    const running = runProgram({ config: readConfig(config({ installKnative: 'false', installEventing: 'false', installTekton: 'false', installKratix: 'true' })) });
    await expect(running).rejects.toThrow(ReleaseFileError);
    await expect(running).rejects.toThrow(`${KRATIX_RELEASE_URL}: refused, its bytes cannot be checked (upstream.yaml does not pin kratix@main-ae170e22 yet`);
    expect(registered).not.toHaveBeenCalled();
    registered.mockRestore();
  });

  test('installKratix: true, false or unset (when the platform needs it)', () => {
    expect(() => readConfig(config({ installKratix: 'maybe' }))).toThrow(new ConfigError('platform-blueprints:installKratix ("maybe") must be true or false'));
    expect(readConfig(config({})).installKratix).toBeUndefined();
    expect(readConfig(config({ installKratix: 'false' })).installKratix).toBe(false);
  });
});
