/**
 * Property-based tests at the edges of the cluster's own rules (generators in ./edges.ts). Each property checks the
 * library against an oracle of its own: a model of Go's regexp syntax for the generated grammar, the tzdata files Go's
 * time.LoadLocation opens, Ajv's code-point lengths, nginx's normalisation, a brute-force search for event loops.
 * Every refusal must be a ValidationError naming the construct and the field. Runs: $PB_PROPERTY_RUNS (default 60).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ApiGateway, ChannelBroker, Claim, CloudEventType, Composition, EventFilter, IBroker, KnativeFunction, PingSource, PipelineStep, PlatformApi, SchemaField,
  ValidationError,
} from '../../constructs';
import { TIME_ZONE_NAMES } from '../../constructs/core/time-zones';
import { validatorFor } from '../support/k8s';
import { runsWhen } from '../support/runs-when';
import { BrokerWiring, brokerWiring, dataAround, pattern, routePath, stringAround, timeZone } from './go-edges';

const RUNS = Number(process.env.PB_PROPERTY_RUNS ?? 60);

/** Runs `build`; a thrown error must be a ValidationError whose field starts with `field`. Returns it, or undefined. */
function refusal(field: RegExp, build: () => void): ValidationError | undefined {
  try {
    build();
    return undefined;
  } catch (e) {
    if (!ValidationError.isValidationError(e)) throw e;
    expect(e.message.startsWith(`${e.constructPath}: ${e.field} `)).toBe(true);
    expect(e.field).toMatch(field);
    return e;
  }
}

describe('property: string lengths in runes, as the API server counts them', () => {
  test('a claim\'s value is accepted exactly when it has at most maxLength code points, and the CRD validator agrees', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }).chain((n) => stringAround(n)), (maxLength, value) => {
      const app = Testing.app();
      const apis = new Chart(app, 'apis', { disableResourceNameHashes: true });
      const api = new PlatformApi(apis, 'Api', { group: 'gen.example.org', kind: 'Note', spec: { text: SchemaField.string({ maxLength, required: true }) } });
      new Composition(apis, 'Only', { api, default: true, pipeline: [PipelineStep.autoReady()] });
      const team = new Chart(app, 'team', { namespace: 'team', disableResourceNameHashes: true });
      const fits = [...value].length <= maxLength;
      const refused = refusal(/^spec/, () => new Claim(team, 'note', { api, spec: { text: value } }));
      expect({ value, maxLength, refused: refused !== undefined }).toEqual({ value, maxLength, refused: !fits });
      if (!refused) expect(validatorFor(team).validateAll(Testing.synth(team))).toEqual([]);
    }), { numRuns: RUNS });
  });
});

describe('property: patterns as Go compiles them', () => {
  test('a schema pattern is accepted exactly when Go\'s regexp would compile it, and an accepted one matches values', () => {
    fc.assert(fc.property(pattern, (p) => {
      const field = SchemaField.string({ pattern: p.text });
      const scope = new Chart(new App(), 'c');
      const refused = refusal(/^f\.pattern$/, () => field.check(scope, 'f'));
      expect({ pattern: p.text, refused: refused !== undefined }).toEqual({ pattern: p.text, refused: !p.go });
      if (!refused) expect(field.validate('', 'f')).toEqual(expect.any(Array));
    }), { numRuns: RUNS });
  });
});

describe('property: time zones as time.LoadLocation resolves them', () => {
  const zoneinfo = '/usr/share/zoneinfo';
  const haveTzdata = existsSync(join(zoneinfo, 'tzdata.zi'));
  /** Go's lookup: a TZif file by that exact name (Debian's posix/, right/ copies and its two helper files aside). */
  const goResolves = (zone: string) => zone !== '' && !/^(posix|right)\/|^(posixrules|localtime)$/.test(zone) && posix.normalize(zone) === zone &&
    existsSync(join(zoneinfo, zone)) && readFileSync(join(zoneinfo, zone)).subarray(0, 4).toString('latin1') === 'TZif';
  runsWhen(haveTzdata, `${zoneinfo}/tzdata.zi is missing (apt-get install tzdata)`).test('a PingSource accepts a zone exactly when Go finds its tzdata file; a miscased one is told the right case', () => {
    fc.assert(fc.property(timeZone([...TIME_ZONE_NAMES]), (zone) => {
      const { chart, broker } = pingSetup();
      const refused = refusal(/^timezone$/, () => new PingSource(chart, 'tick', { schedule: '@hourly', timezone: zone, sink: broker }));
      expect({ zone, refused: refused !== undefined }).toEqual({ zone, refused: !goResolves(zone) || zone.toLowerCase() === 'local' });
      const exact = [...TIME_ZONE_NAMES].find((z) => z.toLowerCase() === zone.toLowerCase());
      if (refused && exact && exact !== zone && zone.toLowerCase() !== 'local') expect(refused.message).toContain(`did you mean "${exact}"?`);
    }), { numRuns: RUNS });
  });
});

function pingSetup() {
  const app = Testing.app();
  const chart = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
  const broker = new ChannelBroker(chart, 'b');
  return { app, chart, broker };
}

