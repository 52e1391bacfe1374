/**
 * The listener's CEL interceptors, executed (test/support/tekton-triggers.ts emulates Tekton Triggers v0.37.0's CEL
 * environment and interceptor chain with @bufbuild/cel) on events as Knative brokers deliver them (binary mode) and
 * as structured-mode senders post them.
 */
import { Chart, Testing } from 'cdk8s';
import { CloudEventType, EventTriggeredPipeline, EventValue } from '../../constructs';
import { findObject } from '../support/k8s';
import {
  ListenerRequest, binaryEvent, canonicalHeaderKey, evalCel, fixturePipeline, pipelineRunValidator, renderTemplate, resolveBindings, runInterceptors, structuredEvent,
} from '../support/tekton-triggers';

const DEPLOYED = CloudEventType.external('dev.cdevents.service.deployed.0.3.0');
const UPGRADED = CloudEventType.external('dev.cdevents.service.upgraded.0.3.0');

function build(props: { runNameAttribute?: string; runNamePrefix?: string } = {}) {
  const chart = new Chart(Testing.app(), 'ci', { namespace: 'ci', disableResourceNameHashes: true });
  const pipeline = new EventTriggeredPipeline(chart, 'load-test', {
    pipeline: fixturePipeline('ci', 'load-test', ['url', 'artifact', 'environment']),
    consumes: [DEPLOYED, UPGRADED],
    params: { url: EventValue.attribute('ksvcurl'), artifact: EventValue.data('subject.content.artifactId'), environment: EventValue.data('subject.content.environment.id') },
    ...props,
  });
  const objects = Testing.synth(chart);
  return {
    pipeline,
    trigger: findObject(objects, 'Trigger', 'load-test'),
    binding: findObject(objects, 'TriggerBinding', 'load-test'),
    template: findObject(objects, 'TriggerTemplate', 'load-test'),
  };
}

/** A CDEvent service.deployed as the lifecycle transform emits it: id `<uid>/<revision>`, URL promoted as `ksvcurl`. */
function cdevent(type: string, id: string, revision = 'score-00002') {
  const attributes = { id, type, source: '/apis/serving.knative.dev/v1/namespaces/functions/services/score', subject: revision, ksvcurl: 'http://score.functions.svc.cluster.local' };
  const data = {
    context: { specversion: '0.4.1', id, source: attributes.source, type, timestamp: '2026-11-29T10:00:00Z' },
    subject: { id: 'functions/score', content: { environment: { id: 'functions' }, artifactId: 'ghcr.io/example/score@sha256:0123' } },
  };
  return { attributes, data };
}

const UID = '4f7c1e2a-9b8d-4c3e-a1f0-5d6e7f8a9b0c';

/** What the listener does with a request: interceptors, bindings, then the rendered PipelineRun (or nothing). */
function fire(built: ReturnType<typeof build>, request: ListenerRequest): any | undefined {
  const chain = runInterceptors(built.trigger.spec.interceptors, request);
  if (!chain.continue) return undefined;
  const params = resolveBindings(built.binding.spec.params, request, chain.extensions);
  const [run] = renderTemplate(built.template.spec.resourcetemplates, params);
  return run;
}

describe('the CEL type filter', () => {
  const built = build();
  const filter = built.pipeline.celFilter;

  test('admits the consumed types, in binary and in structured mode', () => {
    for (const type of [DEPLOYED.type, UPGRADED.type]) {
      const { attributes, data } = cdevent(type, `${UID}/score-00002`);
      expect(evalCel(filter, binaryEvent(attributes, data))).toBe(true);
      expect(evalCel(filter, structuredEvent(attributes, data))).toBe(true);
    }
  });

  test('refuses other types, the listener\'s own reply, and requests that are not CloudEvents', () => {
    const { attributes, data } = cdevent('dev.cdevents.service.removed.0.3.0', 'x');
    expect(evalCel(filter, binaryEvent(attributes, data))).toBe(false);
    expect(evalCel(filter, structuredEvent(attributes, data))).toBe(false);
    expect(evalCel(filter, binaryEvent({ id: 'r', type: 'dev.tekton.event.triggers.accepted.v1', source: 'load-test' }, { eventListener: 'load-test' }))).toBe(false);
    // A prefix or a near miss is not a match.
    expect(evalCel(filter, binaryEvent({ ...attributes, type: `${DEPLOYED.type}.x` }, data))).toBe(false);
    // A plain webhook (no CloudEvent), even one whose body has a "type" field that matches.
    expect(evalCel(filter, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: DEPLOYED.type }) })).toBe(false);
    // A binary event whose data happens to look like a structured event of the right type is judged by its header.
    expect(evalCel(filter, binaryEvent({ id: '1', type: 'dev.example.other', source: '/x' }, { specversion: '1.0', type: DEPLOYED.type }))).toBe(false);
  });

  test('reads headers as Go does: any case of the header name (canonicalized), the first value', () => {
    expect(canonicalHeaderKey('ce-specversion')).toBe('Ce-Specversion');
    expect(canonicalHeaderKey('CONTENT-TYPE')).toBe('Content-Type');
    const { attributes, data } = cdevent(DEPLOYED.type, 'a');
    const upper: ListenerRequest = { headers: { 'CE-TYPE': DEPLOYED.type, 'CE-SPECVERSION': '1.0', 'CE-ID': 'a' }, body: JSON.stringify(data) };
    expect(evalCel(filter, upper)).toBe(true);
    expect(evalCel(filter, binaryEvent(attributes, data))).toBe(true);
  });
});

