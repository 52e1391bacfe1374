/**
 * Knative Serving's admission rules for what a user can set on a Knative Service: labels, annotations of the
 * Service and of its revision template, mount paths and environment. Written from reading knative/serving at the
 * pinned release (v1.22.1, `knative-v1.22.1`) and the knative.dev/networking module it pins; each rule names the
 * file it comes from. Where Knative silently ignores or overwrites a value (an unknown autoscaling key, a feature
 * annotation with another value than enabled/disabled, a label Knative sets itself) the library refuses it too,
 * and says so.
 *
 * The functions return problems as text; the constructs raise them as ValidationErrors naming their field.
 */
import { parseGoDuration } from './durations';
import { parseQuantity } from './quantity';

/**
 * Mount paths Knative refuses, compared after Go's `path.Clean` (pkg/apis/serving/k8s_validation.go,
 * `reservedPaths`). `/tmp` and `/var` were reserved before Knative 1.13 and are not any more.
 */
export const RESERVED_MOUNT_PATHS = ['/', '/dev', '/dev/log'];

/** Environment variables Knative sets in the user container (k8s_validation.go, `reservedEnvVars`). */
export const RESERVED_ENV_VARS = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];

/**
 * A slash-separated path reduced the way Go's `path.Clean` does (Knative compares mount paths that way): repeated
 * slashes become one, `.` segments go, `..` removes the segment before it (and is dropped at the root), a trailing
 * slash goes; the empty path is `.`. So `/tmp/` and `/tmp/./` are `/tmp`, and `/a/../b` is `/b`.
 */
export function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') kept.push(segment);
    else if (kept.length > 0 && kept[kept.length - 1] !== '..') kept.pop();
    else if (!rooted) kept.push('..');
  }
  const joined = kept.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

const AUTOSCALING = 'autoscaling.knative.dev';
const KPA = 'kpa.autoscaling.knative.dev';
const HPA = 'hpa.autoscaling.knative.dev';

/**
 * The autoscaling settings and the annotation keys Knative reads each from, preferred key first (pkg/apis/autoscaling
 * register.go: a setting given under two keys is read from the first present, the other is ignored).
 */
const AUTOSCALING_KEYS = {
  class: ['class'],
  minScale: ['min-scale', 'minScale'],
  maxScale: ['max-scale', 'maxScale'],
  initialScale: ['initial-scale', 'initialScale'],
  activationScale: ['activation-scale'],
  metric: ['metric'],
  target: ['target'],
  targetUtilization: ['target-utilization-percentage', 'targetUtilizationPercentage'],
  targetBurstCapacity: ['target-burst-capacity', 'targetBurstCapacity'],
  panicWindow: ['panic-window-percentage', 'panicWindowPercentage'],
  panicThreshold: ['panic-threshold-percentage', 'panicThresholdPercentage'],
  window: ['window'],
  scaleDownDelay: ['scale-down-delay', 'scaleDownDelay'],
  retention: ['scale-to-zero-pod-retention-period', 'scaleToZeroPodRetentionPeriod'],
  algorithm: ['metric-aggregation-algorithm', 'metricAggregationAlgorithm'],
};
type AutoscalingSetting = keyof typeof AUTOSCALING_KEYS;

/** The ScaleOptions field each autoscaling setting is made from (the library writes those annotations itself). */
const FROM_SCALE_OPTIONS: { [setting: string]: string } = {
  class: 'scale.metric', minScale: 'scale.min', maxScale: 'scale.max', initialScale: 'scale.initial',
  activationScale: 'scale.activationScale', metric: 'scale.metric', target: 'scale.target',
  targetUtilization: 'scale.targetUtilizationPercentage', window: 'scale.window', scaleDownDelay: 'scale.scaleDownDelay',
};

function settingOf(key: string): AutoscalingSetting | undefined {
  if (!key.startsWith(`${AUTOSCALING}/`)) return undefined;
  const name = key.slice(AUTOSCALING.length + 1);
  return (Object.keys(AUTOSCALING_KEYS) as AutoscalingSetting[]).find((s) => AUTOSCALING_KEYS[s].includes(name));
}

/** The key and value Knative reads a setting from, if any. */
function read(annotations: { [key: string]: unknown }, setting: AutoscalingSetting): [string, string] | undefined {
  for (const name of AUTOSCALING_KEYS[setting]) {
    const key = `${AUTOSCALING}/${name}`;
    if (key in annotations) return [key, String(annotations[key])];
  }
  return undefined;
}

