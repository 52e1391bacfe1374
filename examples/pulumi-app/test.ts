// The program under Pulumi's mocks, offline: release files from the fixtures the package ships.
import * as assert from 'node:assert/strict';
import { runUnderMocks } from 'platform-blueprints/testing';
import program from './index';

const project = 'example-pulumi-app';

async function main(): Promise<void> {
  const run = await runUnderMocks(program, { project, config: { [`${project}:knativeDomain`]: 'games.example.com' } });

  // Typed outputs: what Knative reports for the gateway and the broker, and where the store's password lives.
  assert.deepEqual(run.outputs, {
    gatewayUrl: 'http://gateway.games.games.example.com',
    brokerAddress: 'http://default-broker-ingress.games-events.svc.cluster.local',
    storeSecret: 'redis-auth',
  });

  // The installs come from the app's plan: Knative and the event stack; no Tekton, Kratix or Crossplane.
  const groups = run.registrations.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup').map((r) => r.name).sort();
  assert.deepEqual(groups, [
    'event-stack-cert-manager', 'event-stack-eventing-core', 'event-stack-eventing-crds', 'event-stack-eventing-rabbitmq',
    'event-stack-rabbitmq-cluster-operator', 'event-stack-rabbitmq-topology-operator',
    'knative-serving-core', 'knative-serving-crds', 'knative-serving-kourier',
  ]);

  // Order: each object after what it needs.
  const dependsOn = (type: string, name: string) => run.mocked.dependencyNames(type, name);
  for (const needed of ['knative-serving-core', 'knative-serving-kourier', 'team/games', 'team/games/redis-auth']) {
    assert.ok(dependsOn('kubernetes:serving.knative.dev/v1:Service', 'team/games/score').includes(needed), `score waits for ${needed}`);
  }
  assert.ok(dependsOn('kubernetes:eventing.knative.dev/v1:Trigger', 'team/games-events/default-to-board').includes('event-stack-eventing-rabbitmq'));

  // Protection and secrets: the store's data is protected; its password reaches the engine as a secret only.
  assert.deepEqual(
    [run.mocked.get('kubernetes:apps/v1:StatefulSet', 'team/games/redis').protect, run.mocked.get('kubernetes:apps/v1:StatefulSet', 'team/games/redis').retainOnDelete],
    [true, true]);
  assert.deepEqual(run.mocked.get('kubernetes:core/v1:Secret', 'team/games/redis-auth').secretInputs, ['stringData']);

  // A bad setting fails the run with the library's message (no unhandled rejection).
  await assert.rejects(runUnderMocks(program, { project, config: { [`${project}:ingressServiceType`]: 'Ingress' } }),
    { message: 'ingressServiceType ("Ingress") must be one of LoadBalancer, NodePort, ClusterIP' });

  console.log(`example-pulumi-app: ${run.registrations.length} registrations checked under mocks`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
