import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { K6LoadTest, K6LoadTestProps, TektonPipeline } from '../../constructs';
import { K6_REASON_MAX_LENGTH } from '../../constructs/tekton/load-test';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';

const PROPS: K6LoadTestProps = { duration: Duration.seconds(60), rate: 50, p95LatencyMs: 500, maxErrorRate: 0.01 };

function build(props: Partial<K6LoadTestProps> = {}) {
  const { chart } = testChart();
  const test = new K6LoadTest(chart, 'load-test', { ...PROPS, ...props });
  return { chart, test };
}

/** Tekton's substitution of `$(results.<name>.path)` in a step script (pkg/pod: /tekton/results/<name>). */
function substituteResults(text: string, dir = '/tekton/results'): string {
  return text.replace(/\$\(results\.([A-Za-z0-9_.-]+)\.path\)/g, (_m, name: string) => `${dir}/${name}`);
}

/** The generated k6 module, loaded in Node: its `import` of k6/http replaced by a stub, its exports returned. */
function loadK6Module(source: string, http: any = { get: () => undefined }, env: { [k: string]: string } = {}): any {
  const body = source
    .replace(/^import http from 'k6\/http';$/m, '')
    .replace(/^export const options =/m, 'const options =')
    .replace(/^export default function \(\)/m, 'function __default()')
    .replace(/^export function /gm, 'function ');
  expect(body).not.toMatch(/\bimport\b|\bexport\b/);
  return new Function('http', '__ENV', `${body}\nreturn { options, verdict, handleSummary, default: __default };`)(http, env);
}

/**
 * The data k6 hands to handleSummary(), in the shape of k6 v2.1.0 internal/js/summary.go summarizeMetricsToObject:
 * metrics by name with type, contains, values (trend: the summaryTrendStats columns; rate: rate, passes, fails;
 * counter: count, rate) and, where the script set thresholds, `thresholds[<expression>].ok`.
 */
function k6Summary(o: { p95: number; failedRate: number; requests: number; latencyOk: boolean; errorsOk: boolean; dropped?: number }): any {
  const failed = Math.round(o.requests * o.failedRate);
  const metrics: any = {
    http_req_duration: {
      type: 'trend', contains: 'time',
      values: { avg: o.p95 / 2, min: 1.2, med: o.p95 / 2.5, max: o.p95 * 1.8, 'p(90)': o.p95 * 0.9, 'p(95)': o.p95 },
      thresholds: { 'p(95)<500': { ok: o.latencyOk } },
    },
    http_req_failed: {
      type: 'rate', contains: 'default',
      values: { rate: o.failedRate, passes: failed, fails: o.requests - failed },
      thresholds: { 'rate<0.01': { ok: o.errorsOk } },
    },
    http_reqs: { type: 'counter', contains: 'default', values: { count: o.requests, rate: o.requests / 60 } },
    iterations: { type: 'counter', contains: 'default', values: { count: o.requests, rate: o.requests / 60 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 3, min: 1, max: 5 } },
    data_received: { type: 'counter', contains: 'data', values: { count: 123456, rate: 2057.6 } },
  };
  if (o.dropped) metrics.dropped_iterations = { type: 'counter', contains: 'default', values: { count: o.dropped, rate: o.dropped / 60 } };
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 60012.3 },
    metrics,
    setup_data: undefined,
  };
}

const PASS = k6Summary({ p95: 123.456, failedRate: 0.001, requests: 3000, latencyOk: true, errorsOk: true });
const SLOW = k6Summary({ p95: 812, failedRate: 0, requests: 3000, latencyOk: false, errorsOk: true });
const FAILING = k6Summary({ p95: 90, failedRate: 0.25, requests: 2400, latencyOk: true, errorsOk: false, dropped: 600 });

