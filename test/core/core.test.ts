import * as kplus from 'cdk8s-plus-27';
import { DeployTimeSecret, IngressPolicy, KnativeFunction, PasswordSource, Redis, ValidationError } from '../../constructs';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';
import { checkName, toLabelValue, toObjectName } from '../../constructs/core/k8s-rules';
import { show } from '../../constructs/core/errors';
import { Chart, Testing } from 'cdk8s';

describe('DeployTimeSecret', () => {
  test('hands out references to its keys only', () => {
    const { chart } = testChart();
    const secret = new DeployTimeSecret(chart, 'S', { name: 'api-auth', namespace: 'ns', keys: ['token'], purpose: 'API token' });
    expect(secret.keyRef('token')).toEqual({ secretName: 'api-auth', key: 'token' });
    expect(validationError(() => secret.keyRef('password')).message).toBe('test/S: key ("password") is not one of this secret\'s keys (token)');
  });

  test.each([
    [{ keys: [] }, 'test/S: keys ([]) must name at least one key'],
    [{ keys: ['a b'] }, 'test/S: keys[0] ("a b") must consist of alphanumerics, "-", "_" or "."'],
    [{ length: 300 }, 'test/S: length (300) must be <= 256'],
    [{ name: 'Bad_Name' }, 'test/S: name ("Bad_Name") must be a DNS-1123 subdomain'],
  ])('rejects %j', (props, message) => {
    const { chart } = testChart();
    expect(validationError(() => new DeployTimeSecret(chart, 'S', { name: 'x', namespace: 'ns', keys: ['k'], purpose: 'p', ...props })).message).toContain(message);
  });

  test('PasswordSource.generate declares one; fromSecret references the existing one', () => {
    const { chart } = testChart();
    const generated = new Redis(chart, 'a', { password: PasswordSource.generate({ length: 40 }) });
    const existing = new Redis(chart, 'b', { password: PasswordSource.fromSecret('vault-a', 'pw') });
    expect(generated.passwordSecret).toEqual({ secretName: 'a-auth', key: 'password' });
    expect(existing.passwordSecret).toEqual({ secretName: 'vault-a', key: 'pw' });
    expect(DeployTimeSecret.findAll(chart).map((s) => [s.name, s.length])).toEqual([['a-auth', 40]]);
  });
});

describe('IngressPolicy', () => {
  test('admits a workload of another namespace through a namespace selector, and is idempotent per rule', () => {
    const { chart } = testChart();
    const policy = new IngressPolicy(chart, 'P', { name: 'db-ingress', namespace: 'ns', podSelector: { app: 'db' } });
    const far = new KnativeFunction(chart, 'far', { image: 'ghcr.io/example/far:1', namespace: 'team-b' });
    policy.admit(far.peer, { ports: [5432] });
    policy.admit(far.peer, { ports: [5432] });
    policy.admitNamespaces(['monitoring'], { ports: [9187] });
    expect(findObject(synthValid(chart), 'NetworkPolicy', 'db-ingress').spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-b' } }, podSelector: { matchLabels: { 'serving.knative.dev/service': 'far' } } }],
        ports: [{ port: 5432, protocol: 'TCP' }],
      },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ port: 9187, protocol: 'TCP' }] },
    ]);
  });
});

describe('workloads as cdk8s-plus network policy peers', () => {
  test('a hand-written kplus.NetworkPolicy can admit a function and target Redis', () => {
    const { chart } = testChart();
    const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1' });
    const redis = new Redis(chart, 'redis');
    new kplus.NetworkPolicy(chart, 'Custom', {
      metadata: { name: 'custom' },
      selector: redis,
      ingress: { rules: [{ peer: fn, ports: [kplus.NetworkPolicyPort.tcp(6379)] }] },
    });
    expect(findObject(synthValid(chart), 'NetworkPolicy', 'custom').spec).toEqual({
      podSelector: { matchLabels: redis.podSelector },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ns' } }, podSelector: { matchLabels: { 'serving.knative.dev/service': 'fn' } } }],
        ports: [{ port: 6379, protocol: 'TCP' }],
      }],
    });
  });
});

describe('ValidationError', () => {
  test('carries the construct path and field, and is recognisable across module copies', () => {
    const { chart } = testChart();
    const e = new ValidationError(chart, 'spec.x', 'is wrong');
    expect([e.message, e.constructPath, e.field, e.name]).toEqual(['test: spec.x is wrong', 'test', 'spec.x', 'ValidationError']);
    expect(ValidationError.isValidationError(e)).toBe(true);
    expect(ValidationError.isValidationError(new Error('x'))).toBe(false);
  });
});

describe('names and label values made from arbitrary text', () => {
  test.each([
    ['game-dev.example.score', 253],
    ['com.example.-x_Y', 253],
    ['a'.repeat(300), 253],
    ['...', 253],
    ['Orders.Created', 63],
  ])('toObjectName(%j) is a valid DNS-1123 subdomain, stable, and the text itself when it already is one', (text, max) => {
    const name = toObjectName(text, max);
    expect(checkName('dns1123-subdomain', name)).toBeUndefined();
    expect(name.length).toBeLessThanOrEqual(max);
    expect(toObjectName(text, max)).toBe(name);
    if (checkName('dns1123-subdomain', text) === undefined && text.length <= max) expect(name).toBe(text);
  });

  test('different texts that clean up alike keep different names', () => {
    expect(toObjectName('a_b')).not.toBe(toObjectName('a-b'));
    expect(toObjectName('a_b')).toMatch(/^a-b-[0-9a-f]{8}$/);
    expect(toLabelValue('x'.repeat(64))).not.toBe(toLabelValue(`${'x'.repeat(63)}y`));
  });

  test.each(['short', 'game-com.mycompany.platform.orders.fulfillment.shipment.dispatched', 'a b/c', '-x-', ''])('toLabelValue(%j) is a valid label value', (text) => {
    const value = toLabelValue(text);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
  });
});

describe('show (values in error messages)', () => {
  test('shows constructs by class and path, and never throws on values JSON cannot render', () => {
    const chart = new Chart(Testing.app(), 'c');
    const circular: any = { a: 1 };
    circular.self = circular;
    expect(show(new Chart(chart, 'inner'))).toBe('Chart c/inner');
    expect(show(circular)).toBe('[object Object]');
    expect(show(BigInt(5))).toBe('5');
    expect(show(function named() { return 1; })).toBe('[function named]');
    expect(show(Symbol('s'))).toBe('Symbol(s)');
    expect(show('x')).toBe('"x"');
    expect(show(null)).toBe('null');
  });
});