/** Go's `strconv.ParseInt(text, 10, bits)`: optional sign, decimal digits only. 'syntax', 'range' or the value. */
function goParseInt(text: string, bits: 32 | 64): bigint | 'syntax' | 'range' {
  if (!/^[+-]?[0-9]+$/.test(text)) return 'syntax';
  const value = BigInt(text);
  const limit = 2n ** BigInt(bits - 1);
  return value < -limit || value >= limit ? 'range' : value;
}

/**
 * A float as Knative reads it with `strconv.ParseFloat`, limited to finite decimal numbers: Go also accepts `NaN`,
 * `Inf` and hexadecimal floats, with which every bound check passes or means nothing, so they are refused here.
 */
function decimal(text: string): number | undefined {
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const SECOND = 1_000_000_000n;
const HOUR = 3600n * SECOND;

/** Cluster settings (config-autoscaler) the autoscaling rules depend on; Knative's defaults when unset. */
export interface AutoscalerSettings {
  /** `pod-autoscaler-class`. @default 'kpa.autoscaling.knative.dev' */
  readonly podAutoscalerClass?: string;
  /** `max-scale-limit` (0 = none). @default 0 */
  readonly maxScaleLimit?: number;
  /** `allow-zero-initial-scale`. @default false */
  readonly allowZeroInitialScale?: boolean;
}

export interface AnnotationProblem {
  /** The annotation key Knative would name in its refusal. */
  readonly key: string;
  readonly problem: string;
}

/**
 * What Knative's webhook refuses in the `autoscaling.knative.dev/*` annotations of a revision template
 * (pkg/apis/autoscaling/annotation_validation.go, `ValidateAnnotations`, with the cluster settings given), plus the
 * values it accepts but cannot act on (`NaN`, `Inf`). Empty when Knative admits them.
 */
export function autoscalingAnnotationProblems(annotations: { [key: string]: unknown }, settings: AutoscalerSettings = {}): AnnotationProblem[] {
  const problems: AnnotationProblem[] = [];
  const add = (key: string, problem: string) => problems.push({ key, problem });

  const cls = read(annotations, 'class');
  if (cls && cls[1].endsWith('.knative.dev') && cls[1] !== KPA && cls[1] !== HPA) add(cls[0], `must be ${KPA} or ${HPA} (or a class outside knative.dev)`);

  // Scale bounds: Go int32 >= 0; max 0 means unbounded.
  const bound = (setting: 'minScale' | 'maxScale'): number => {
    const entry = read(annotations, setting);
    if (!entry) return 0;
    const parsed = goParseInt(entry[1], 32);
    if (parsed === 'syntax') add(entry[0], 'must be a whole number (Go int32)');
    else if (parsed === 'range' || parsed < 0n) add(entry[0], 'must be within 0..2147483647');
    else return Number(parsed);
    return 0;
  };
  const min = bound('minScale');
  const max = bound('maxScale');
  if (max !== 0 && max < min) add(read(annotations, 'maxScale')![0], `must be >= min-scale (${min}), or 0 for no bound`);
  const maxEntry = read(annotations, 'maxScale');
  const limit = settings.maxScaleLimit ?? 0;
  if (maxEntry && limit > 0) {
    if (max > limit) add(maxEntry[0], `must be <= the cluster's max-scale-limit (${limit})`);
    if (max === 0) add(maxEntry[0], `must not be 0 (unbounded) under the cluster's max-scale-limit (${limit})`);
  }
  const activation = read(annotations, 'activationScale');
  if (activation) {
    const parsed = goParseInt(activation[1], 32);
    if (typeof parsed !== 'bigint') add(activation[0], 'must be a whole number (Go int32)');
    else if (BigInt(min) > parsed) add(activation[0], `must be >= min-scale (${min})`);
    else if (max !== 0 && BigInt(max) < parsed) add(activation[0], `must be <= max-scale (${max})`);
    else if (parsed < 2n) add(activation[0], 'must be greater than 1');
  }

  const float = (setting: AutoscalingSetting, ok: (v: number) => boolean, rule: string) => {
    const entry = read(annotations, setting);
    if (!entry) return;
    const value = decimal(entry[1]);
    if (value === undefined) add(entry[0], 'must be a finite decimal number');
    else if (!ok(value)) add(entry[0], rule);
  };
  float('panicWindow', (v) => v >= 1 && v <= 100, 'must be within 1..100');
  float('panicThreshold', (v) => v >= 110 && v <= 1000, 'must be within 110..1000');
  float('target', (v) => v >= 0.01, 'must be at least 0.01');
  float('targetUtilization', (v) => v >= 1 && v <= 100, 'must be within 1..100');
  float('targetBurstCapacity', (v) => v >= 0 || v === -1, 'must be >= 0, or -1 (unlimited)');

  const duration = (setting: AutoscalingSetting, low: bigint, wholeSeconds: boolean, range: string) => {
    const entry = read(annotations, setting);
    if (!entry) return;
    const ns = parseGoDuration(entry[1]);
    if (ns === undefined) add(entry[0], 'is not a Go duration (e.g. "90s", "1m30s")');
    else if (ns < low || ns > HOUR) add(entry[0], `must be within ${range}`);
    else if (wholeSeconds && ns % SECOND !== 0n) add(entry[0], 'must be a whole number of seconds');
  };
  duration('window', 6n * SECOND, true, '6s..1h');
  duration('retention', 0n, false, '0s..1h');
  duration('scaleDownDelay', 0n, true, '0s..1h');

  const metric = read(annotations, 'metric');
  if (metric) {
    const classValue = cls ? cls[1] : settings.podAutoscalerClass ?? KPA;
    if (classValue === KPA && metric[1] !== 'concurrency' && metric[1] !== 'rps') add(metric[0], 'must be concurrency or rps with the KPA class');
    if (classValue === HPA && metric[1] === '') add(metric[0], 'must not be empty with the HPA class');
  }
  const algorithm = read(annotations, 'algorithm');
  if (cls?.[1] === KPA && algorithm && algorithm[1] !== '' && !['linear', 'weighted-exponential', 'weightedExponential'].includes(algorithm[1])) {
    add(algorithm[0], 'must be linear or weighted-exponential');
  }

  const initial = read(annotations, 'initialScale');
  if (initial) {
    const parsed = goParseInt(initial[1], 64);
    if (typeof parsed !== 'bigint') add(initial[0], 'must be a whole number');
    else if (parsed < 0n) add(initial[0], 'must not be negative');
    else if (parsed === 0n && !settings.allowZeroInitialScale) add(initial[0], 'must not be 0 unless the cluster sets allow-zero-initial-scale');
  }
  return problems;
}

/** networking.knative.dev annotations a revision template may carry (knative.dev/networking pkg/apis/networking). */
const REVISION_NETWORKING_ANNOTATIONS = [
  'ingress.class', 'ingress-class', 'certificate.class', 'certificate-class', 'disableAutoTLS', 'disable-auto-tls',
  'disable-external-domain-tls', 'httpOption', 'http-protocol',
].map((name) => `networking.knative.dev/${name}`);

/** Per-revision feature annotations and the values Knative acts on (pkg/apis/config/features.go). */
const FEATURE_ANNOTATIONS = ['features.knative.dev/queueproxy-podinfo', 'features.knative.dev/http-full-duplex'];

const QUEUE_SIDECAR = 'queue.sidecar.serving.knative.dev/';
const QUEUE_SIDECAR_QUANTITIES = ['cpu-resource-request', 'cpu-resource-limit', 'memory-resource-request', 'memory-resource-limit',
  'ephemeral-storage-resource-request', 'ephemeral-storage-resource-limit'];

/**
 * What Knative refuses or ignores in one annotation of a revision template, other than the autoscaling rules that
 * span several keys (`autoscalingAnnotationProblems`): keys the library writes from `scale`, unknown or duplicated
 * autoscaling keys, networking keys outside the allowed list (knative.dev/networking metadata_validation.go),
 * feature and queue-proxy annotations, and the serving.knative.dev keys Knative sets itself
 * (pkg/apis/serving/v1/revision_validation.go). `annotations` holds the template's other annotations.
 */
export function revisionAnnotationProblem(key: string, value: unknown, annotations: { [key: string]: unknown }): string | undefined {
  const text = typeof value === 'string' ? value : undefined;
  if (key.startsWith(AUTOSCALING)) {
    const setting = settingOf(key);
    if (!setting) return `is not an autoscaling annotation Knative reads (it would be ignored): use one of ${Object.values(AUTOSCALING_KEYS).map((k) => k[0]).join(', ')}`;
    if (FROM_SCALE_OPTIONS[setting]) return `is written from ${FROM_SCALE_OPTIONS[setting]}; set that instead`;
    const other = AUTOSCALING_KEYS[setting].map((n) => `${AUTOSCALING}/${n}`).find((k) => k !== key && k in annotations);
    if (other) return `sets the same thing as ${other}, and Knative reads only ${AUTOSCALING}/${AUTOSCALING_KEYS[setting][0]}`;
    // The webhook checks the algorithm only under an explicit KPA class annotation, which scale never writes; the
    // KPA (the cluster default) still reads it.
    if (setting === 'algorithm' && text !== undefined && !['linear', 'weighted-exponential', 'weightedExponential'].includes(text)) {
      return 'must be linear or weighted-exponential';
    }
    return undefined;
  }
  if (key.startsWith('networking.knative.dev') && !REVISION_NETWORKING_ANNOTATIONS.includes(key)) {
    return `is not a networking annotation Knative allows on a revision (${REVISION_NETWORKING_ANNOTATIONS.join(', ')})`;
  }
  if (key.startsWith('features.knative.dev/')) {
    if (!FEATURE_ANNOTATIONS.includes(key)) return `is not a feature Knative reads per revision (${FEATURE_ANNOTATIONS.join(', ')})`;
    if (text !== undefined && !/^(enabled|disabled)$/i.test(text)) return 'must be "enabled" or "disabled" (Knative treats anything else as disabled)';
  }
  if (key.startsWith(QUEUE_SIDECAR) && text !== undefined) {
    const name = key.slice(QUEUE_SIDECAR.length);
    if (name === 'resource-percentage' || name === 'resourcePercentage') {
      const percent = decimal(text);
      if (percent === undefined || percent < 0.1 || percent > 100) return 'must be a number within 0.1..100';
    } else if (QUEUE_SIDECAR_QUANTITIES.includes(name)) {
      if (parseQuantity(text) === undefined) return 'must be a Kubernetes quantity (e.g. "100m", "64Mi")';
    } else {
      return `is not a queue-proxy annotation Knative reads (resource-percentage, ${QUEUE_SIDECAR_QUANTITIES.join(', ')})`;
    }
  }
  if (key.startsWith('serving.knative.dev/')) {
    if (key === 'serving.knative.dev/progress-deadline') return text === undefined ? undefined : wholeSecondsProblem(text);
    if (key === 'serving.knative.dev/no-gc') return text === undefined || /^(true|false)$/i.test(text) ? undefined : 'must be "true" or "false"';
    return 'is set by Knative itself; of serving.knative.dev, a revision template takes progress-deadline and no-gc';
  }
  return undefined;
}

/** A Go duration of whole seconds, not negative (Knative's rollout-duration and progress-deadline rules). */
function wholeSecondsProblem(text: string): string | undefined {
  const ns = parseGoDuration(text);
  if (ns === undefined) return 'is not a Go duration (e.g. "90s", "10m")';
  if (ns < 0n) return 'must not be negative';
  if (ns % SECOND !== 0n) return 'must be a whole number of seconds';
  return undefined;
}

/**
 * What Knative refuses or overwrites in one annotation of a Knative Service's own metadata: autoscaling
 * annotations belong on the revision template (pkg/apis/serving/metadata_validation.go), the creator and
 * lastModifier annotations are the webhook's (knative.dev/pkg apis/metadata_validation.go), and the rollout
 * duration is a Go duration of whole seconds (metadata_validation.go, `ValidateRolloutDurationAnnotation`).
 */
export function serviceAnnotationProblem(key: string, value: unknown): string | undefined {
  if (key.startsWith(AUTOSCALING)) return 'is an autoscaling annotation, which Knative accepts only on the revision template: use scale';
  if (key === 'serving.knative.dev/creator' || key === 'serving.knative.dev/lastModifier') return 'is written by Knative\'s webhook (the user who created or last changed the Service)';
  if ((key === 'serving.knative.dev/rollout-duration' || key === 'serving.knative.dev/rolloutDuration') && typeof value === 'string') return wholeSecondsProblem(value);
  return undefined;
}

/**
 * What is wrong with a label key a user gives a Knative Service (labels go on the Service and its pods): Knative
 * sets the serving.knative.dev labels of Services, Configurations, Routes, Revisions and pods itself
 * (pkg/apis/serving/register.go) and refuses some it did not set; the visibility label is the `visibility` prop's.
 */
export function functionLabelProblem(key: string): string | undefined {
  if (key === 'networking.knative.dev/visibility') return 'is written from the visibility prop (a different value here would make the function public or private behind the prop\'s back): set visibility';
  if (key.startsWith('serving.knative.dev/')) return 'is a label Knative sets itself on the objects it creates';
  return undefined;
}
