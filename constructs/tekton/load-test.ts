/**
 * K6LoadTest: a TektonTask that load-tests a URL with k6 (grafana/k6, the official image, pinned by digest) at a
 * constant request rate, and writes its verdict as Tekton results: `p95-ms`, `error-rate`, `outcome`
 * (`success` | `failure`) and `reason`.
 *
 * The thresholds (p95 latency, error rate) are k6 thresholds, so k6 itself judges the run; `handleSummary()` reads
 * k6's end-of-test summary (metrics.http_req_duration.values['p(95)'], metrics.http_req_failed.values.rate and the
 * thresholds' `ok` flags) and writes the results. k6 exits 99 when a threshold fails: the step's shell maps exactly
 * that code (and 0) to success of the step, so a failed load test still ends as a finished TaskRun with its
 * results, while any other k6 failure (bad script, setup error: the test did not run) fails the TaskRun, after
 * writing `outcome: failure` and the exit code as `reason`. `onError: continue` was not used: it would also hide
 * those failures. Tekton reads result files after a failed step too (pkg/entrypoint, `readResultsFromDisk`).
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { durationMillis } from '../core/durations';
import { invalid, pendingScope } from '../core/errors';
import { ResourceProps } from '../core/resource';
import { requireInteger, requireProps } from '../core/validate';
import { TektonTask } from './task';

/** Props of a K6LoadTest. */
export interface K6LoadTestProps extends ResourceProps {
  /** How long the load runs (whole seconds, 1 s to 1 h). */
  readonly duration: Duration;
  /** Requests per second, held constant (k6 `constant-arrival-rate`, one request per iteration). */
  readonly rate: number;
  /** The test fails when the 95th percentile of request durations is not below this many milliseconds. */
  readonly p95LatencyMs: number;
  /** The test fails when the share of failed requests (status >= 400 or no response) is not below this (0..1). */
  readonly maxErrorRate: number;
  /** Per-request timeout. @default Duration.seconds(10) */
  readonly requestTimeout?: Duration;
  /** VUs k6 starts with. @default - rate × (request timeout in seconds), at most 100, at least 1 */
  readonly preAllocatedVus?: number;
  /** Most VUs k6 may use to hold the rate. @default - 4 × preAllocatedVus */
  readonly maxVus?: number;
  /** The k6 image. @default K6LoadTest.DEFAULT_IMAGE */
  readonly image?: string;
  /** Accept an image pinned by a version tag only. @default false */
  readonly allowTagOnlyImage?: boolean;
  /** @default - cpu 500m request, memory 256Mi request and 512Mi limit */
  readonly resources?: kplus.ContainerResources;
}

/** Upper bound of `reason` (characters): four results stay far below the 4 KiB termination message of a step. */
export const K6_REASON_MAX_LENGTH = 512;

/** A k6 load test as a Tekton Task (see the module comment). */
export class K6LoadTest extends TektonTask {
  /**
   * grafana/k6 2.1.0 (k6 v2.1.0, image USER 12345, alpine with /bin/sh). The digest is the one public repositories
   * pin for this tag; it was not checked against the registry here (offline): check it with
   * `crane digest grafana/k6:2.1.0` (or `docker buildx imagetools inspect`) before relying on it, and pass `image`
   * to use another.
   */
  public static readonly DEFAULT_IMAGE = 'grafana/k6:2.1.0@sha256:65c920dc067d5e2e00befbf982af6ad6ad0117034e8b1c65817c7975c52d4669';
  /** uid of the grafana/k6 image's user. */
  public static readonly IMAGE_UID = 12345;
  /** The param holding the URL under load. */
  public static readonly PARAM_TARGET_URL = 'target-url';
  /**
   * The param naming the environment under test (e.g. the namespace of the function), carried into the
   * `testsuiterun.finished` CDEvent by TektonRunResults; k6 itself does not read it.
   */
  public static readonly PARAM_ENVIRONMENT = 'environment';
  /** Result: 95th percentile of request durations, milliseconds (`n/a` when k6 did not finish). */
  public static readonly RESULT_P95_MS = 'p95-ms';
  /** Result: share of failed requests, 0..1 (`n/a` when k6 did not finish). */
  public static readonly RESULT_ERROR_RATE = 'error-rate';
  /** Result: `success` or `failure`. */
  public static readonly RESULT_OUTCOME = 'outcome';
  /** Result: one line saying why. */
  public static readonly RESULT_REASON = 'reason';

  /** The k6 script the step runs (JavaScript module; result paths as Tekton `$(results.<name>.path)` references). */
  public readonly k6Script: string;

