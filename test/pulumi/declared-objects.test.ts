/**
 * The ledger that keeps every object of a program declared once (pulumi-kubernetes ≥ 4.29 refuses a second
 * declaration with AlreadyExists on the first `pulumi up`).
 */
import { DeclaredObjects, describeObject } from '../../src/pulumi/declared-objects';

const ns = (name: string, labels: { [k: string]: string } = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const deployment = (apiVersion: string, namespace: string, name: string) => ({ apiVersion, kind: 'Deployment', metadata: { name, namespace } });

describe('DeclaredObjects', () => {
  test('an object is compared by API group, kind, namespace and name; the earliest claim keeps it, later ones wait for that claim', () => {
    const declared = new DeclaredObjects();
    const first = declared.claimNow('cluster-operator', [ns('rabbitmq-system', { 'app.kubernetes.io/part-of': 'rabbitmq' }), deployment('apps/v1', 'rabbitmq-system', 'operator')]);
    const second = declared.claimNow('topology-operator', [
      ns('rabbitmq-system', { 'control-plane': 'controller-manager' }),
      // Another version of the same group and kind is the same object.
      deployment('apps/v1beta2', 'rabbitmq-system', 'operator'),
      // Another namespace, or another group with the same kind, is another object.
      deployment('apps/v1', 'other', 'operator'),
      { apiVersion: 'example.org/v1', kind: 'Deployment', metadata: { name: 'operator', namespace: 'rabbitmq-system' } },
    ]);
    expect(first.kept).toHaveLength(2);
    expect(second.kept.map(describeObject)).toEqual(['Deployment.apps other/operator', 'Deployment.example.org rabbitmq-system/operator']);
    expect(second.objects).toEqual([
      { heldBy: 'cluster-operator', waitsFor: [] }, { heldBy: 'cluster-operator', waitsFor: [] }, { waitsFor: [] }, { waitsFor: [] },
    ]);
    expect(second.waitsFor).toEqual(['cluster-operator']);
    expect(declared.dropped).toEqual([
      { object: 'Namespace rabbitmq-system', droppedFrom: 'topology-operator', keptBy: 'cluster-operator', identical: false },
      { object: 'Deployment.apps rabbitmq-system/operator', droppedFrom: 'topology-operator', keptBy: 'cluster-operator', identical: false },
    ]);
    expect(declared.waits).toEqual([{
      from: 'topology-operator', to: 'cluster-operator',
      reasons: ['Namespace rabbitmq-system is held there', 'Deployment.apps rabbitmq-system/operator is held there'],
    }]);
    expect(declared.holderOf('v1', 'Namespace', undefined, 'rabbitmq-system')).toBe('cluster-operator');
  });

  test('a copy repeated inside one claim is dropped too; identical copies are told apart from differing ones; unnamed objects are kept', () => {
    const declared = new DeclaredObjects();
    const claim = declared.claimNow('one', [ns('a'), { ...ns('a'), metadata: { labels: {}, name: 'a' } }, { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'x-' } }]);
    expect(claim.kept).toHaveLength(2);
    expect(claim.objects[1]).toEqual({ heldBy: 'one', waitsFor: [] });
    expect(declared.dropped).toEqual([{ object: 'Namespace a', droppedFrom: 'one', keptBy: 'one', identical: true }]);
    expect(claim.waitsFor).toEqual([]);
  });

  test('claims being read are decided in claim order, whichever file arrives first', async () => {
    const declared = new DeclaredObjects();
    let releaseFirst: (objs: any[]) => void = () => undefined;
    const slow = new Promise<any[]>((resolve) => {
      releaseFirst = resolve;
    });
    const first = declared.claim('first', slow);
    const second = declared.claim('second', Promise.resolve([ns('shared'), ns('own')]), ['first']);
    expect(() => declared.claimNow('platform', [ns('shared')])).toThrow(
      'declared objects: platform claims its objects while 2 earlier claim(s) are still being read; await declared.settled() before creating it');
    releaseFirst([ns('shared')]);
    expect((await second).kept.map(describeObject)).toEqual(['Namespace own']);
    expect((await first).kept.map(describeObject)).toEqual(['Namespace shared']);
    await declared.settled();
    expect(declared.waits).toEqual([{ from: 'second', to: 'first', reasons: ['declared after it', 'Namespace shared is held there'] }]);
    expect(declared.claimNow('platform', [ns('shared'), ns('own'), ns('mine')]).objects.map((o) => o.heldBy)).toEqual(['first', 'second', undefined]);
  });

  test('misuse is a clear error: a name claimed twice, `after` naming no earlier claim, an unbound claim, a failed read', async () => {
    const declared = new DeclaredObjects();
    declared.claimNow('a', []);
    expect(() => declared.claimNow('a', [])).toThrow('declared objects: a has claimed already; give each stage and deployment its own name');
    expect(() => declared.claimNow('b', [], ['c'])).toThrow('declared objects: b comes after c, which has not claimed before it');
    expect(() => declared.resources(['a'])).toThrow('declared objects: a has no resource bound; bind(owner, resource) after claiming');
    expect(() => declared.bind('nobody', {} as any)).toThrow('declared objects: nothing claimed by nobody');
    const failed = declared.claim('broken', Promise.reject(new Error('GET kourier.yaml: HTTP 404')));
    await expect(failed).rejects.toThrow('GET kourier.yaml: HTTP 404');
    const later = declared.claim('later', Promise.resolve([ns('x')]));
    expect((await later).kept).toHaveLength(1);
    await expect(declared.settled()).rejects.toThrow('declared objects: the objects of broken could not be read (see the error above)');
  });
});
