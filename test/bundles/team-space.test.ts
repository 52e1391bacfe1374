import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CloudEventType, EventDrivenPlatform, EventFilter, KeyValueStoreApi, PingSource, PlatformPolicy, StoreSize, TeamSpace,
} from '../../constructs';
import { findObject, synthValid, validationError } from '../support/k8s';

function platform() {
  const app = Testing.app();
  const apis = new KeyValueStoreApi(new Chart(app, 'apis', { disableResourceNameHashes: true }), 'kv');
  const eventsChart = new Chart(app, 'events', { disableResourceNameHashes: true });
  const events = new EventDrivenPlatform(eventsChart, 'events', { namespace: 'events' });
  new PingSource(eventsChart, 'tick', { namespace: 'events', schedule: '@hourly', sink: events.broker });
  const teams = new Chart(app, 'teams', { disableResourceNameHashes: true });
  const payments = new TeamSpace(teams, 'Payments', { team: 'payments', groups: ['team-payments', 'oncall-payments'], claimable: [apis.api] });
  const search = new TeamSpace(teams, 'Search', { team: 'search', groups: ['team-search'], quota: { cpu: kplus.Cpu.millis(1500), memory: Size.gibibytes(2), pods: 5, functions: 3 } });
  return { app, apis, events, teams, payments, search };
}

describe('TeamSpace', () => {
  const { apis, events, teams, payments, search } = platform();
  const ledger = payments.addFunction('Ledger', { name: 'ledger', image: 'ghcr.io/payments/ledger:4.2.0' });
  const index = search.addFunction('Indexer', { name: 'indexer', image: 'ghcr.io/search/indexer:1.0.3' });
  events.broker.subscribe(index, { filters: [EventFilter.type(CloudEventType.PING)] });
  payments.claimStore('Cache', { name: 'cache', api: apis, size: StoreSize.MEDIUM }).bind(ledger);
  const objects = synthValid(teams);
  const ns = (n: string) => objects.filter((o) => o.metadata.namespace === n || (o.kind === 'Namespace' && o.metadata.name === n));

  test('each team gets its own namespace under Pod Security "restricted", labelled with the team', () => {
    expect(findObject(objects, 'Namespace', 'team-payments').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'platform-blueprints.io/team': 'payments',
    });
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['team-payments', 'team-search']);
  });

  test('quota and defaults: requests and memory limits capped, every container (queue-proxy too) gets defaults', () => {
    expect(findObject(ns('team-search'), 'ResourceQuota', 'team-quota').spec.hard).toEqual({
      'requests.cpu': '1500m', 'requests.memory': '2Gi', 'limits.memory': '2Gi', 'requests.storage': '20Gi', pods: 5, 'count/services.serving.knative.dev': 3,
    });
    expect(findObject(ns('team-payments'), 'ResourceQuota', 'team-quota').spec.hard).toMatchObject({ 'requests.cpu': '4', pods: 50 });
    expect(findObject(ns('team-payments'), 'LimitRange', 'team-limits').spec.limits).toEqual([
      { type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { memory: '256Mi' } },
    ]);
  });

  test('RBAC: the team\'s groups manage functions, config and secrets in their namespace only; nothing cluster-wide, no wildcards', () => {
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    const role = findObject(ns('team-payments'), 'Role', 'team-developer');
    expect(role.rules).toEqual([
      { apiGroups: ['serving.knative.dev'], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      { apiGroups: ['serving.knative.dev'], resources: ['configurations', 'revisions', 'routes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['pods', 'services', 'events', 'resourcequotas', 'limitranges'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['data.platform-blueprints.io'], resources: ['keyvaluestores'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    ]);
    expect(findObject(ns('team-search'), 'Role', 'team-developer').rules).toHaveLength(7);
  });

  test('without manageSecrets the team reads no Secrets', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'teams', { disableResourceNameHashes: true });
    new TeamSpace(chart, 'Search', { team: 'search', groups: ['team-search'], manageSecrets: false });
    const role = synthValid(chart).find((o: any) => o.kind === 'Role');
    expect(role.rules.filter((r: any) => r.resources.includes('secrets'))).toEqual([]);
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] });
    const binding = findObject(ns('team-payments'), 'RoleBinding', 'team-developer');
    expect(binding.metadata.namespace).toBe('team-payments');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'team-developer' });
    expect(binding.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-payments' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oncall-payments' },
    ]);
    expect(PlatformPolicy.check(objects)).toEqual([]);
  });

  test('isolation: default-deny in each team namespace; a team\'s function admits only the Knative data plane, never another team', () => {
    for (const team of ['team-payments', 'team-search']) {
      expect(findObject(ns(team), 'NetworkPolicy', 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    }
    const peers = findObject(ns('team-payments'), 'NetworkPolicy', 'knative-data-plane').spec.ingress.flatMap((r: any) => r.from);
    expect(peers.map((p: any) => p.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['knative-serving', 'kourier-system']);
    expect(JSON.stringify(peers)).not.toContain('team-search');
  });

  test('shared services through the usual wiring: the broker delivers to a team\'s function by URL; a store is claimed in the team\'s namespace', () => {
    expect(findObject(synthValid(events.node.scope as Chart), 'Trigger', 'default-to-indexer').spec.subscriber).toEqual({ uri: 'http://indexer.team-search.svc.cluster.local' });
    expect(findObject(objects, 'KeyValueStore', 'cache').metadata.namespace).toBe('team-payments');
    expect(findObject(objects, 'Service', 'ledger', 'serving.knative.dev/v1').spec.template.metadata.labels['bind.platform-blueprints.io/cache']).toBe('client');
  });
});

describe('TeamSpace bad input', () => {
  test.each([
    ['no group', { team: 'x', groups: [] }, 'groups ([]) must name at least one group of the team'],
    ['a group with spaces', { team: 'x', groups: ['team x'] }, 'groups[0] ("team x") must be a group name without spaces'],
    ['a bad team name', { team: 'Team_X', groups: ['g'] }, 'team ("Team_X") must be a DNS-1123 label'],
    ['a quota of no pods', { team: 'x', groups: ['g'], quota: { pods: 0 } }, 'quota.pods (0) must be >= 1'],
    ['a zero memory quota', { team: 'x', groups: ['g'], quota: { memory: Size.gibibytes(0) } }, 'quota.memory ("0Gi") must be greater than zero'],
    ['a claimable that is no API', { team: 'x', groups: ['g'], claimable: [{}] }, 'claimable[0] ({}) must be a PlatformApi'],
  ])('rejects %s', (_case, props, message) => {
    expect(validationError(() => new TeamSpace(Testing.chart(), 'T', props as any)).message).toContain(message);
  });

  test('a function or a store outside the team\'s namespace', () => {
    const { apis, payments } = platform();
    expect(validationError(() => payments.addFunction('F', { image: 'ghcr.io/x/f:1', namespace: 'default' })).message)
      .toContain('addFunction(F).namespace ("default") must be the team\'s namespace (team-payments)');
    expect(validationError(() => payments.claimStore('S', { api: apis, namespace: 'default' })).message)
      .toContain('claimStore(S).namespace ("default") must be the team\'s namespace (team-payments)');
  });
});
