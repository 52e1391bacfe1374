/**
 * The testing entry's release fixtures (fixtures/releases, shipped in the package): fresh, and equivalent to the
 * release files for everything the installs decide — so a consumer's test under the fixtures sees what `pulumi up`
 * would register, but for what the trimming drops (scripts/release-fixtures.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { PlatformDeployment } from '../../src/pulumi/platform-deployment';
import { ReleaseFileError } from '../../src/pulumi/release-files';
import { MockRun, fixtureReleaseReader, releaseFixturesDir, runUnderMocks } from '../../src/testing';
import { RELEASE_FIXTURES, releaseFixtureUrls, releaseFixtures, trimObject } from '../../scripts/release-fixtures';
import { fixtureReader } from '../support/knative-release';

describe('the shipped release fixtures', () => {
  test('are what scripts/release-fixtures.ts makes of the release files (npm run fixtures:releases)', () => {
    const expected = releaseFixtures();
    expect(fs.readdirSync(RELEASE_FIXTURES).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected)) expect([file, fs.readFileSync(path.join(RELEASE_FIXTURES, file), 'utf8')]).toEqual([file, text]);
    expect(releaseFixturesDir()).toBe(RELEASE_FIXTURES);
  });

  test('every install deploys from them what it deploys from the release files, trimmed alike, in the same stages and order', async () => {
    // An empty app with every install asked for: only the installs register.
    const installs = { installKnative: true, installEventing: true, installTekton: true, installKratix: true };
    const groupsOf = (run: MockRun) => run.registrations.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup')
      .map((r) => ({ name: r.name, dependsOn: [...r.dependsOn].sort(), objs: r.inputs.objs as any[] }))
      // In name order: the engine answers them as their inputs resolve.
      .sort((a, b) => a.name.localeCompare(b.name));
    const real = groupsOf(await runUnderMocks(() => PlatformDeployment.create('all', { app: new App(), ...installs, releaseReader: fixtureReader() })));
    const shipped = groupsOf(await runUnderMocks(() => PlatformDeployment.create('all', { app: new App(), ...installs })));
    expect(shipped.map((g) => g.name)).toEqual(real.map((g) => g.name));
    expect(real.length).toBe(19);
    for (const [i, g] of real.entries()) {
      expect({ ...shipped[i], objs: shipped[i].objs.length }).toEqual({ ...g, objs: g.objs.length });
      expect(shipped[i].objs).toEqual(g.objs.map(trimObject));
    }
    // Kept: what orders and owns (the CRDs' groups and versions, CA injection, the settings the installs write).
    const core = shipped.find((g) => g.name === 'knative-serving-core')!.objs;
    expect(core.find((o) => o.metadata.name === 'config-defaults').data).toEqual({ 'max-revision-timeout-seconds': '600' });
    const crds = shipped.flatMap((g) => g.objs).filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.length).toBeGreaterThan(60);
    expect(crds.every((o) => o.spec.versions.every((v: any) => v.schema.openAPIV3Schema['x-kubernetes-preserve-unknown-fields'] === true))).toBe(true);
  }, 120_000); // two runs of every install, one of them on 2 MB of real release files

  test('a URL it has no fixture of is refused, naming it', async () => {
    const url = 'https://github.com/knative/serving/releases/download/knative-v1.21.0/serving-core.yaml';
    const read = fixtureReleaseReader().read(url);
    await expect(read).rejects.toThrow(ReleaseFileError);
    await expect(read).rejects.toThrow(`${url}: platform-blueprints/testing has no fixture of it (it ships the files of the pinned releases: ${releaseFixtureUrls().length} URLs, see fixtures/releases/SOURCES.json)`);
  });
});
