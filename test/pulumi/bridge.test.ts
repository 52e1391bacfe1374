import { ApiObject, App, Chart } from 'cdk8s';
import * as pulumi from '@pulumi/pulumi';
import * as pulumiRuntimeResource from '@pulumi/pulumi/runtime/resource';
import { mockPulumi, settle, valueOf } from '../support/pulumi';

const mocked = mockPulumi(() => ({ result: 'generated-password-0123456789abcdef' }));
// Modules that touch Pulumi resources load after the mocks are in place.
import { ClusterInstall, DeployHints, FunctionsPlatform, KnativeFunction, Language, ValidationError } from '../../constructs';
import { Cdk8sDeployment, planDeployment } from '../../src/pulumi/bridge';
import { DeclaredObjects } from '../../src/pulumi/declared-objects';

function platformApp() {
  const app = new App();
  const chart = new Chart(app, 'platform');
  const platform = new FunctionsPlatform(chart, 'p', {
    namespace: 'games',
    functions: [
      { name: 'score', image: 'ghcr.io/example/score:1', language: Language.GO },
      { name: 'board', image: 'ghcr.io/example/board:1', bindStore: false },
    ],
  });
  return { app, platform };
}

describe('planDeployment', () => {
  const { app } = platformApp();
  const plan = planDeployment(app);
  const index = (key: string) => plan.findIndex((p) => p.key === key);

  test('plans every synthesized object plus the deploy-time Secret', () => {
    const synthesized = app.charts.flatMap((c) => c.toJson()).length;
    expect(plan).toHaveLength(synthesized + 1);
    expect(plan.filter((p) => p.secret).map((p) => p.key)).toEqual(['v1 Secret games/redis-auth']);
  });

  test('the Namespace comes first and everything in it waits for it', () => {
    expect(plan[0].key).toBe('v1 Namespace games');
    for (const p of plan.slice(1)) expect(p.dependsOn).toContain('v1 Namespace games');
  });

  test('objects wait for the Secrets and ConfigMaps they reference', () => {
    const byKey = Object.fromEntries(plan.map((p) => [p.key, p]));
    expect(byKey['apps/v1 StatefulSet games/redis'].dependsOn).toEqual(['v1 Namespace games', 'v1 Secret games/redis-auth', 'v1 ConfigMap games/redis-config']);
    expect(byKey['serving.knative.dev/v1 Service games/score'].dependsOn).toEqual(['v1 Namespace games', 'v1 Secret games/redis-auth']);
    expect(byKey['serving.knative.dev/v1 Service games/board'].dependsOn).toEqual(['v1 Namespace games']);
    expect(byKey['serving.knative.dev/v1 Service games/gateway'].dependsOn).toEqual(['v1 Namespace games', 'v1 ConfigMap games/gateway-nginx']);
    expect(index('v1 Secret games/redis-auth')).toBeLessThan(index('serving.knative.dev/v1 Service games/score'));
  });

  test('marks the Redis StatefulSet stateful, and its Namespace because of it; awaits Knative Services until Ready', () => {
    expect(plan.filter((p) => p.stateful).map((p) => [p.key, p.stateful])).toEqual([
      ['v1 Namespace games', 'holds stateful objects (apps/v1 StatefulSet games/redis)'],
      ['apps/v1 StatefulSet games/redis', 'holds the Redis data set; its volumeClaimTemplates cannot change in place'],
    ]);
    expect(plan.filter((p) => p.readyCondition).map((p) => p.key)).toEqual([
      'serving.knative.dev/v1 Service games/score', 'serving.knative.dev/v1 Service games/board', 'serving.knative.dev/v1 Service games/gateway',
    ]);
  });

  test('an object the library did not build waits for what its pod templates reference, anywhere in them', () => {
    const tree = new App();
    const chart = new Chart(tree, 'c', { namespace: 'x' });
    for (const [kind, name] of [['ServiceAccount', 'sa'], ['Secret', 's1'], ['ConfigMap', 'c1'], ['PersistentVolumeClaim', 'pvc'], ['Secret', 's2'], ['ConfigMap', 'c2']]) {
      new ApiObject(chart, `${kind}-${name}`, { apiVersion: 'v1', kind, metadata: { name } });
    }
    new ApiObject(chart, 'job', {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'job' },
      spec: {
        jobTemplate: { spec: { template: { spec: {
          serviceAccountName: 'sa',
          volumes: [{ secret: { secretName: 's1' } }, { configMap: { name: 'c1' } }, { persistentVolumeClaim: { claimName: 'pvc' } }],
          containers: [{ envFrom: [{ secretRef: { name: 's2' } }], env: [{ valueFrom: { configMapKeyRef: { name: 'c2', key: 'k' } } }] }],
        } } } },
      },
    });
    expect(planDeployment(tree).find((p) => p.key === 'batch/v1 CronJob x/job')!.dependsOn.sort()).toEqual([
      'v1 ConfigMap x/c1', 'v1 ConfigMap x/c2', 'v1 PersistentVolumeClaim x/pvc', 'v1 Secret x/s1', 'v1 Secret x/s2', 'v1 ServiceAccount x/sa',
    ]);
  });

  test('an object that serves an API group goes before that group\'s objects; declared dependencies are kept', () => {
    const tree = new App();
    const chart = new Chart(tree, 'c', { namespace: 'x' });
    const crd = new ApiObject(chart, 'crd', { apiVersion: 'apiextensions.crossplane.io/v2', kind: 'CompositeResourceDefinition', metadata: { name: 'widgets.example.org' } });
    DeployHints.providesApiGroup(crd, 'example.org');
    const widget = new ApiObject(chart, 'widget', { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' } });
    const after = new ApiObject(chart, 'after', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
    DeployHints.dependsOn(after, widget);
    const steps = planDeployment(tree);
    const byKey = Object.fromEntries(steps.map((p) => [p.key, p]));
    expect(byKey['example.org/v1 Widget x/w'].dependsOn).toEqual(['apiextensions.crossplane.io/v2 CompositeResourceDefinition x/widgets.example.org']);
    expect(byKey['v1 ConfigMap x/after'].dependsOn).toEqual(['example.org/v1 Widget x/w']);
    expect(steps.map((p) => p.key)).toEqual([
      'apiextensions.crossplane.io/v2 CompositeResourceDefinition x/widgets.example.org', 'example.org/v1 Widget x/w', 'v1 ConfigMap x/after',
    ]);
    const outside = new ApiObject(new Chart(new App(), 'other'), 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' } });
    DeployHints.dependsOn(widget, outside);
    expect(() => planDeployment(tree)).toThrow('c/widget: dependsOn (other/o) is an object outside the deployed tree; example.org/v1 Widget x/w cannot wait for it');
  });

  test('construct validations surface as errors, and duplicate objects are refused', () => {
    const dup = new App();
    const chart = new Chart(dup, 'c', { namespace: 'x' });
    new KnativeFunction(chart, 'a', { image: 'ghcr.io/example/a:1', name: 'same' });
    new KnativeFunction(chart, 'b', { image: 'ghcr.io/example/b:1', name: 'same' });
    const refused = (() => {
      try {
        planDeployment(dup);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(ValidationError.isValidationError(refused)).toBe(true);
    expect((refused as Error).message).toBe('c/b/Resource: metadata.name ("same") is taken: serving.knative.dev Service x/same is also made by c/a/Resource; ' +
      'two objects of one kind cannot share a namespace and a name on a cluster; rename one of them (the name prop of the construct that makes it)');
    const failing = new App();
    const c2 = new Chart(failing, 'c', { namespace: 'x' });
    c2.node.addValidation({ validate: () => ['something is off'] });
    expect(() => planDeployment(failing)).toThrow('validation failed:\nc: something is off');
  });
});

describe('the Pulumi path refuses what synth refuses', () => {
  test('an object the platform policy refuses stops the deployment before any resource is registered, with rule, object and fix', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'games' });
    new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:latest' });
    // Counted where resources register (synchronously, in their constructors), not in the mock's asynchronous log.
    const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
    let error: unknown;
    try {
      new Cdk8sDeployment('refused', { root: app });
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isValidationError(error)).toBe(true);
    expect((error as Error).message).toContain('<app>: policy refuses 1 object(s), as cdk8s synth would:\n[PB004]');
    expect((error as Error).message).toContain('games/fn');
    expect(registered).not.toHaveBeenCalled();
    registered.mockRestore();
    // The same options as the cdk8s plugin's properties, and an explicit way out.
    expect(() => new Cdk8sDeployment('allowed', { root: app, policy: { rules: [] } })).not.toThrow();
    expect(() => new Cdk8sDeployment('unchecked', { root: app, resourcePrefix: 'unchecked', enforcePolicy: false })).not.toThrow();
  });

  test('a collision is refused on the Pulumi path too, naming both constructs', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'games' });
    new KnativeFunction(chart, 'cache', { image: 'ghcr.io/example/fn:1' });
    new KnativeFunction(chart, 'other', { image: 'ghcr.io/example/fn:1', name: 'cache' });
    expect(() => new Cdk8sDeployment('collision', { root: app })).toThrow(/c\/other\/Resource: metadata.name \("cache"\) is taken: .* c\/cache\/Resource/);
  });
});

