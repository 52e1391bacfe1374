/**
 * `platform-blueprints diff OLD NEW` on pairs of real synths: the same small platform built twice from the library's
 * constructs, one prop changed, both synthesized to folders by cdk8s, and diffed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Size } from 'cdk8s';
import { EventFilter, KnativeFunction, RabbitmqBroker, RabbitmqCluster, Redis } from '../../constructs';
import { runDiff } from '../../src/diff/command';

interface Variant {
  readonly image?: string;
  readonly functionName?: string;
  readonly storage?: number;
  readonly filterSource?: string;
  readonly messaging?: boolean;
  readonly dataNamespace?: boolean;
  readonly secret?: string;
  readonly board?: boolean;
  readonly redisName?: string;
}

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-diff-'));
let synths = 0;

/** Synthesizes the platform of a variant into a folder of its own; returns the folder. */
function synth(v: Variant = {}): string {
  const outdir = path.join(ROOT, `synth-${++synths}`);
  const app = new App({ outdir });
  const games = new Chart(app, 'games', { namespace: 'games' });
  const fn = new KnativeFunction(games, 'score', { name: v.functionName ?? 'score', image: v.image ?? 'ghcr.io/example/score:1' });
  if (v.board) new KnativeFunction(games, 'board', { image: 'ghcr.io/example/board:1' });
  new ApiObject(games, 'api-token', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-token' }, stringData: { token: v.secret ?? 'first-secret-value' } });
  if (v.messaging !== false) {
    const cluster = new RabbitmqCluster(games, 'mq');
    const broker = new RabbitmqBroker(games, 'game', { cluster });
    broker.subscribe(fn, { name: 'to-score', filters: [EventFilter.exact({ source: v.filterSource ?? '/games/1' })] });
  }
  if (v.dataNamespace !== false) {
    new ApiObject(new Chart(app, 'cluster'), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data' } });
    const data = new Chart(app, 'data', { namespace: 'data' });
    new Redis(data, 'redis', { name: v.redisName, storage: Size.gibibytes(v.storage ?? 1) });
  }
  app.synth();
  return outdir;
}

function diff(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runDiff(args, (s) => { stdout += s; }, (s) => { stderr += s; });
  return { code, stdout, stderr };
}

const base = synth();

/** A folder of hand-written manifests. */
function dir(name: string, files: { [f: string]: string }): string {
  const d = path.join(ROOT, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(d, f), text);
  return d;
}
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

/** The changed objects as `action object` lines. */
function actions(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^[-+±~] /.test(l)).map((l) => l.replace(/^\S+ /, '').replace(/\s+\[LOSES DATA\]$/, '').replace(/\s+/, ' '));
}

describe('platform-blueprints diff on real synths', () => {
  test('the same synth twice: no changes, exit 0', () => {
    const r = diff(base, synth());
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/: no changes, \d+ unchanged\n/);
    expect(actions(r.stdout)).toEqual([]);
  });

  test('a new image changes the Knative Service in place, renames nothing, and shows the field old → new', () => {
    const r = diff(base, synth({ image: 'ghcr.io/example/score:2' }));
    expect(r.code).toBe(0);
    expect(actions(r.stdout)).toEqual(['update serving.knative.dev Service games/score']);
    expect(r.stdout).toContain('spec.template.spec.containers[0].image: "ghcr.io/example/score:1" → "ghcr.io/example/score:2"');
    expect(r.stdout).toContain('No stateful object is deleted or replaced.');
  });

  test('a new filter on a RabbitMQ Trigger replaces it (eventing-rabbitmq refuses the change), exit 0: it holds no data', () => {
    const r = diff(base, synth({ filterSource: '/games/2' }));
    expect(r.code).toBe(0);
    expect(actions(r.stdout)).toEqual(['replace eventing.knative.dev Trigger games/to-score']);
    expect(r.stdout).toContain('why: spec.filter.attributes.source: eventing-rabbitmq refuses a change of the filter of a Trigger on a RabbitMQ broker');
    expect(r.stdout).toContain('spec.filter.attributes.source: "/games/1" → "/games/2"');
  });

  test('a renamed function is a replacement of its objects (renamed from ...), not unrelated additions and deletions', () => {
    const r = diff(base, synth({ functionName: 'scores' }));
    expect(r.code).toBe(0);
    expect(actions(r.stdout)).toContain('replace serving.knative.dev Service games/scores');
    expect(r.stdout).toContain('why: renamed from serving.knative.dev Service games/score: the old object is deleted and a new one created');
    expect(actions(r.stdout).filter((a) => /^(add|delete) serving\.knative\.dev Service/.test(a))).toEqual([]);
  });

  test('a removed broker deletes its objects; the RabbitmqCluster holds queues: exit 2, or 0 with --allow-destructive', () => {
    const without = synth({ messaging: false });
    const r = diff(base, without);
    expect(r.code).toBe(2);
    expect(actions(r.stdout)).toEqual(expect.arrayContaining([
      'delete rabbitmq.com RabbitmqCluster games/mq', 'delete eventing.knative.dev Broker games/game', 'delete eventing.knative.dev Trigger games/to-score',
    ]));
    expect(r.stdout).toContain('data: holds the queues of the RabbitMQ cluster');
    expect(r.stdout).toMatch(/1 stateful object would be deleted or replaced, losing data: rabbitmq\.com RabbitmqCluster games\/mq\. Pass --allow-destructive/);
    expect(diff(base, without, '--allow-destructive').code).toBe(0);
    // The other way round: everything is added, nothing lost.
    const back = diff(without, base);
    expect(back.code).toBe(0);
    expect(actions(back.stdout).every((a) => a.startsWith('add '))).toBe(true);
  });

  test('a deleted function is a deletion that loses nothing: exit 0', () => {
    const r = diff(synth({ board: true }), base);
    expect(r.code).toBe(0);
    expect(actions(r.stdout)).toEqual(['delete serving.knative.dev Service games/board']);
    expect(r.stdout).toContain('1 deleted, ');
  });

  test('a renamed Redis replaces its StatefulSet under the new name: stateful, exit 2', () => {
    const r = diff(base, synth({ redisName: 'store' }));
    expect(r.code).toBe(2);
    expect(actions(r.stdout)).toContain('replace apps StatefulSet data/store');
    expect(r.stdout).toContain('why: renamed from apps StatefulSet data/redis: the old object is deleted and a new one created');
    expect(r.stdout).toMatch(/losing data: apps StatefulSet data\/redis\./);
    expect(actions(r.stdout).filter((a) => a.startsWith('add ') || a.startsWith('delete '))).toEqual([]);
  });

  test('more Redis storage replaces its StatefulSet (volumeClaimTemplates are immutable): stateful, exit 2', () => {
    const r = diff(base, synth({ storage: 2 }));
    expect(r.code).toBe(2);
    expect(actions(r.stdout)).toEqual(['replace apps StatefulSet data/redis']);
    expect(r.stdout).toContain('spec.volumeClaimTemplates[0].spec.resources.requests.storage: "1Gi" → "2Gi"');
    expect(r.stdout).toContain('why: spec.volumeClaimTemplates[0].spec.resources.requests.storage: Kubernetes changes only replicas');
    expect(r.stdout).toMatch(/\[LOSES DATA\]\n {4}data: /);
    expect(diff(base, synth({ storage: 2 }), '--allow-destructive').code).toBe(0);
  });

  test('deleting a Namespace deletes what it holds: flagged with the stateful objects in it', () => {
    const r = diff(base, synth({ dataNamespace: false }));
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('- delete  Namespace data  [LOSES DATA]\n    data: holds stateful objects (StatefulSet redis)');
  });

  test('a Secret\'s values are never printed, only that they changed', () => {
    const r = diff(base, synth({ secret: 'second-secret-value' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stringData.token: changed (Secret value not shown)');
    expect(r.stdout).not.toMatch(/secret-value/);
  });

  test('a new apiVersion of the same kind is a change of the object, not a deletion and an addition', () => {
    const bumped = synth();
    const file = path.join(bumped, 'games.k8s.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('apiVersion: rabbitmq.com/v1beta1\nkind: RabbitmqCluster', 'apiVersion: rabbitmq.com/v1\nkind: RabbitmqCluster'));
    const r = diff(base, bumped);
    expect(r.code).toBe(0);
    expect(actions(r.stdout)).toEqual(['update rabbitmq.com RabbitmqCluster games/mq']);
    expect(r.stdout).toContain('apiVersion: "rabbitmq.com/v1beta1" → "rabbitmq.com/v1"');
  });

  test('--format markdown: a table of changes, the data-loss warning and the field changes for a pull-request comment', () => {
    const r = diff(base, synth({ storage: 2, image: 'ghcr.io/example/score:2' }), '--format', 'markdown');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('| Change | Object | Why | Data |\n| --- | --- | --- | --- |\n| replace | `apps StatefulSet data/redis` |');
    expect(r.stdout).toContain('> [!WARNING]\n> 1 stateful object would be deleted or replaced');
    expect(r.stdout).toContain('| update | `serving.knative.dev Service games/score` |  |  |');
    expect(r.stdout).toMatch(/<details><summary>Field changes<\/summary>[\s\S]*```\nspec\.template\.spec\.containers\[0\]\.image: "ghcr\.io\/example\/score:1" → "ghcr\.io\/example\/score:2"\n```/);
  });

  test('a PersistentVolumeClaim grows in place; shrinking it would replace it and lose its data (exit 2)', () => {
    const pvc = (storage: string) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: games\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: ${storage}\n`;
    const [small, large] = [dir('pvc-small', { 'pvc.yaml': pvc('1Gi') }), dir('pvc-large', { 'pvc.yaml': pvc('2Gi') })];
    const grow = diff(small, large);
    expect([grow.code, actions(grow.stdout)]).toEqual([0, ['update PersistentVolumeClaim games/data']]);
    const shrink = diff(large, small);
    expect([shrink.code, actions(shrink.stdout)]).toEqual([2, ['replace PersistentVolumeClaim games/data']]);
    expect(shrink.stdout).toContain('why: spec.resources.requests.storage: Kubernetes refuses to shrink a claim\'s requested storage');
    expect(shrink.stdout).toContain('data: holds a volume\'s data');
  });
});

describe('bad input exits 1 with a message naming the folder or file', () => {
  test('a missing folder', () => {
    const missing = path.join(ROOT, 'nowhere');
    const r = diff(base, missing);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain(`platform-blueprints diff: NEW folder ${missing} does not exist; pass a folder of synthesized manifests (e.g. dist)`);
  });

  test('YAML that does not parse: the file and line', () => {
    const broken = dir('broken', { 'a.k8s.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: [\n' });
    const r = diff(broken, base);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^platform-blueprints diff: ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/a\\.k8s\\.yaml:\\d+:\\d+: the YAML does not parse`));
  });

  test('a document that is not a Kubernetes object', () => {
    const r = diff(dir('notk8s', { 'values.yaml': 'replicas: 3\n' }), base);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('notk8s/values.yaml:1: document 0 is not a Kubernetes object (apiVersion, kind and metadata.name are required)');
  });

  test('one object declared twice (another apiVersion of the same kind is the same object)', () => {
    const cm = (v: string) => `apiVersion: ${v}\nkind: Broker\nmetadata:\n  name: b\n  namespace: games\n`;
    const r = diff(base, dir('dup', { 'a.yaml': cm('eventing.knative.dev/v1'), 'b.yaml': `---\n${cm('eventing.knative.dev/v1beta1')}` }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dup/b.yaml (document 0) declares eventing.knative.dev Broker games/b, which');
    expect(r.stderr).toContain('dup/a.yaml (document 0) declares too; an object is applied once: remove one of them');
  });

  test('a wrong format, or one folder only', () => {
    expect(diff(base, base, '--format', 'html').stderr).toContain('--format "html" is not a format; use text or markdown');
    expect(diff(base).stderr).toContain('two folders are needed (old, then new), got 1');
    expect(diff(base, base, '--format', 'html').code).toBe(1);
  });

  test('YAML 1.1 scalars are read as Kubernetes reads them: `on` is true, so `true` → `on` is no change', () => {
    const a = dir('yaml11-a', { 'x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nimmutable: true\n' });
    const b = dir('yaml11-b', { 'x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nimmutable: on\n' });
    expect(diff(a, b).stdout).toContain(': no changes, 1 unchanged');
  });
});

test('the README\'s example is what the command prints for dist and a copy with more Redis storage and a new image', () => {
  const work = path.join(ROOT, 'readme');
  fs.cpSync(path.join(__dirname, '..', '..', 'dist'), path.join(work, 'dist'), { recursive: true });
  fs.cpSync(path.join(work, 'dist'), path.join(work, 'dist-next'), { recursive: true });
  const file = path.join(work, 'dist-next', 'functions-platform.k8s.yaml');
  const text = fs.readFileSync(file, 'utf8');
  expect(text.match(/storage: 1Gi/g)).toHaveLength(1);
  fs.writeFileSync(file, text.replace('storage: 1Gi', 'storage: 2Gi').replace('image: ghcr.io/knative/helloworld-go:latest', 'image: ghcr.io/knative/helloworld-go:v2'));
  let out = '';
  expect(runDiff(['dist', 'dist-next'], (s) => { out += s; }, () => undefined, work)).toBe(2);
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toContain(`\`\`\`text\n${out}\`\`\``);
});

test('the command runs as a process: `platform-blueprints diff` through the CLI entry, markdown, exit 2', () => {
  const after = synth({ storage: 3 });
  const cli = path.join(__dirname, '..', '..', 'src', 'cli.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', cli, 'diff', base, after, '--format', 'markdown'], { encoding: 'utf8', cwd: path.join(__dirname, '..', '..') });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(2);
  expect(run.stdout).toMatch(/^### platform-blueprints diff: /);
  expect(run.stdout).toContain('| replace | `apps StatefulSet data/redis` |');
});