describe('the overlays and the bindings', () => {
  const built = build();

  test('give the pipeline the CloudEvent attribute and data fields, the same in both modes', () => {
    const { attributes, data } = cdevent(DEPLOYED.type, `${UID}/score-00002`);
    const expected = { url: 'http://score.functions.svc.cluster.local', artifact: 'ghcr.io/example/score@sha256:0123', environment: 'functions' };
    for (const request of [binaryEvent(attributes, data), structuredEvent(attributes, data)]) {
      const chain = runInterceptors(built.trigger.spec.interceptors, request);
      expect(chain.continue).toBe(true);
      const params = resolveBindings(built.binding.spec.params, request, chain.extensions);
      expect(params).toEqual({ 'cloudevent-run-id': `${UID}-score-00002`, ...expected });
    }
  });

  test('a missing data field fails the event at the binding (Triggers refuses it; no run with an empty parameter)', () => {
    const { attributes } = cdevent(DEPLOYED.type, 'b');
    const request = binaryEvent(attributes, { subject: { id: 'x' } });
    const chain = runInterceptors(built.trigger.spec.interceptors, request);
    expect(() => resolveBindings(built.binding.spec.params, request, chain.extensions)).toThrow(/artifact: extensions\.cloudevent\.data\.subject\.content\.artifactId not found/);
  });
});

describe('duplicate events start one run: the run name comes from the event id', () => {
  const built = build();
  const run = (request: ListenerRequest) => fire(built, request);
  const deployed = (id: string, revision?: string) => cdevent(DEPLOYED.type, id, revision);
  const event = (id: string, revision?: string) => binaryEvent(deployed(id, revision).attributes, deployed(id, revision).data);

  test('the same event gives the same name, in binary and in structured mode; the run validates against the pinned PipelineRun CRD', () => {
    const { attributes, data } = deployed(`${UID}/score-00002`);
    const first = run(binaryEvent(attributes, data));
    expect(first.metadata.name).toBe(`load-test-${UID}-score-00002`);
    expect(run(binaryEvent(attributes, data)).metadata.name).toBe(first.metadata.name);
    expect(run(structuredEvent(attributes, data)).metadata.name).toBe(first.metadata.name);
    expect(pipelineRunValidator().validate({ ...first, metadata: { ...first.metadata, namespace: 'ci' } })).toEqual([]);
  });

  test('different events give different names (another revision, another service, a random id)', () => {
    const names = [
      `${UID}/score-00002`, `${UID}/score-00003`, '9a8b7c6d-0000-4000-8000-000000000001/board-00001', '3f2b1a0c-7d6e-4f5a-9b8c-1d2e3f4a5b6c',
    ].map((id) => run(event(id)).metadata.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every name is a DNS label of at most 63 characters: lowercased, other characters as "-", cut to its head and end, no "-" at either end', () => {
    const ids = [
      'ABC/Def_ghi', '--x--', `${UID}/${'r'.repeat(80)}-00009`, `${'a'.repeat(200)}/score-00002`, 'ça-va?', 'x'.repeat(31) + '-' + 'y'.repeat(40),
    ];
    for (const id of ids) {
      const name = run(event(id)).metadata.name as string;
      expect({ id, name, ok: /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name) }).toEqual({ id, name, ok: true });
    }
    expect(run(event('ABC/Def_ghi')).metadata.name).toBe('load-test-abc-def-ghi');
    // A long id keeps its first 8 characters and its end (the revision), which tells revisions of one service apart.
    expect(run(event(`${'a'.repeat(200)}/score-00002`)).metadata.name).toMatch(/^load-test-a{8}-a+-score-00002$/);
  });

  test('two Services of one long name (other namespaces, or deleted and created again) get runs of their own: the UID\'s start is kept', () => {
    const revision = `${'checkout-recommendations-for-returning-customers'}-00001`;
    const one = run(event(`${UID}/${revision}`)).metadata.name as string;
    const other = run(event(`9a8b7c6d-0000-4000-8000-000000000001/${revision}`)).metadata.name as string;
    expect(one).not.toBe(other);
    expect([one.length, other.length]).toEqual([63, 63]);
    expect(one).toBe(`load-test-${UID.slice(0, 8)}-${`${UID}-${revision}`.slice(-(63 - 'load-test-'.length - 9))}`);
  });

  test('known limit: ids that differ only in letter case or in characters other than letters and digits share a name', () => {
    const a = run(event('Run/1')).metadata.name;
    const b = run(event('run-1')).metadata.name;
    expect(a).toBe(b);
  });

  test('another attribute can name the run (e.g. the revision as subject), with another prefix', () => {
    const bySubject = build({ runNameAttribute: 'subject', runNamePrefix: 'verify' });
    const one = fire(bySubject, event('id-1', 'score-00004'));
    const two = fire(bySubject, event('id-2', 'score-00004'));
    expect(one.metadata.name).toBe('verify-score-00004');
    expect(two.metadata.name).toBe(one.metadata.name);
  });

  test('no run for an event of another type', () => {
    const { attributes, data } = cdevent('dev.cdevents.service.removed.0.3.0', 'z');
    expect(fire(built, binaryEvent(attributes, data))).toBeUndefined();
  });
});
