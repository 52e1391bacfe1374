import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { ApiGateway, KnativeFunction, PlatformPolicy, PolicyRuleId, PolicyValidation } from '../../constructs';
import { synthValid, validationError } from '../support/k8s';

const ROOT = path.join(__dirname, '..', '..');

/** A restricted container, as the constructs write it. */
const container = (extra: any = {}) => ({
  name: 'app',
  image: 'ghcr.io/example/app:1.2.3',
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } },
  securityContext: {
    runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
  },
  ...extra,
});
const deployment = (podSpec: any = {}, c: any = container(), metadata: any = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'team', ...metadata },
  spec: { selector: { matchLabels: { app: 'app' } }, template: { metadata: { labels: { app: 'app' } }, spec: { containers: [c], ...podSpec } } },
});
const rules = (objects: any[], options = {}) => PlatformPolicy.check(objects, options).map((v) => [v.ruleId, v.message, v.locations[0]]);

describe('PlatformPolicy rules: each passes a compliant object and fails a violating one', () => {
  test('every rule has an id, a name and a fix', () => {
    expect(PlatformPolicy.rules().map((r) => r.id)).toEqual(['PB001', 'PB002', 'PB003', 'PB004', 'PB005', 'PB006', 'PB007', 'PB008']);
    for (const r of PlatformPolicy.rules()) expect(r.fix.length).toBeGreaterThan(20);
  });

  test('a compliant Deployment passes', () => {
    expect(rules([deployment()])).toEqual([]);
  });

  test.each([
    ['root allowed', container({ securityContext: { ...container().securityContext, runAsNonRoot: false } }), {}, 'container app does not set runAsNonRoot: true'],
    ['uid 0', container({ securityContext: { ...container().securityContext, runAsUser: 0 } }), {}, 'container app runs as uid 0'],
    ['privileged', container({ securityContext: { ...container().securityContext, privileged: true } }), {}, 'container app is privileged'],
    ['privilege escalation', container({ securityContext: { ...container().securityContext, allowPrivilegeEscalation: true } }), {}, 'does not set allowPrivilegeEscalation: false'],
    ['capabilities kept', container({ securityContext: { ...container().securityContext, capabilities: {} } }), {}, 'does not drop ALL capabilities'],
    ['a capability added', container({ securityContext: { ...container().securityContext, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } }), {}, 'adds capabilities NET_ADMIN'],
    ['no seccomp', container({ securityContext: { ...container().securityContext, seccompProfile: undefined } }), {}, 'has no RuntimeDefault or Localhost seccomp profile'],
    ['a host port', container({ ports: [{ containerPort: 80, hostPort: 80 }] }), {}, 'binds host port 80'],
    ['the host network', container(), { hostNetwork: true }, "shares the host's namespace (hostNetwork)"],
    ['a hostPath volume', container(), { volumes: [{ name: 'h', hostPath: { path: '/' } }] }, 'mounts a hostPath volume (h)'],
    ['an unconfined pod', container(), { securityContext: { seccompProfile: { type: 'Unconfined' } } }, "sets the pod's seccomp profile to Unconfined"],
    ['a root pod', container(), { securityContext: { runAsUser: 0 } }, 'runs its pod as uid 0'],
  ])('PB001 pod security restricted: %s', (_case, c, podSpec, message) => {
    expect(rules([deployment(podSpec, c)])).toContainEqual(['PB001', expect.stringContaining(message), expect.any(String)]);
  });

  test('PB001 accepts pod-level runAsNonRoot and seccomp, and NET_BIND_SERVICE', () => {
    const c = container({ securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } });
    expect(rules([deployment({ securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } }, c)])).toEqual([]);
  });

  test('PB002 resources: CPU and memory requests and a memory limit', () => {
    expect(rules([deployment({}, container({ resources: { requests: { memory: '64Mi' } } }))]))
      .toEqual([['PB002', 'Deployment team/app: container app sets no requests.cpu, limits.memory', '/spec/template/spec/containers/0/resources']]);
  });

  test('PB003 read-only root filesystem, unless exempted with a reason', () => {
    const writable = container({ securityContext: { ...container().securityContext, readOnlyRootFilesystem: false } });
    expect(rules([deployment({}, writable)])).toEqual([['PB003', 'Deployment team/app: container app has a writable root filesystem', '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem']]);
    const exempted = deployment({}, writable, { annotations: { 'policy.platform-blueprints.io/exempt-pb003': 'the vendor image writes its cache under /opt' } });
    expect(rules([exempted])).toEqual([]);
    const unexplained = deployment({}, writable, { annotations: { 'policy.platform-blueprints.io/exempt-pb003': 'because' } });
    expect(rules([unexplained]).map((r) => r[1])).toEqual([
      'Deployment team/app: exempts itself from PB003 without a reason ("because")',
      'Deployment team/app: container app has a writable root filesystem',
    ]);
  });

  test('PB004 pinned images: no latest, no missing tag; digests when required', () => {
    expect(rules([deployment({}, container({ image: 'redis' }))])[0]).toEqual(['PB004', 'Deployment team/app: container app uses redis, which is not pinned (no tag)', '/spec/template/spec/containers/0/image']);
    expect(rules([deployment({}, container({ image: 'registry:5000/redis:latest' }))])[0][1]).toContain('which is not pinned (latest)');
    expect(rules([deployment({}, container({ image: 'registry:5000/redis' }))])[0][1]).toContain('(no tag)');
    const digest = `redis@sha256:${'a'.repeat(64)}`;
    expect(rules([deployment({}, container({ image: digest }))])).toEqual([]);
    expect(rules([deployment({}, container({ image: 'app@sha256:abc' }))])[0][1]).toContain('whose digest is not a full @sha256:<64 hex digits>');
    expect(rules([deployment()], { requireDigests: true })).toEqual([['PB004', 'Deployment team/app: container app uses ghcr.io/example/app:1.2.3, not pinned by digest (requireDigests is set)', '/spec/template/spec/containers/0/image']]);
    expect(rules([deployment({}, container({ image: digest }))], { requireDigests: true })).toEqual([]);
    // A namespace a prod-profile bundle owns asks for digests; other namespaces do not.
    const prodNs = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'platform-blueprints.io/profile': 'prod' } } };
    const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'team' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    expect(rules([prodNs, deny, deployment()])).toEqual([['PB004', 'Deployment team/app: container app uses ghcr.io/example/app:1.2.3, not pinned by digest (namespace team is prod)', '/spec/template/spec/containers/0/image']]);
    expect(rules([prodNs, deny, deployment({}, container({ image: digest }))])).toEqual([]);
    expect(rules([{ ...prodNs, metadata: { name: 'team', labels: { 'platform-blueprints.io/profile': 'dev' } } }, deny, deployment()])).toEqual([]);
    // A RabbitMQ image, when set, is checked like a container's (without one, the operator runs its release's image).
    const rabbit = (image?: string) => ({ apiVersion: 'rabbitmq.com/v1beta1', kind: 'RabbitmqCluster', metadata: { name: 'mq', namespace: 'team' },
      spec: { image, resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } } } });
    expect(rules([rabbit()])).toEqual([]);
    expect(rules([rabbit('rabbitmq:latest')])).toEqual([['PB004', 'RabbitmqCluster team/mq: the RabbitMQ image uses rabbitmq:latest, which is not pinned (latest)', '/spec/image']]);
  });

  test('PB005 default-deny ingress in every namespace the manifests create', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
    const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'team' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    const allowAll = { ...deny, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } };
    expect(rules([ns])).toEqual([['PB005', 'Namespace team: has no default-deny ingress NetworkPolicy', '/metadata/name']]);
    expect(rules([ns, deny])).toEqual([]);
    // A rule that admits everyone undoes the default deny, even next to it.
    expect(rules([ns, deny, { ...allowAll, metadata: { name: 'open', namespace: 'team' } }]))
      .toEqual([['PB005', 'NetworkPolicy team/open: ingress rule 0 has no "from": it admits every source', '/spec/ingress/0']]);
    const peers = (from: any[]) => ({ ...deny, metadata: { name: 'p', namespace: 'team' }, spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from }] } });
    expect(rules([ns, deny, peers([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } }, podSelector: {} }])])).toEqual([]);
    expect(rules([ns, deny, peers([{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }])])).toEqual([
      ['PB005', 'NetworkPolicy team/p: ingress rule 0 admits every pod of every namespace', '/spec/ingress/0/from/0'],
      ['PB005', 'NetworkPolicy team/p: ingress rule 0 admits every address', '/spec/ingress/0/from/1'],
    ]);
  });

  test('the plugin relates objects across manifests: a namespace in one chart, its default deny in another', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-policy-'));
    const write = (name: string, doc: any) => { fs.writeFileSync(path.join(dir, name), JSON.stringify(doc)); return path.join(dir, name); };
    const ns = write('a.k8s.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    const deny = write('b.k8s.yaml', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'team' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    for (const manifests of [[ns, deny], [ns]]) {
      const context = new ValidationContext(manifests, 'platform-blueprints', '0.1.0', {}, false);
      await new PolicyValidation().validate(context);
      expect(context.report.success).toBe(manifests.length === 2);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('PB006 no RBAC wildcards', () => {
    const role = (rule: any) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [rule] });
    expect(rules([role({ apiGroups: [''], resources: ['pods'], verbs: ['get'] })])).toEqual([]);
    expect(rules([role({ apiGroups: ['*'], resources: ['pods'], verbs: ['*'] })])).toEqual([
      ['PB006', 'ClusterRole r: rule 0 grants "*" in apiGroups', '/rules/0/apiGroups'],
      ['PB006', 'ClusterRole r: rule 0 grants "*" in verbs', '/rules/0/verbs'],
    ]);
    expect(rules([role({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get', 'escalate', 'bind'] })]))
      .toEqual([['PB006', 'ClusterRole r: rule 0 grants escalate, bind', '/rules/0/verbs']]);
    const binding = (roleRef: any) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'team' }, roleRef, subjects: [{ kind: 'Group', name: 'g', apiGroup: 'rbac.authorization.k8s.io' }] });
    expect(rules([binding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'team-developer' })])).toEqual([]);
    expect(rules([binding({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' })]))
      .toEqual([['PB006', 'RoleBinding team/b: binds the built-in ClusterRole cluster-admin', '/roleRef/name']]);
  });

  test('PB001 and PB006 cannot be exempted unless the options allow it', () => {
    const annotations = { 'policy.platform-blueprints.io/exempt-pb001': 'the node agent needs the host network' };
    const hostNet = deployment({ hostNetwork: true }, container(), { annotations });
    expect(rules([hostNet]).map((r) => r[1])).toEqual([
      'Deployment team/app: exempts itself from PB001, which cannot be exempted (PolicyOptions.allowExemptions)',
      "Deployment team/app: shares the host's namespace (hostNetwork)",
    ]);
    expect(rules([hostNet], { allowExemptions: [PolicyRuleId.POD_SECURITY] })).toEqual([]);
  });

  test('PB007 no literal secrets: Secret data, secret-looking env values', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'team' }, stringData: { password: 'hunter2' } };
    expect(rules([secret])).toEqual([['PB007', 'Secret team/s: holds values in stringData', '/stringData']]);
    expect(rules([{ ...secret, stringData: undefined }])).toEqual([]);
    const env = [{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'LOG_LEVEL', value: 'info' }];
    expect(rules([deployment({}, container({ env }))])).toEqual([['PB007', 'Deployment team/app: container app sets DB_PASSWORD to a literal value', '/spec/template/spec/containers/0/env/0/value']]);
    const more = [
      { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI' },
      { name: 'DATABASE_URL', value: 'postgres://app:hunter2@db:5432/app' },
      { name: 'AMQP_URL', value: 'amqp://app:$(AMQP_PASSWORD)@rabbitmq:5672' },
      { name: 'BROKER_URI', value: 'http://broker-ingress.knative-eventing.svc.cluster.local/events/game' },
    ];
    expect(rules([deployment({}, container({ env: more }))]).map((r) => r[1])).toEqual([
      'Deployment team/app: container app sets AWS_SECRET_ACCESS_KEY to a literal value',
      'Deployment team/app: container app sets DATABASE_URL to a URL with a password in it',
    ]);
  });

  test('PB008 one public entrypoint: no LoadBalancer/NodePort, public Knative Services only as the marked entrypoint, one per namespace', () => {
    const svc = (type: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'team' }, spec: { type, ports: [{ port: 80 }] } });
    expect(rules([svc('ClusterIP')])).toEqual([]);
    expect(rules([svc('LoadBalancer')])).toEqual([['PB008', 'Service team/web: is a LoadBalancer Service, reachable from outside the cluster', '/spec/type']]);
    const ksvc = (name: string, labels: any, annotations: any = {}) => ({
      apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name, namespace: 'team', labels, annotations },
      spec: { template: { spec: { containers: [container()] } } },
    });
    const local = { 'networking.knative.dev/visibility': 'cluster-local' };
    const entry = { 'platform-blueprints.io/public-entrypoint': 'true' };
    expect(rules([ksvc('fn', local), ksvc('gateway', {}, entry)])).toEqual([]);
    expect(rules([ksvc('fn', {})])).toEqual([['PB008', "Service team/fn: is public but is not the namespace's entrypoint", '/metadata/labels']]);
    expect(rules([ksvc('a', {}, entry), ksvc('b', {}, entry)])).toEqual([['PB008', 'Service team/b: is a second public entrypoint in its namespace (the first is a)', '/metadata/annotations']]);
    // A DomainMapping publishes what it points at: only the entrypoint.
    const mapping = (name: string) => ({ apiVersion: 'serving.knative.dev/v1beta1', kind: 'DomainMapping', metadata: { name: 'api.example.com', namespace: 'team' },
      spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name } } });
    expect(rules([ksvc('fn', local), ksvc('gateway', {}, entry), mapping('gateway')])).toEqual([]);
    expect(rules([ksvc('fn', local), ksvc('gateway', {}, entry), mapping('fn')]))
      .toEqual([['PB008', "DomainMapping team/api.example.com: maps api.example.com to Service team/fn, which is not the namespace's public entrypoint", '/spec/ref']]);
  });

  test('only the rules asked for', () => {
    expect(rules([deployment({}, container({ image: 'redis' }))], { rules: [PolicyRuleId.RBAC_WILDCARDS] })).toEqual([]);
  });

  test('exemptions are made on the construct, with a reason', () => {
    const chart = Testing.chart();
    const obj = new ApiObject(chart, 'o', deployment({}, container({ image: 'vendor/app:latest' })));
    expect(validationError(() => PlatformPolicy.exempt(obj, PolicyRuleId.PINNED_IMAGES, 'why not')).message).toContain('exempt.PB004 ("why not") needs a reason of at least 10 characters');
    // Characters are code points: five emoji are five characters, not ten (UTF-16 units).
    expect(validationError(() => PlatformPolicy.exempt(obj, PolicyRuleId.PINNED_IMAGES, '🙂🙂🙂🙂🙂')).message).toContain('needs a reason of at least 10 characters');
    PlatformPolicy.exempt(obj, PolicyRuleId.PINNED_IMAGES, 'the vendor publishes only latest');
    expect(rules(chart.toJson())).toEqual([]);
  });

  test('the constructs comply: a function behind the gateway passes every rule', () => {
    const chart = Testing.chart();
    const fn = new KnativeFunction(chart, 'fn', { namespace: 'team', image: 'ghcr.io/example/fn:1' });
    new ApiGateway(chart, 'edge', { namespace: 'team' }).route('/', fn);
    expect(PlatformPolicy.check(synthValid(chart))).toEqual([]);
    expect(() => PlatformPolicy.assertCompliant(chart, chart.toJson())).not.toThrow();
    expect(validationError(() => PlatformPolicy.assertCompliant(chart, [deployment({}, container({ image: 'redis' }))])).message)
      .toContain('policy (1) violation(s): [PB004 pinned-images] Deployment team/app: container app uses redis');
  });
});