describe('property: PingSource data around etcd\'s limit', () => {
  test('data well under 1.5 MiB is stored, data over it is refused naming the data; bytes, not characters, decide', () => {
    fc.assert(fc.property(dataAround(1.5 * 1024 * 1024 - 16 * 1024), (data) => {
      const { chart, broker } = pingSetup();
      const bytes = Buffer.byteLength(data);
      const refused = refusal(/^data$/, () => new PingSource(chart, 'tick', { schedule: '@hourly', data, sink: broker }));
      if (bytes > 1.5 * 1024 * 1024) expect(refused).toBeDefined();
      if (bytes < 1.5 * 1024 * 1024 - 32 * 1024) expect(refused).toBeUndefined();
      if (!refused) expect(validatorFor(chart).validateAll(Testing.synth(chart))).toEqual([]);
    }), { numRuns: Math.min(RUNS, 30) });
  });
});

describe('property: gateway routes nginx can choose', () => {
  test('a route is accepted exactly when it is already in the form nginx matches (normalised, decoded, no empty segment)', () => {
    fc.assert(fc.property(routePath, (path) => {
      const app = Testing.app();
      const chart = new Chart(app, 'web', { namespace: 'web', disableResourceNameHashes: true });
      const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1' });
      const refused = refusal(/^route\(.*\)\.path$/, () => new ApiGateway(chart, 'gw').route(path, fn));
      const nginxForm = !path.includes('%') && (path === '/' || !path.endsWith('/')) && posix.normalize(path) === path;
      expect({ path, refused: refused !== undefined }).toEqual({ path, refused: !nginxForm || path === '/healthz' });
    }), { numRuns: RUNS });
  });
});

describe('property: broker wiring that loops', () => {
  const ORDER = CloudEventType.external('dev.example.order');
  const REFUND = CloudEventType.external('dev.example.refund');
  const FUNCTION = 3;

  /**
   * Whether an event of `type` can go from some broker back to it over these hops `[from, to, passes]` (a brute-force
   * search): a hop passes 'all' events, or the events of one type (a subscription's, or its dead letters').
   */
  function loops(hops: Array<[number, number, string]>, type: string): boolean {
    const passes = (f: string) => f === 'all' || f === type;
    for (let start = 0; start < 3; start++) {
      const seen = new Set<number>();
      const stack = hops.filter(([a, , f]) => a === start && passes(f)).map(([, b]) => b);
      while (stack.length) {
        const at = stack.pop()!;
        if (at === start) return true;
        if (seen.has(at)) continue;
        seen.add(at);
        stack.push(...hops.filter(([a, , f]) => a === at && passes(f)).map(([, b]) => b));
      }
    }
    return false;
  }

  test('wiring is accepted unless it closes a loop some event goes round, and every refused loop is a real one', () => {
    fc.assert(fc.property(brokerWiring, (w: BrokerWiring) => {
      const app = Testing.app();
      const chart = new Chart(app, 'events', { namespace: 'events', disableResourceNameHashes: true });
      const brokers: IBroker[] = [];
      const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1' });
      const sinkOf = (i: number) => (i === FUNCTION ? fn : brokers[i]);
      // Hops between brokers made so far. A broker's own dead letters take any event; a subscription's take the events
      // its filter selects. Prefix filters are beyond exact matches: left out of the oracle, as the library leaves them.
      const hops: Array<[number, number, string]> = [];
      for (let i = 0; i < 3; i++) {
        const sink = w.deadLetters[i];
        const refused = refusal(/^delivery\.deadLetterSink$/, () => {
          brokers.push(new ChannelBroker(chart, `b${i}`, { delivery: sink !== undefined && sink < i ? { deadLetterSink: brokers[sink] } : undefined }));
        });
        if (refused) return; // only a broker that is its own sink is refused here; it cannot be, as sinks come first
        if (sink !== undefined && sink < i) hops.push([i, sink, 'all']);
      }
      for (const [k, [from, to, filter, deadLetters]] of w.subscriptions.entries()) {
        const filters = filter === 'order' ? [EventFilter.type(ORDER)] : filter === 'refund' ? [EventFilter.type(REFUND)] : filter === 'prefix' ? [EventFilter.prefix('source', '/eu/')] : [];
        const passes = filter === 'all' ? 'all' : `dev.example.${filter}`;
        const candidate: Array<[number, number, string]> = filter === 'prefix' ? [] : [
          ...(to !== FUNCTION ? [[from, to, passes] as [number, number, string]] : []),
          ...(deadLetters !== undefined && deadLetters !== FUNCTION ? [[from, deadLetters, passes] as [number, number, string]] : []),
        ];
        const closes = ['dev.example.order', 'dev.example.refund', 'dev.example.other'].some((t) => !loops(hops, t) && loops([...hops, ...candidate], t));
        const itself = to === from || deadLetters === from || (deadLetters !== undefined && deadLetters === to);
        const refused = refusal(/^(subscriber|delivery\.deadLetterSink)$/, () => brokers[from].subscribe(sinkOf(to), {
          name: `s${k}`, filters, ...(deadLetters !== undefined ? { delivery: { deadLetterSink: sinkOf(deadLetters) } } : {}),
        }));
        expect({ from, to, filter, deadLetters, refused: refused?.message }).toEqual({ from, to, filter, deadLetters, refused: closes || itself ? expect.any(String) : undefined });
        if (!refused) hops.push(...candidate);
      }
      expect(() => app.synth()).not.toThrow();
    }), { numRuns: RUNS });
  });
});
