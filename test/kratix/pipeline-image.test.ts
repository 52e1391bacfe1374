/**
 * The pipeline image's Dockerfile (docker/pipeline/): no Docker engine runs here, so the image is not built in CI;
 * these checks hold the file to what it promises (pinned base, unprivileged, the package's own command, peers at the
 * tested versions), and the package to shipping what the image runs.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'docker', 'pipeline', 'Dockerfile'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const arg = (name: string) => dockerfile.match(new RegExp(`^ARG ${name}=(\\S+)$`, 'm'))?.[1];

describe('the Kratix pipeline image', () => {
  test('the base is Node 20 pinned by digest', () => {
    expect(arg('NODE_IMAGE')).toMatch(/^node:20-alpine@sha256:[0-9a-f]{64}$/);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\}$/m);
  });

  test('it runs as a numeric non-root user and its entrypoint is the package\'s bin with the kratix-pipeline command', () => {
    const user = dockerfile.match(/^USER (\d+):(\d+)$/m);
    expect(user).not.toBeNull();
    expect(Number(user![1])).toBeGreaterThan(0);
    const entrypoint = JSON.parse(dockerfile.match(/^ENTRYPOINT (\[.*\])$/m)![1]);
    expect(entrypoint).toEqual(['node', `/opt/platform-blueprints/node_modules/platform-blueprints/${pkg.bin['platform-blueprints']}`, 'kratix-pipeline']);
  });

  test('the peers are pinned to the versions the package is tested with', () => {
    expect([arg('CDK8S_VERSION'), arg('CDK8S_PLUS_VERSION'), arg('CONSTRUCTS_VERSION')])
      .toEqual([pkg.devDependencies.cdk8s, pkg.devDependencies['cdk8s-plus-27'], pkg.devDependencies.constructs]);
    expect(Object.keys(pkg.peerDependencies).filter((p) => !pkg.peerDependenciesMeta?.[p]?.optional).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
  });

  test('the package ships the bin and the pipeline, compiled from the files the tests run', () => {
    expect(pkg.bin).toEqual({ 'platform-blueprints': 'lib/src/cli.js' });
    expect(pkg.files).toEqual(expect.arrayContaining(['lib/constructs', 'lib/src/cli.*', 'lib/src/kratix']));
    expect(fs.readFileSync(path.join(ROOT, 'src', 'cli.ts'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(pkg.scripts['kratix:pipeline']).toBe('tsx src/cli.ts kratix-pipeline');
  });

  test('the build context is mounted for the install step, not copied into a layer the image keeps', () => {
    expect(dockerfile).not.toMatch(/^(COPY|ADD) /m);
    expect(dockerfile).toMatch(/^RUN --mount=type=bind,target=\/tmp\/context \\\n/m);
  });

  test('the build context takes only a packed package', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docker', 'pipeline', '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['*', '!*.tgz']);
  });
});