function synthTo(build: (chart: Chart) => void): { dir: string; manifests: string[]; metadata: any } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-policy-'));
  const app = new App({ outdir: dir, recordConstructMetadata: true });
  build(new Chart(app, 'team', { namespace: 'team', disableResourceNameHashes: true }));
  app.synth();
  const metadata = JSON.parse(fs.readFileSync(path.join(dir, 'construct-metadata.json'), 'utf8')).resources;
  return { dir, manifests: fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).map((f) => path.join(dir, f)), metadata };
}

const bad = (chart: Chart) => {
  new KnativeFunction(chart, 'leaky', { image: 'ghcr.io/example/leaky:latest', env: {} }).addEnv('DB_PASSWORD', { value: 'hunter2' } as any);
};
const good = (chart: Chart) => {
  const fn = new KnativeFunction(chart, 'tidy', { image: 'ghcr.io/example/tidy:2.0.1' });
  new ApiGateway(chart, 'edge').route('/', fn);
};

describe('PolicyValidation, the cdk8s validation plugin', () => {
  async function run(build: (chart: Chart) => void, properties = {}) {
    const { manifests, metadata } = synthTo(build);
    const context = new ValidationContext(manifests, 'platform-blueprints', '0.1.0', Object.fromEntries(Object.entries<any>(metadata).map(([k, v]) => [k, { path: v.path }])), false);
    await new PolicyValidation(properties).validate(context as any);
    return context.report;
  }

  test('fails a bad chart with a report naming the rule, the object, its construct path and the fix', async () => {
    const report = await run(bad);
    expect(report.success).toBe(false);
    const json = report.toJson();
    expect(json.violations.map((v: { ruleName: string }) => v.ruleName)).toEqual([
      'PB004 pinned-images: Service team/leaky: container function uses ghcr.io/example/leaky:latest, which is not pinned (latest)',
      'PB007 no-literal-secrets: Service team/leaky: container function sets DB_PASSWORD to a literal value',
    ]);
    expect(json.violations[0].violatingConstructs[0]).toMatchObject({ constructPath: 'team/leaky/Resource', resourceName: 'leaky', locations: ['/spec/template/spec/containers/0/image'] });
    expect(json.violations[1].fix).toContain('create the Secret at deploy time');
    expect(json.summary.metadata).toEqual({ objects: '2', violations: '2' });
  });

  test('passes a good chart', async () => {
    const report = await run(good);
    expect([report.success, report.toJson().violations]).toEqual([true, []]);
  });

  test('takes PolicyOptions as properties', async () => {
    expect((await run(good, { requireDigests: true })).success).toBe(false);
  });

  test('through the cdk8s CLI: `cdk8s synth` fails on the bad app and passes the good one', () => {
    const cli = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
    const project = (name: string, build: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pb-cli-${name}-`));
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      fs.writeFileSync(path.join(dir, 'app.ts'), [
        "import { App, Chart } from 'cdk8s';",
        `import { ApiGateway, KnativeFunction } from '${path.join(ROOT, 'constructs')}';`,
        "const app = new App();",
        "const chart = new Chart(app, 'team', { namespace: 'team' });",
        build,
        'app.synth();',
      ].join('\n'));
      fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
        'language: typescript',
        `app: ${path.join(ROOT, 'node_modules', '.bin', 'tsx')} app.ts`,
        'output: dist',
        'validations:',
        `  - package: ${path.join(ROOT, 'scripts', 'policy-plugin.js')}`,
        '    version: 0.1.0',
        '    class: PolicyValidation',
      ].join('\n'));
      return dir;
    };
    const synth = (dir: string) => {
      try {
        return { ok: true, out: execFileSync(cli, ['synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } }) };
      } catch (e: any) {
        return { ok: false, out: `${e.stdout}${e.stderr}` };
      }
    };
    const failing = synth(project('bad', "new KnativeFunction(chart, 'leaky', { image: 'ghcr.io/example/leaky:latest' });"));
    expect(failing.ok).toBe(false);
    expect(failing.out).toContain('PB004 pinned-images: Service team/leaky');
    expect(failing.out).toContain('Construct Path: team/leaky/Resource');
    const passing = synth(project('good', "new ApiGateway(chart, 'edge').route('/', new KnativeFunction(chart, 'tidy', { image: 'ghcr.io/example/tidy:2.0.1' }));"));
    expect(passing).toMatchObject({ ok: true });
    expect(passing.out).toContain('Validations ended succesfully');
  }, 60_000);
});