describe('Cdk8sDeployment under Pulumi mocks', () => {
  const { app, platform } = platformApp();
  class Install extends pulumi.CustomResource {
    public constructor(name: string) {
      super('test:index:Install', name, {});
    }
  }
  const install = new Install('knative-install');
  const deployment = new Cdk8sDeployment('functions', { root: app, installs: { [ClusterInstall.KNATIVE_SERVING.id]: [install] } });
  const ready = settle(Object.values(deployment.resources));

  test('registers every object as its own resource, built-in kinds with their typed classes', async () => {
    await ready;
    const children = mocked.registrations.filter((r) => r.parent.endsWith('platform-blueprints:index:Cdk8sDeployment::functions'));
    const kubernetes = children.filter((r) => r.type.startsWith('kubernetes:'));
    expect(kubernetes).toHaveLength(deployment.plan.length);
    expect(kubernetes.map((r) => `${r.type} ${r.name}`).sort()).toEqual(deployment.plan.map((p) => {
      const [group, version] = p.manifest.apiVersion.includes('/') ? p.manifest.apiVersion.split('/') : ['core', p.manifest.apiVersion];
      return `kubernetes:${group}/${version}:${p.manifest.kind} functions/${p.name}`;
    }).sort());
    expect(mocked.get('kubernetes:serving.knative.dev/v1:Service', 'functions/games/score').inputs).toMatchObject({
      apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'score', namespace: 'games' },
    });
  });

  test('Knative objects wait for the Knative install; everything waits for its namespace and references', async () => {
    await ready;
    expect(mocked.dependencyNames('kubernetes:serving.knative.dev/v1:Service', 'functions/games/score').sort())
      .toEqual(['functions/games', 'functions/games/redis-auth', 'knative-install'].sort());
    expect(mocked.dependencyNames('kubernetes:apps/v1:StatefulSet', 'functions/games/redis').sort())
      .toEqual(['functions/games', 'functions/games/redis-auth', 'functions/games/redis-config'].sort());
    expect(mocked.dependencyNames('kubernetes:core/v1:Namespace', 'functions/games')).toEqual([]);
  });

  test('the Redis StatefulSet and its Namespace (whose deletion would take the PVC) are protected and retained; nothing else is', async () => {
    await ready;
    const guarded = mocked.registrations.filter((r) => r.parent.includes('::functions') && (r.protect || r.retainOnDelete))
      .map((r) => [r.type, r.name, r.protect, r.retainOnDelete]);
    expect(guarded).toEqual([
      ['kubernetes:core/v1:Namespace', 'functions/games', true, true],
      ['kubernetes:apps/v1:StatefulSet', 'functions/games/redis', true, true],
    ]);
  });

  test('one tree deployed twice (e.g. to two clusters) gets distinct resource names', async () => {
    const again = new Cdk8sDeployment('functions-eu', { root: platformApp().app });
    await settle(Object.values(again.resources));
    const names = mocked.registrations.filter((r) => r.type === 'kubernetes:apps/v1:StatefulSet').map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['functions/games/redis', 'functions-eu/games/redis']));
  });

  test('the Redis password is generated, held as a Pulumi secret, and appears nowhere in plain text', async () => {
    await ready;
    expect(mocked.get('random:index/randomPassword:RandomPassword', 'functions/games/redis-auth/password').inputs).toMatchObject({ length: 32, special: false });
    const secret = deployment.resource('v1', 'Secret', 'games', 'redis-auth') as any;
    expect(await pulumi.isSecret(secret.stringData)).toBe(true);
    const inputs = mocked.get('kubernetes:core/v1:Secret', 'functions/games/redis-auth').inputs;
    // Sent to the engine as a secret (the wire marker, which the testing entry reports by path).
    expect(mocked.get('kubernetes:core/v1:Secret', 'functions/games/redis-auth').secretInputs).toEqual(['stringData']);
    expect(inputs.stringData.password).toBe('generated-password-0123456789abcdef');
    const elsewhere = mocked.registrations.filter((r) => r.type !== 'kubernetes:core/v1:Secret' && !r.type.startsWith('random:'));
    expect(JSON.stringify(elsewhere.map((r) => r.inputs))).not.toContain('generated-password');
    expect(platform.redis!.passwordSecret).toEqual({ secretName: 'redis-auth', key: 'password' });
  });

  test('a given password replaces the generated one and stays secret', async () => {
    const own = platformApp();
    const d = new Cdk8sDeployment('own', { root: own.app, secretValues: { 'redis-auth': { password: 'from-config-0123456789' } } });
    await settle(Object.values(d.resources));
    const secret = d.resource('v1', 'Secret', 'games', 'redis-auth') as any;
    expect(await pulumi.isSecret(secret.stringData)).toBe(true);
    expect(await valueOf(secret.stringData)).toEqual({ password: 'from-config-0123456789' });
    expect(mocked.registrations.filter((r) => r.type.startsWith('random:') && r.parent.includes('::own'))).toEqual([]);
  });

  test('the older apiGroupDependencies form still orders objects after an install', async () => {
    const older = new Cdk8sDeployment('older', { root: platformApp().app, apiGroupDependencies: { 'serving.knative.dev': [install] } });
    await settle(Object.values(older.resources));
    expect(mocked.dependencyNames('kubernetes:serving.knative.dev/v1:Service', 'older/games/score')).toContain('knative-install');
    expect(mocked.dependencyNames('kubernetes:apps/v1:StatefulSet', 'older/games/redis')).not.toContain('knative-install');
  });

  test('an object an install declares already, identically, is deployed once, by the install; what needs it waits for that install', async () => {
    const declared = new DeclaredObjects();
    const { app: tree } = platformApp();
    const planned = (key: string) => planDeployment(tree).find((p) => p.key === key)!.manifest;
    // An install (declared first) that creates the platform's ConfigMap and gateway Service as the platform does.
    declared.claimNow('cluster-setup', [planned('v1 ConfigMap games/redis-config'), { ...planned('v1 ConfigMap games/gateway-nginx') }]);
    const setup = new Install('cluster-setup');
    declared.bind('cluster-setup', setup);
    const d = new Cdk8sDeployment('shared', { root: tree, declared });
    await settle(Object.values(d.resources));
    expect(d.heldElsewhere).toEqual({ 'v1 ConfigMap games/redis-config': 'cluster-setup', 'v1 ConfigMap games/gateway-nginx': 'cluster-setup' });
    const mine = mocked.registrations.filter((r) => r.parent.endsWith('Cdk8sDeployment::shared') && r.type.startsWith('kubernetes:'));
    expect(mine.map((r) => r.name)).not.toEqual(expect.arrayContaining(['shared/games/redis-config']));
    expect(mine).toHaveLength(d.plan.length - 2);
    expect(mocked.dependencyNames('kubernetes:apps/v1:StatefulSet', 'shared/games/redis').sort()).toEqual(['cluster-setup', 'shared/games', 'shared/games/redis-auth']);
    expect(() => d.resource('v1', 'ConfigMap', 'games', 'redis-config')).toThrow('v1 ConfigMap games/redis-config is deployed by cluster-setup, which declares it too; use that resource');
  });

  test('a copy that differs from the install\'s, or of a stateful object, is refused before anything registers: the install\'s copy would lose the difference or the protection', () => {
    const refusal = (objects: (tree: App) => any[]) => {
      const declared = new DeclaredObjects();
      const { app: tree } = platformApp();
      declared.claimNow('cluster-setup', objects(tree));
      declared.bind('cluster-setup', new Install('cluster-setup'));
      const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
      try {
        new Cdk8sDeployment('refused', { root: tree, declared });
      } catch (e) {
        expect(registered).not.toHaveBeenCalled();
        return e as Error;
      } finally {
        registered.mockRestore();
      }
      throw new Error('not refused');
    };
    const planned = (tree: App, key: string) => planDeployment(tree).find((p) => p.key === key)!.manifest;
    const config = refusal((tree) => [{ ...planned(tree, 'v1 ConfigMap games/redis-config'), data: { 'redis.conf': 'maxmemory 1mb' } }]);
    expect(ValidationError.isValidationError(config)).toBe(true);
    expect(config.message).toBe('platform/p/Redis/Config: metadata.name ("redis-config") is v1 ConfigMap games/redis-config, which cluster-setup declares too, ' +
      'before this deployment: only its copy would be deployed, and the copies differ in data; give the object a name of its own (for a Namespace: choose ' +
      'another namespace), or leave it out of this tree when the other copy is the one wanted');
    // A Namespace without the platform's Pod Security labels: each label that differs is named.
    const namespace = refusal(() => [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'games', labels: { 'app.kubernetes.io/name': 'other' } } }]);
    expect(namespace.message).toMatch(/^platform\/p\/Namespace: metadata.name \("games"\) is v1 Namespace games, which cluster-setup declares too, before this deployment: only its copy would be deployed, and it is stateful \(holds stateful objects/);
    expect(namespace.message).toContain('; the copies differ in metadata.labels["app.kubernetes.io/managed-by"], metadata.labels["app.kubernetes.io/name"], ' +
      'metadata.labels["platform-blueprints.io/profile"], metadata.labels["pod-security.kubernetes.io/audit"], metadata.labels["pod-security.kubernetes.io/enforce"] and 2 more too; ');
    // The Namespace holds the Redis data: even an identical copy would be deployed without protect and retainOnDelete.
    const same = refusal((tree) => [planned(tree, 'v1 Namespace games')]);
    expect(same.message).toContain('it is stateful (holds stateful objects (apps/v1 StatefulSet games/redis)) and would be deployed without its protection (protect, retainOnDelete)');
  });

  test('two deployments sharing a ledger and an object: the second waits for the first, which deploys the object', async () => {
    const declared = new DeclaredObjects();
    const tree = (cm: string) => {
      const t = new App();
      new ApiObject(new Chart(t, 'ns'), 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
      new ApiObject(new Chart(t, 'c', { namespace: 'team' }), cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm }, data: { k: cm } });
      return t;
    };
    const first = new Cdk8sDeployment('app1', { root: tree('one'), declared, policy: { rules: [] } });
    const second = new Cdk8sDeployment('app2', { root: tree('two'), declared, policy: { rules: [] } });
    await settle([...Object.values(first.resources), ...Object.values(second.resources)]);
    expect(second.heldElsewhere).toEqual({ 'v1 Namespace team': 'app1' });
    expect(Object.keys(first.resources).sort()).toEqual(['v1 ConfigMap team/one', 'v1 Namespace team']);
    // Waiting for a component is waiting for its children (the engine is sent their URNs): the Namespace among them.
    expect(mocked.dependencyNames('kubernetes:core/v1:ConfigMap', 'app2/team/two')).toContain('app1/team');
    expect(declared.waits).toEqual([{ from: 'app2', to: 'app1', reasons: ['Namespace team is held there'] }]);
  });

  test('the platform\'s objects wait for the install stages holding their CRD or a CA-injected webhook admitting them; its own CA-injected webhooks are awaited', async () => {
    const declared = new DeclaredObjects();
    declared.claimNow('certs', [
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'certificates.cert-manager.io' }, spec: { group: 'cert-manager.io', names: { kind: 'Certificate', plural: 'certificates' } } },
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'cert-manager-webhook', annotations: { 'cert-manager.io/inject-ca-from-secret': 'cert-manager/cert-manager-webhook-ca' } },
        webhooks: [{ name: 'webhook.cert-manager.io', rules: [{ apiGroups: ['cert-manager.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['*/*'] }] }] },
    ]);
    const certs = new Install('certs');
    declared.bind('certs', certs);
    const tree = new App();
    const chart = new Chart(tree, 'tls', { namespace: 'tls' });
    new ApiObject(chart, 'cert', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'api' }, spec: { secretName: 'api-tls' } });
    new ApiObject(new Chart(tree, 'cluster'), 'hook', {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'own', annotations: { 'cert-manager.io/inject-ca-from': 'tls/api' } },
      webhooks: [{ name: 'a.example.org', clientConfig: { service: { name: 'a', namespace: 'tls' } } }, { name: 'b.example.org', clientConfig: { service: { name: 'b', namespace: 'tls' } } }],
    });
    const d = new Cdk8sDeployment('tls', { root: tree, declared, policy: { rules: [] } });
    await settle(Object.values(d.resources));
    expect(mocked.dependencyNames('kubernetes:cert-manager.io/v1:Certificate', 'tls/tls/api')).toEqual(['certs']);
    expect(mocked.dependencyNames('kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration', 'tls/own')).toEqual([]);
    expect(JSON.parse(mocked.get('kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration', 'tls/own').inputs.metadata.annotations['pulumi.com/waitFor']))
      .toEqual(['jsonpath={.webhooks[0].clientConfig.caBundle}', 'jsonpath={.webhooks[1].clientConfig.caBundle}']);
  });

  test('an unknown object is a clear error', () => {
    expect(() => deployment.resource('v1', 'Service', 'games', 'nope')).toThrow('no object v1 Service games/nope in this deployment');
  });
});