  public constructor(scope: Construct, id: string, props: K6LoadTestProps) {
    const pending = pendingScope(scope, id);
    requireProps(pending, props, 'give duration, rate, p95LatencyMs and maxErrorRate');
    const durationMs = durationMillis(pending, 'duration', props.duration);
    if (durationMs % 1000 !== 0 || durationMs < 1000 || durationMs > 3600_000) {
      invalid(pending, 'duration', props.duration?.toHumanString?.() ?? props.duration, 'must be whole seconds from 1s to 1h');
    }
    const rate = requireInteger(pending, 'rate', props.rate, { min: 1, max: 10_000 });
    if (typeof props.p95LatencyMs !== 'number' || !Number.isFinite(props.p95LatencyMs) || props.p95LatencyMs <= 0) {
      invalid(pending, 'p95LatencyMs', props.p95LatencyMs, 'must be a number of milliseconds > 0');
    }
    if (typeof props.maxErrorRate !== 'number' || !Number.isFinite(props.maxErrorRate) || props.maxErrorRate <= 0 || props.maxErrorRate > 1) {
      invalid(pending, 'maxErrorRate', props.maxErrorRate, 'must be a share in (0, 1]', 'e.g. 0.01 for 1 %');
    }
    const timeoutMs = durationMillis(pending, 'requestTimeout', props.requestTimeout ?? Duration.seconds(10));
    if (timeoutMs < 1 || timeoutMs > durationMs) invalid(pending, 'requestTimeout', props.requestTimeout?.toHumanString(), 'must be > 0 and at most the duration');
    const preAllocated = requireInteger(pending, 'preAllocatedVus', props.preAllocatedVus ?? Math.min(100, Math.max(1, Math.ceil(rate * timeoutMs / 1000))), { min: 1, max: 10_000 });
    const maxVus = requireInteger(pending, 'maxVus', props.maxVus ?? preAllocated * 4, { min: 1, max: 10_000 });
    if (maxVus < preAllocated) invalid(pending, 'maxVus', maxVus, `must be >= preAllocatedVus (${preAllocated})`);

    const script = k6Script({
      durationSeconds: durationMs / 1000, rate, p95LatencyMs: props.p95LatencyMs, maxErrorRate: props.maxErrorRate,
      requestTimeoutMs: timeoutMs, preAllocatedVus: preAllocated, maxVus,
    });
    super(scope, id, {
      name: props.name,
      namespace: props.namespace,
      description: `k6 load test: ${rate} requests/s for ${durationMs / 1000}s; passes when p95 < ${props.p95LatencyMs} ms and error rate < ${props.maxErrorRate}`,
      params: [
        { name: K6LoadTest.PARAM_TARGET_URL, description: 'URL under load (GET)' },
        { name: K6LoadTest.PARAM_ENVIRONMENT, description: 'environment under test, for the verdict\'s CDEvent', defaultValue: '' },
      ],
      results: [
        { name: K6LoadTest.RESULT_P95_MS, description: '95th percentile of request durations, ms' },
        { name: K6LoadTest.RESULT_ERROR_RATE, description: 'share of failed requests, 0..1' },
        { name: K6LoadTest.RESULT_OUTCOME, description: 'success or failure' },
        { name: K6LoadTest.RESULT_REASON, description: 'why' },
      ],
      allowTagOnlyImages: props.allowTagOnlyImage,
      steps: [{
        name: 'k6',
        image: props.image ?? K6LoadTest.DEFAULT_IMAGE,
        script: stepScript(script),
        // handleSummary() reads the legacy summary data, which k6 (v2.1.0, internal/js/runner.go) hands over unless
        // the new machine-readable summary is switched on: keep it off.
        env: { K6_TARGET_URL: `$(params.${K6LoadTest.PARAM_TARGET_URL})`, K6_NO_USAGE_REPORT: 'true', K6_NEW_MACHINE_READABLE_SUMMARY: 'false' },
        resources: props.resources ?? { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
        security: { user: K6LoadTest.IMAGE_UID },
        writablePaths: ['/tmp'],
      }],
    });
    this.k6Script = script;
  }
}

interface ScriptOptions {
  readonly durationSeconds: number;
  readonly rate: number;
  readonly p95LatencyMs: number;
  readonly maxErrorRate: number;
  readonly requestTimeoutMs: number;
  readonly preAllocatedVus: number;
  readonly maxVus: number;
}

const resultPath = (name: string) => `$(results.${name}.path)`;

/** The k6 module. Plain ES2015+ that k6 (sobek) runs; no remote imports. */
function k6Script(o: ScriptOptions): string {
  const thresholds = { http_req_duration: [`p(95)<${o.p95LatencyMs}`], http_req_failed: [`rate<${o.maxErrorRate}`] };
  const options = {
    discardResponseBodies: true,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
    scenarios: {
      load: {
        executor: 'constant-arrival-rate', rate: o.rate, timeUnit: '1s', duration: `${o.durationSeconds}s`,
        preAllocatedVUs: o.preAllocatedVus, maxVUs: o.maxVus,
      },
    },
    thresholds,
  };
  const files = {
    p95: resultPath(K6LoadTest.RESULT_P95_MS), errorRate: resultPath(K6LoadTest.RESULT_ERROR_RATE),
    outcome: resultPath(K6LoadTest.RESULT_OUTCOME), reason: resultPath(K6LoadTest.RESULT_REASON),
  };
  return `import http from 'k6/http';

export const options = ${JSON.stringify(options, null, 2)};

const P95_LIMIT_MS = ${JSON.stringify(o.p95LatencyMs)};
const MAX_ERROR_RATE = ${JSON.stringify(o.maxErrorRate)};
const RESULT_FILES = ${JSON.stringify(files)};
const REASON_MAX_LENGTH = ${K6_REASON_MAX_LENGTH};

export default function () {
  http.get(__ENV.K6_TARGET_URL, { timeout: '${o.requestTimeoutMs}ms' });
}

// k6's verdict on one threshold expression: its own "ok" flag when it has one.
function thresholdOk(metric, expression, fallback) {
  const t = metric && metric.thresholds && metric.thresholds[expression];
  return t && typeof t.ok === 'boolean' ? t.ok : fallback;
}

export function verdict(data) {
  const metrics = (data && data.metrics) || {};
  const duration = metrics.http_req_duration;
  const failed = metrics.http_req_failed;
  const p95 = duration && duration.values ? duration.values['p(95)'] : undefined;
  const errorRate = failed && failed.values ? failed.values.rate : undefined;
  const requests = metrics.http_reqs && metrics.http_reqs.values ? metrics.http_reqs.values.count : 0;
  if (typeof p95 !== 'number' || typeof errorRate !== 'number' || !requests) {
    return { p95: 'n/a', errorRate: 'n/a', outcome: 'failure', reason: 'no HTTP request completed' };
  }
  const latencyOk = thresholdOk(duration, ${JSON.stringify(thresholds.http_req_duration[0])}, p95 < P95_LIMIT_MS);
  const errorsOk = thresholdOk(failed, ${JSON.stringify(thresholds.http_req_failed[0])}, errorRate < MAX_ERROR_RATE);
  const problems = [];
  if (!latencyOk) problems.push('p95 ' + p95.toFixed(1) + ' ms is not below ' + P95_LIMIT_MS + ' ms');
  if (!errorsOk) problems.push('error rate ' + errorRate.toFixed(4) + ' is not below ' + MAX_ERROR_RATE);
  const dropped = metrics.dropped_iterations && metrics.dropped_iterations.values ? metrics.dropped_iterations.values.count : 0;
  const facts = requests + ' requests, p95 ' + p95.toFixed(1) + ' ms, error rate ' + errorRate.toFixed(4) +
    (dropped ? ', ' + dropped + ' iterations dropped (rate not reached)' : '');
  const reason = (problems.length ? problems.join('; ') + ' (' + facts + ')' : facts).slice(0, REASON_MAX_LENGTH);
  return { p95: p95.toFixed(1), errorRate: errorRate.toFixed(4), outcome: problems.length ? 'failure' : 'success', reason: reason };
}

export function handleSummary(data) {
  const v = verdict(data);
  const out = { stdout: 'load test ' + v.outcome + ': ' + v.reason + '\\n' };
  out[RESULT_FILES.p95] = v.p95;
  out[RESULT_FILES.errorRate] = v.errorRate;
  out[RESULT_FILES.outcome] = v.outcome;
  out[RESULT_FILES.reason] = v.reason;
  return out;
}
`;
}

/** The step's shell: writes the module, runs k6, maps its exit code (see the module comment). */
function stepScript(script: string): string {
  if (script.includes('K6_SCRIPT_END')) throw new Error('k6 script holds the heredoc delimiter');
  return `#!/bin/sh
set -u
cat > /tmp/load-test.js <<'K6_SCRIPT_END'
${script}K6_SCRIPT_END
k6 run /tmp/load-test.js
code=$?
case "$code" in
  0|99) exit 0 ;;
esac
[ -s "${resultPath(K6LoadTest.RESULT_P95_MS)}" ] || printf 'n/a' > "${resultPath(K6LoadTest.RESULT_P95_MS)}"
[ -s "${resultPath(K6LoadTest.RESULT_ERROR_RATE)}" ] || printf 'n/a' > "${resultPath(K6LoadTest.RESULT_ERROR_RATE)}"
printf 'failure' > "${resultPath(K6LoadTest.RESULT_OUTCOME)}"
printf 'k6 exited with code %s: the test did not run to the end' "$code" > "${resultPath(K6LoadTest.RESULT_REASON)}"
exit "$code"
`;
}