describe('K6LoadTest', () => {
  test('a Task running grafana/k6 pinned by digest, restricted as the image user, valid and policy-clean, with the four results', () => {
    const { chart, test } = build();
    const objects = synthValid(chart);
    const task = findObject(objects, 'Task', 'load-test', 'tekton.dev/v1');
    expect(task.spec.params).toEqual([
      { name: 'target-url', type: 'string', description: 'URL under load (GET)' },
      { name: 'environment', type: 'string', description: 'environment under test, for the verdict\'s CDEvent', default: '' },
    ]);
    expect(task.spec.results.map((r: any) => r.name)).toEqual(['p95-ms', 'error-rate', 'outcome', 'reason']);
    const [step] = task.spec.steps;
    expect(step.image).toBe(K6LoadTest.DEFAULT_IMAGE);
    expect(step.image).toMatch(/^grafana\/k6:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    expect(step.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 12345, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(step.env).toEqual([{ name: 'K6_TARGET_URL', value: '$(params.target-url)' }, { name: 'K6_NO_USAGE_REPORT', value: 'true' },
      { name: 'K6_NEW_MACHINE_READABLE_SUMMARY', value: 'false' }]);
    expect(step.volumeMounts).toEqual([{ name: 'scratch-0-0', mountPath: '/tmp' }]);
    expect(step.onError).toBeUndefined();
    // The only $(...) in the script are result paths Tekton substitutes; the URL comes from the environment.
    expect([...step.script.matchAll(/\$\([^)]*\)/g)].map((m) => m[0]).filter((e) => !/^\$\(results\.[a-z0-9-]+\.path\)$/.test(e))).toEqual([]);
    expect(step.script).toContain(test.k6Script);
    expect(test.requiredParamNames).toEqual(['target-url']);
  });

  test('k6 options come from the typed props: constant arrival rate, duration, thresholds', () => {
    const { test } = build({ duration: Duration.minutes(2), rate: 200, p95LatencyMs: 250, maxErrorRate: 0.005, requestTimeout: Duration.seconds(2) });
    const k6 = loadK6Module(test.k6Script);
    expect(k6.options).toEqual({
      discardResponseBodies: true,
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
      scenarios: { load: { executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '120s', preAllocatedVUs: 100, maxVUs: 400 } },
      thresholds: { http_req_duration: ['p(95)<250'], http_req_failed: ['rate<0.005'] },
    });
    const calls: any[] = [];
    loadK6Module(test.k6Script, { get: (...args: any[]) => calls.push(args) }, { K6_TARGET_URL: 'http://fn.ns.svc.cluster.local' }).default();
    expect(calls).toEqual([['http://fn.ns.svc.cluster.local', { timeout: '2000ms' }]]);
  });

  test('handleSummary writes the verdict to the Tekton result files: pass, slow, failing, nothing completed', () => {
    const { test } = build();
    const k6 = loadK6Module(substituteResults(test.k6Script));
    expect(k6.handleSummary(PASS)).toEqual({
      '/tekton/results/p95-ms': '123.5',
      '/tekton/results/error-rate': '0.0010',
      '/tekton/results/outcome': 'success',
      '/tekton/results/reason': '3000 requests, p95 123.5 ms, error rate 0.0010',
      stdout: 'load test success: 3000 requests, p95 123.5 ms, error rate 0.0010\n',
    });
    expect(k6.verdict(SLOW)).toEqual({ p95: '812.0', errorRate: '0.0000', outcome: 'failure',
      reason: 'p95 812.0 ms is not below 500 ms (3000 requests, p95 812.0 ms, error rate 0.0000)' });
    expect(k6.verdict(FAILING)).toEqual({ p95: '90.0', errorRate: '0.2500', outcome: 'failure',
      reason: 'error rate 0.2500 is not below 0.01 (2400 requests, p95 90.0 ms, error rate 0.2500, 600 iterations dropped (rate not reached))' });
    const nothing = k6Summary({ p95: 0, failedRate: 0, requests: 0, latencyOk: true, errorsOk: true });
    delete nothing.metrics.http_req_duration;
    delete nothing.metrics.http_req_failed;
    delete nothing.metrics.http_reqs;
    expect(k6.verdict(nothing)).toEqual({ p95: 'n/a', errorRate: 'n/a', outcome: 'failure', reason: 'no HTTP request completed' });
  });

  test("k6's own threshold flags decide; without them the same limits are applied to the values", () => {
    const { test } = build();
    const k6 = loadK6Module(test.k6Script);
    const noFlags = structuredClone(SLOW);
    delete noFlags.metrics.http_req_duration.thresholds;
    delete noFlags.metrics.http_req_failed.thresholds;
    expect(k6.verdict(noFlags).outcome).toBe('failure');
    const passNoFlags = structuredClone(PASS);
    delete passNoFlags.metrics.http_req_duration.thresholds;
    expect(k6.verdict(passNoFlags).outcome).toBe('success');
    // Exactly at the limit fails, as k6's `p(95)<500` does.
    const atLimit = k6Summary({ p95: 500, failedRate: 0, requests: 10, latencyOk: false, errorsOk: true });
    delete atLimit.metrics.http_req_duration.thresholds;
    expect(k6.verdict(atLimit).outcome).toBe('failure');
  });

  test('the results fit one step\'s termination message (4096 bytes) even at their largest', () => {
    const { test } = build();
    const k6 = loadK6Module(substituteResults(test.k6Script));
    const huge = k6Summary({ p95: 1e300, failedRate: 1, requests: 1e15, latencyOk: false, errorsOk: false, dropped: 1e15 });
    const written = k6.handleSummary(huge);
    expect(written['/tekton/results/reason'].length).toBeLessThanOrEqual(K6_REASON_MAX_LENGTH);
    // What the entrypoint writes: a JSON array of RunResult {key, value, type} (pkg/result), plus its StartedAt.
    const message = JSON.stringify([
      { key: 'StartedAt', value: '2026-11-29T19:46:31.123Z', type: 3 },
      ...Object.entries(written).filter(([k]) => k !== 'stdout').map(([k, v]) => ({ key: k.split('/').pop(), value: v, type: 1 })),
    ]);
    expect(Buffer.byteLength(message)).toBeLessThan(4096);
  });

  describe('the step script, run with sh against a stand-in k6 that calls handleSummary', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'k6-step-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs the step's script with results in `dir`; the stand-in k6 loads the module, writes its summary and exits like k6. */
    function runStep(summary: any, exitOverride?: number): { code: number | null; results: { [name: string]: string } } {
      const { chart } = build();
      const step = findObject(synthValid(chart), 'Task', 'load-test').spec.steps[0];
      const script = substituteResults(step.script, join(dir, 'results')).replace(/\/tmp\/load-test\.js/g, join(dir, 'load-test.js'));
      const bin = join(dir, 'bin');
      spawnSync('mkdir', ['-p', bin, join(dir, 'results')]);
      writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
      writeFileSync(join(bin, 'k6'), `#!${process.execPath}
const fs = require('fs');
const [, , cmd, file] = process.argv;
if (cmd !== 'run') process.exit(2);
${exitOverride !== undefined ? `process.exit(${exitOverride});` : ''}
const body = fs.readFileSync(file, 'utf8').replace(/^import http from 'k6\\/http';$/m, '').replace(/^export const options =/m, 'const options =')
  .replace(/^export default function \\(\\)/m, 'function __default()').replace(/^export function /gm, 'function ');
const k6 = new Function('http', '__ENV', body + '\\nreturn { options, handleSummary };')({}, {});
const data = JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, 'summary.json'))}, 'utf8'));
for (const [path, content] of Object.entries(k6.handleSummary(data))) if (path !== 'stdout') fs.writeFileSync(path, content);
const failed = Object.values(data.metrics).some((m) => Object.values(m.thresholds || {}).some((t) => !t.ok));
process.exit(failed ? 99 : 0);
`);
      chmodSync(join(bin, 'k6'), 0o755);
      const r = spawnSync('/bin/sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
      const results: { [name: string]: string } = {};
      for (const name of ['p95-ms', 'error-rate', 'outcome', 'reason']) {
        const f = join(dir, 'results', name);
        if (existsSync(f)) results[name] = readFileSync(f, 'utf8');
      }
      return { code: r.status, results };
    }

    test('thresholds met: k6 exits 0, the step succeeds with outcome success', () => {
      const r = runStep(PASS);
      expect(r).toEqual({ code: 0, results: { 'p95-ms': '123.5', 'error-rate': '0.0010', outcome: 'success', reason: '3000 requests, p95 123.5 ms, error rate 0.0010' } });
    });

    test('thresholds failed: k6 exits 99, the step still succeeds and the results say failure', () => {
      const r = runStep(SLOW);
      expect(r.code).toBe(0);
      expect(r.results).toMatchObject({ 'p95-ms': '812.0', outcome: 'failure' });
      expect(r.results.reason).toMatch(/^p95 812.0 ms is not below 500 ms/);
    });

    test('k6 failing otherwise (107, script exception): the step fails, with outcome failure and the exit code as reason', () => {
      const r = runStep(PASS, 107);
      expect(r).toEqual({ code: 107, results: { 'p95-ms': 'n/a', 'error-rate': 'n/a', outcome: 'failure', reason: 'k6 exited with code 107: the test did not run to the end' } });
    });
  });

  test('it is a TektonTask a pipeline can run', () => {
    const { chart, test } = build();
    const pipeline = new TektonPipeline(chart, 'verify', {
      params: [{ name: 'url' }],
      tasks: [{ name: 'load', task: test, params: { [K6LoadTest.PARAM_TARGET_URL]: '$(params.url)' } }],
      results: [{ name: 'outcome', value: `$(tasks.load.results.${K6LoadTest.RESULT_OUTCOME})` }],
    });
    synthValid(chart);
    expect(pipeline.runTemplate({ params: { url: 'http://fn.ns.svc.cluster.local' } }).spec.params).toEqual([{ name: 'url', value: 'http://fn.ns.svc.cluster.local' }]);
  });

  test('bad props: duration, rate, thresholds, VUs, image, resources', () => {
    expect(validationError(() => build({ duration: Duration.millis(1500) })).message).toMatch(/test\/load-test: duration .* must be whole seconds from 1s to 1h/);
    expect(validationError(() => build({ duration: Duration.hours(2) })).message).toMatch(/must be whole seconds from 1s to 1h/);
    expect(validationError(() => build({ rate: 0 })).message).toMatch(/test\/load-test: rate \(0\)/);
    expect(validationError(() => build({ rate: 2.5 })).message).toMatch(/rate \(2.5\)/);
    expect(validationError(() => build({ p95LatencyMs: 0 })).message).toMatch(/p95LatencyMs \(0\) must be a number of milliseconds > 0/);
    expect(validationError(() => build({ maxErrorRate: 1.5 })).message).toMatch(/maxErrorRate \(1.5\) must be a share in \(0, 1\]/);
    expect(validationError(() => build({ maxErrorRate: 0 })).message).toMatch(/maxErrorRate \(0\)/);
    expect(validationError(() => build({ requestTimeout: Duration.minutes(5) })).message).toMatch(/requestTimeout .* at most the duration/);
    expect(validationError(() => build({ preAllocatedVus: 10, maxVus: 5 })).message).toMatch(/maxVus \(5\) must be >= preAllocatedVus \(10\)/);
    expect(validationError(() => build({ image: 'grafana/k6:latest' })).message).toMatch(/steps\[0\]\.image \("grafana\/k6:latest"\)/);
    expect(validationError(() => build({ image: 'grafana/k6:2.1.0' })).message).toMatch(/is not pinned by digest/);
    build({ image: 'grafana/k6:2.1.0', allowTagOnlyImage: true });
    const small: kplus.ContainerResources = { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(32) }, cpu: { request: kplus.Cpu.millis(100) } };
    expect(validationError(() => build({ resources: small })).message).toMatch(/memory.request \("64Mi"\) must be <= steps\[0\]\.resources.memory.limit/);
  });
});
