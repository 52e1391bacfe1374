/**
 * The committed dist/ is what users read and apply: it must be exactly what the code synthesizes now, the same
 * bytes on every run, schema-valid object by object, and free of secret values.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { PlatformDocs, PlatformPolicy } from '../constructs';
import { SchemaValidator } from '../scripts/lib/schema-validator';
import { REFERENCE_DOCS, synthReferenceApp } from '../src/main';

const DIST = path.join(__dirname, '..', 'dist');

function synthTo(dir: string): { [file: string]: string } {
  const app = synthReferenceApp(dir);
  app.synth();
  PlatformDocs.write(app, REFERENCE_DOCS);
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

const first = synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dist-')));
const committed = Object.fromEntries(fs.readdirSync(DIST).sort().map((f) => [f, fs.readFileSync(path.join(DIST, f), 'utf8')]));
const perFile = Object.fromEntries(Object.entries(committed).filter(([f]) => f.endsWith('.yaml'))
  .map(([f, text]) => [f, parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean)]));
const objects: any[] = Object.values(perFile).flat();

describe('dist/', () => {
  test('is up to date: committed files equal a fresh synthesis (run `npm run synth` and commit when this fails)', () => {
    expect(Object.keys(committed)).toEqual(Object.keys(first));
    for (const file of Object.keys(first)) expect({ file, content: committed[file] }).toEqual({ file, content: first[file] });
  });

  test('is deterministic: a second synthesis gives identical bytes', () => {
    expect(synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dist-')))).toEqual(first);
  });

  test('every object validates strictly against its upstream schema', () => {
    expect(objects.length).toBeGreaterThan(10);
    // The example requests are validated against the APIs their Promises define.
    const apis = objects.filter((o) => o.kind === 'Promise' && o.apiVersion === 'platform.kratix.io/v1alpha1').map((o) => o.spec.api);
    expect(apis.map((a) => a.metadata.name)).toEqual(['functionsplatforms.platform.platform-blueprints.io', 'amqpbrokers.platform.platform-blueprints.io']);
    expect(SchemaValidator.load().withCustomResourceDefinitions(apis, 'Kratix Promise APIs').validateAll(objects)).toEqual([]);
  });

  test('holds a complete functions platform: namespace, Redis, three functions in three languages, one public gateway', () => {
    expect(perFile['functions-platform.k8s.yaml'][0].metadata.name).toBe('functions');
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['StatefulSet/redis', 'Service/redis', 'Service/hello', 'Service/player', 'Service/echo', 'Service/gateway']));
    const functions = objects.filter((o) => o.apiVersion === 'serving.knative.dev/v1' && o.metadata.labels['networking.knative.dev/visibility'] === 'cluster-local');
    expect(new Set(functions.map((f) => f.metadata.labels['platform-blueprints.io/language']))).toEqual(new Set(['go', 'java', 'nodejs']));
    const publicServices = objects.filter((o) => o.apiVersion === 'serving.knative.dev/v1' && !o.metadata.labels['networking.knative.dev/visibility']);
    expect(publicServices.map((s) => s.metadata.name)).toEqual(['gateway']);
  });

  test('no object is duplicated (kind, namespace, name)', () => {
    const keys = objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('contains no Secret and no secret-looking literal', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const text = Object.values(committed).join('\n');
    expect(text).not.toMatch(/(password|passwd|secret|token)["']?\s*[:=]\s*["']?[A-Za-z0-9+/]{12,}/i);
    for (const o of objects) {
      for (const c of o.spec?.template?.spec?.containers ?? []) {
        for (const e of c.env ?? []) {
          if (/PASSWORD|SECRET|TOKEN/.test(e.name)) expect(e.valueFrom?.secretKeyRef).toBeDefined();
        }
      }
    }
  });

  test('holds the event-driven flow in its own file: RabbitMQ, a RabbitMQ broker, publisher, subscriptions, a ping source, event types', () => {
    const events = perFile['event-driven-platform.k8s.yaml'];
    expect(events[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'events', labels: { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' } } });
    const names = events.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining([
      'RabbitmqCluster/rabbitmq', 'Broker/game', 'SinkBinding/player-to-game', 'Trigger/game-to-leaderboard',
      'Trigger/game-to-player', 'PingSource/game-tick', 'EventType/game-dev.platform-blueprints.game.score', 'EventType/game-dev.knative.sources.ping',
      'Service/dead-letters',
    ]));
    const broker = events.find((o) => o.kind === 'Broker');
    expect(broker.metadata.annotations['eventing.knative.dev/broker.class']).toBe('RabbitMQBroker');
    expect(names).toContain(`RabbitmqBrokerConfig/${broker.spec.config.name}`);
    expect(committed['events.md']).toContain('| `dev.platform-blueprints.game.score` | a player scored (sent from the CloudEvents Player UI) | functions/player (SinkBinding) | events/game | functions/leaderboard<br>team-analytics/events<br>team-analytics/score-stats |');
    // The analytics team's subscription crosses its own broker: the platform's forward, then the team's Trigger.
    expect(committed['events.md']).toContain('| events/team-analytics-game-score-d29123 | events/game | type=dev.platform-blueprints.game.score | team-analytics/events |');
    expect(committed['events.md']).toContain('| team-analytics/events-to-score-stats | team-analytics/events | type=dev.platform-blueprints.game.score | team-analytics/score-stats |');
    expect(committed['events.svg']).toContain('>brokers fed by brokers</text>');
    expect(committed['events.svg']).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  test('every object meets the platform policy (the plugin `cdk8s synth` runs says so too)', () => {
    expect(PlatformPolicy.check(objects).map((v) => `[${v.ruleId}] ${v.message}`)).toEqual([]);
    expect(committed['construct-metadata.json']).toContain('"score-stats":{"path":"teams/Analytics/ScoreStats/Resource"}');
  });

  test('hosts a team in its own space: quota, limits, its role bound to its group, default-deny', () => {
    const team = perFile['teams.k8s.yaml'];
    expect(team.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/team-analytics', 'NetworkPolicy/default-deny-ingress', 'ResourceQuota/team-quota', 'LimitRange/team-limits', 'Role/team-developer',
      'RoleBinding/team-developer', 'Broker/events', 'Trigger/events-to-score-stats', 'Service/score-stats', 'NetworkPolicy/knative-data-plane',
    ]);
    // The team's Trigger is in its namespace, on its broker; the platform forwards the granted type into that broker.
    expect(team.find((o) => o.kind === 'Trigger').spec).toMatchObject({ broker: 'events', subscriber: { ref: { kind: 'Service', name: 'score-stats' } } });
    expect(objects.find((o) => o.kind === 'Trigger' && o.metadata.name === 'team-analytics-game-score-d29123').spec).toEqual({
      broker: 'game', filter: { attributes: { type: 'dev.platform-blueprints.game.score' } }, subscriber: { uri: 'http://broker-ingress.knative-eventing.svc.cluster.local/team-analytics/events' },
    });
  });

  test('every pod template meets Pod Security "restricted" at container level', () => {
    const templates = objects.filter((o) => o.spec?.template?.spec?.containers);
    expect(templates.map((t) => t.metadata.name).sort()).toEqual(['dead-letters', 'echo', 'gateway', 'hello', 'leaderboard', 'player', 'redis', 'score-stats', 'verification-alerts']);
    for (const t of templates) {
      for (const c of t.spec.template.spec.containers) {
        const sc = { ...t.spec.template.spec.securityContext, ...c.securityContext };
        expect({ name: t.metadata.name, sc }).toMatchObject({
          name: t.metadata.name,
          sc: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
        });
        expect(c.resources.requests.cpu).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
  });

  test('Tekton: every step, the runs\' pods and the listener\'s pods meet Pod Security "restricted"', () => {
    const restricted = { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    const tasks = objects.filter((o) => o.kind === 'Task');
    expect(tasks.map((t) => t.metadata.name)).toEqual(['load-test']);
    for (const step of tasks.flatMap((t) => t.spec.steps)) {
      expect(step.securityContext).toMatchObject({ ...restricted, runAsUser: expect.any(Number) });
      expect(step.computeResources.requests.cpu).toBeDefined();
      expect(step.computeResources.limits.memory).toBeDefined();
      expect(step.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    const runs = objects.filter((o) => o.kind === 'TriggerTemplate').flatMap((t) => t.spec.resourcetemplates);
    expect(runs.map((r) => r.kind)).toEqual(['PipelineRun']);
    for (const run of runs) {
      expect(run.spec.taskRunTemplate.podTemplate.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number), seccompProfile: { type: 'RuntimeDefault' } });
    }
    for (const listener of objects.filter((o) => o.kind === 'EventListener')) {
      expect(listener.spec.resources.kubernetesResource.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    }
  });

  test('README.md lists the secret to create and the cluster settings the gateway needs', () => {
    expect(committed['README.md']).toContain('kubectl create secret generic redis-auth -n functions');
    expect(committed['README.md']).toContain('"max-revision-timeout-seconds":"3600"');
    expect(committed['README.md']).toContain('| gateway | routes | player | `/` |');
  });
});
