/**
 * Knative Serving's webhook rules (knative/serving v1.22.1) for what a user sets on a function: autoscaling
 * annotations, reserved labels and annotations, mount paths compared after cleaning. The cases marked "upstream"
 * replay the inputs and verdicts of Knative's own tests (pkg/apis/autoscaling/annotation_validation_test.go).
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { KnativeFunction, ScalingMetric, Visibility } from '../../constructs';
import {
  RESERVED_MOUNT_PATHS, autoscalingAnnotationProblems, cleanPath, functionLabelProblem, revisionAnnotationProblem, serviceAnnotationProblem,
} from '../../constructs/core/knative-rules';
import { container, findObject, synthValid, testChart, validationError } from '../support/k8s';

const IMAGE = 'ghcr.io/example/fn:1.0.0';
const A = 'autoscaling.knative.dev';
const KPA = 'kpa.autoscaling.knative.dev';

describe('autoscaling annotations: Knative\'s verdicts (upstream cases)', () => {
  test.each<[string, { [key: string]: string }, object, string[]]>([
    ['unsupported knative.dev class', { [`${A}/class`]: 'unsupported.knative.dev' }, {}, [`${A}/class`]],
    ['a class of another domain', { [`${A}/class`]: 'some.other.domain' }, {}, []],
    ['min-scale 0', { [`${A}/min-scale`]: '0' }, {}, []],
    ['max-scale 0', { [`${A}/max-scale`]: '0' }, {}, []],
    ['min-scale -1', { [`${A}/min-scale`]: '-1' }, {}, [`${A}/min-scale`]],
    ['max-scale 2147483648', { [`${A}/max-scale`]: '2147483648' }, {}, [`${A}/max-scale`]],
    ['min-scale foo', { [`${A}/min-scale`]: 'foo' }, {}, [`${A}/min-scale`]],
    ['min 5 max 2', { [`${A}/min-scale`]: '5', [`${A}/max-scale`]: '2' }, {}, [`${A}/max-scale`]],
    ['min 2 max 5', { [`${A}/min-scale`]: '2', [`${A}/max-scale`]: '5' }, {}, []],
    ['max above max-scale-limit', { [`${A}/max-scale`]: '11' }, { maxScaleLimit: 10 }, [`${A}/max-scale`]],
    ['max 0 under max-scale-limit', { [`${A}/max-scale`]: '0' }, { maxScaleLimit: 10 }, [`${A}/max-scale`]],
    ['max within max-scale-limit', { [`${A}/max-scale`]: '9' }, { maxScaleLimit: 10 }, []],
    ['min 1, activation 2, max 3', { [`${A}/min-scale`]: '1', [`${A}/activation-scale`]: '2', [`${A}/max-scale`]: '3' }, {}, []],
    ['min 3 above activation 2', { [`${A}/min-scale`]: '3', [`${A}/activation-scale`]: '2' }, {}, [`${A}/activation-scale`]],
    ['max 1 below activation 2', { [`${A}/max-scale`]: '1', [`${A}/activation-scale`]: '2' }, {}, [`${A}/activation-scale`]],
    ['activation 1', { [`${A}/activation-scale`]: '1' }, {}, [`${A}/activation-scale`]],
    ['random algorithm on KPA', { [`${A}/metric-aggregation-algorithm`]: 'random-selection', [`${A}/class`]: KPA }, {}, [`${A}/metric-aggregation-algorithm`]],
    ['random algorithm, other class', { [`${A}/metric-aggregation-algorithm`]: 'random-selection', [`${A}/class`]: 'of-keys' }, {}, []],
    ['weighted algorithm on KPA', { [`${A}/metric-aggregation-algorithm`]: 'weightedExponential', [`${A}/class`]: KPA }, {}, []],
    ['panic window -1', { [`${A}/panic-window-percentage`]: '-1' }, {}, [`${A}/panic-window-percentage`]],
    ['panic window 202', { [`${A}/panic-window-percentage`]: '202' }, {}, [`${A}/panic-window-percentage`]],
    ['panic window fifty', { [`${A}/panic-window-percentage`]: 'fifty' }, {}, [`${A}/panic-window-percentage`]],
    ['panic threshold 210', { [`${A}/panic-threshold-percentage`]: '210' }, {}, []],
    ['panic threshold 109', { [`${A}/panic-threshold-percentage`]: '109' }, {}, [`${A}/panic-threshold-percentage`]],
    ['panic threshold 10009', { [`${A}/panic-threshold-percentage`]: '10009' }, {}, [`${A}/panic-threshold-percentage`]],
    ['target -11', { [`${A}/target`]: '-11' }, {}, [`${A}/target`]],
    ['target 0', { [`${A}/target`]: '0' }, {}, [`${A}/target`]],
    ['target 100}', { [`${A}/target`]: '100}' }, {}, [`${A}/target`]],
    ['target 11', { [`${A}/target`]: '11' }, {}, []],
    ['burst capacity -11', { [`${A}/target-burst-capacity`]: '-11' }, {}, [`${A}/target-burst-capacity`]],
    ['burst capacity 0', { [`${A}/target-burst-capacity`]: '0' }, {}, []],
    ['burst capacity -1', { [`${A}/target-burst-capacity`]: '-1' }, {}, []],
    ['burst capacity 19870709', { [`${A}/target-burst-capacity`]: '19870709' }, {}, []],
    ['utilization 0', { [`${A}/target-utilization-percentage`]: '0' }, {}, [`${A}/target-utilization-percentage`]],
    ['utilization 101', { [`${A}/target-utilization-percentage`]: '101' }, {}, [`${A}/target-utilization-percentage`]],
    ['window not a duration', { [`${A}/window`]: 'jerry-was-a-racecar-driver' }, {}, [`${A}/window`]],
    ['window 1s', { [`${A}/window`]: '1s' }, {}, [`${A}/window`]],
    ['window 365h', { [`${A}/window`]: '365h' }, {}, [`${A}/window`]],
    ['window 1m9s82ms', { [`${A}/window`]: '1m9s82ms' }, {}, [`${A}/window`]],
    ['window 7s on KPA', { [`${A}/window`]: '7s', [`${A}/class`]: KPA }, {}, []],
    ['scale-down delay -1s', { [`${A}/scale-down-delay`]: '-1s' }, {}, [`${A}/scale-down-delay`]],
    ['scale-down delay 1h1s', { [`${A}/scale-down-delay`]: '1h1s' }, {}, [`${A}/scale-down-delay`]],
    ['scale-down delay 3.5s', { [`${A}/scale-down-delay`]: '3.5s' }, {}, [`${A}/scale-down-delay`]],
    ['scale-down delay 30s', { [`${A}/scale-down-delay`]: '30s' }, {}, []],
    ['retention 1m5s', { [`${A}/scale-to-zero-pod-retention-period`]: '1m5s' }, {}, []],
    ['retention 2h', { [`${A}/scale-to-zero-pod-retention-period`]: '2h' }, {}, [`${A}/scale-to-zero-pod-retention-period`]],
    ['metric cpu on KPA', { [`${A}/metric`]: 'cpu' }, {}, [`${A}/metric`]],
    ['metric rps on KPA', { [`${A}/metric`]: 'rps' }, {}, []],
    ['metric cpu on HPA', { [`${A}/metric`]: 'cpu', [`${A}/class`]: 'hpa.autoscaling.knative.dev' }, {}, []],
    ['metric memory, HPA cluster default', { [`${A}/metric`]: 'memory' }, { podAutoscalerClass: 'hpa.autoscaling.knative.dev' }, []],
    ['initial scale 0', { [`${A}/initial-scale`]: '0' }, {}, [`${A}/initial-scale`]],
    ['initial scale 0 where the cluster allows it', { [`${A}/initial-scale`]: '0' }, { allowZeroInitialScale: true }, []],
    ['initial scale -2', { [`${A}/initial-scale`]: '-2' }, {}, [`${A}/initial-scale`]],
    ['initial scale 3', { [`${A}/initial-scale`]: '3' }, {}, []],
    // Go reads these and every bound check passes; nothing useful can come of them, so they are refused here.
    ['target NaN (accepted by Go, refused here)', { [`${A}/target`]: 'NaN' }, {}, [`${A}/target`]],
    ['the legacy key is read when the current one is absent', { [`${A}/minScale`]: '5', [`${A}/max-scale`]: '2' }, {}, [`${A}/max-scale`]],
  ])('%s', (_case, annotations, settings, keys) => {
    expect(autoscalingAnnotationProblems(annotations, settings).map((p) => p.key)).toEqual(keys);
  });
});

describe('Go path.Clean, as Knative compares mount paths', () => {
  test.each([
    ['a/c', 'a/c'], ['a//c', 'a/c'], ['a/c/.', 'a/c'], ['a/c/b/..', 'a/c'], ['/../a/c', '/a/c'], ['/../a/b/../././/c', '/a/c'], ['', '.'],
    ['/tmp/', '/tmp'], ['//tmp', '/tmp'], ['/a/../b', '/b'], ['/..', '/'], ['../../a', '../../a'], ['a/../..', '..'], ['/dev/./log/', '/dev/log'],
  ])('%p → %p', (path, clean) => {
    expect(cleanPath(path)).toBe(clean);
  });

  test('the reserved paths are those of v1.22.1 (/tmp and /var were freed in 1.13)', () => {
    expect(RESERVED_MOUNT_PATHS).toEqual(['/', '/dev', '/dev/log']);
  });
});

describe('KnativeFunction holds labels, annotations and mounts to Knative\'s rules', () => {
  const make = (props: object) => () => new KnativeFunction(testChart().chart, 'fn', { image: IMAGE, ...props });

  test.each([
    ['a mount path that cleans to a reserved one', { writablePaths: ['/a/../dev/log'] }, 'test/fn: writablePaths[0] ("/a/../dev/log") is reserved by Knative (/, /dev, /dev/log; compared after cleaning the path); mount below it, e.g. "/var/data"'],
    ['two mount paths that clean to the same', { writablePaths: ['/tmp/', '//tmp'] }, 'test/fn: writablePaths[1] ("//tmp") is the same mount path as "/tmp/" once cleaned (/tmp), which Knative refuses'],
    ['the visibility label', { labels: { 'networking.knative.dev/visibility': 'cluster-local' }, visibility: Visibility.PUBLIC },
      'test/fn: labels.networking.knative.dev/visibility ("cluster-local") is written from the visibility prop (a different value here would make the function public or private behind the prop\'s back): set visibility'],
    ['a serving.knative.dev label', { labels: { 'serving.knative.dev/service': 'other' } }, 'test/fn: labels.serving.knative.dev/service ("other") is a label Knative sets itself on the objects it creates'],
    ['an autoscaling annotation on the Service', { annotations: { [`${A}/min-scale`]: '1' } },
      'test/fn: annotations.autoscaling.knative.dev/min-scale ("1") is an autoscaling annotation, which Knative accepts only on the revision template: use scale'],
    ['the creator annotation', { annotations: { 'serving.knative.dev/creator': 'me' } }, 'test/fn: annotations.serving.knative.dev/creator ("me") is written by Knative\'s webhook (the user who created or last changed the Service)'],
    ['a rollout duration below a second', { annotations: { 'serving.knative.dev/rollout-duration': '1.5s' } }, 'test/fn: annotations.serving.knative.dev/rollout-duration ("1.5s") must be a whole number of seconds'],
    ['a rollout duration that is not a Go duration', { annotations: { 'serving.knative.dev/rolloutDuration': '5 minutes' } }, 'test/fn: annotations.serving.knative.dev/rolloutDuration ("5 minutes") is not a Go duration (e.g. "90s", "10m")'],
    ['an activation scale below min', { scale: { min: 3, activationScale: 2 } }, 'test/fn: scale.activationScale (2) must be >= scale.min (3); raise scale.activationScale or lower scale.min'],
  ])('%s', (_case, props, message) => {
    expect(validationError(make(props)).message).toBe(message);
  });

  test('paths Knative allows are mounted as written: /var, and a path in another spelling than /tmp\'s', () => {
    const { chart } = testChart();
    new KnativeFunction(chart, 'fn', { image: IMAGE, writablePaths: ['/tmp/', '/var', '/var/cache/../data'], annotations: { 'serving.knative.dev/rollout-duration': '380s' } });
    const ksvc = findObject(synthValid(chart), 'Service', 'fn');
    expect(container(ksvc).volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp/', '/var', '/var/cache/../data']);
  });

  test('a ConfigMap mount is compared after cleaning too', () => {
    const { chart } = testChart();
    const fn = new KnativeFunction(chart, 'fn', { image: IMAGE });
    expect(validationError(() => fn.mountConfigMap(kplus.ConfigMap.fromConfigMapName(fn, 'C', 'settings'), '/tmp/./')).message)
      .toBe('test/fn: mountPath ("/tmp/./") is the same mount path as "/tmp" once cleaned (/tmp), which Knative refuses');
  });

  test('pod labels follow the label rules', () => {
    const fn = make({})();
    expect(validationError(() => fn.addPodLabel('serving.knative.dev/revision', 'r1')).message)
      .toBe('test/fn: podLabels.serving.knative.dev/revision ("r1") is a label Knative sets itself on the objects it creates');
  });

  test.each([
    [`${A}/min-scale`, '3', 'is written from scale.min; set that instead'],
    [`${A}/class`, 'hpa.autoscaling.knative.dev', 'is written from scale.metric; set that instead'],
    [`${A}/minscale`, '3', 'is not an autoscaling annotation Knative reads (it would be ignored): use one of'],
    [`${A}/panic-window-percentage`, '202', 'must be within 1..100; Knative checks the revision\'s autoscaling annotations together'],
    [`${A}/scale-to-zero-pod-retention-period`, '90', 'is not a Go duration (e.g. "90s", "1m30s"); Knative checks'],
    ['networking.knative.dev/visibility', 'cluster-local', 'is not a networking annotation Knative allows on a revision'],
    ['features.knative.dev/http-full-duplex', 'yes', 'must be "enabled" or "disabled" (Knative treats anything else as disabled)'],
    ['features.knative.dev/full-duplex', 'Enabled', 'is not a feature Knative reads per revision'],
    ['queue.sidecar.serving.knative.dev/resource-percentage', '0.05', 'must be a number within 0.1..100'],
    ['queue.sidecar.serving.knative.dev/cpu-resource-request', '100 m', 'must be a Kubernetes quantity (e.g. "100m", "64Mi")'],
    ['queue.sidecar.serving.knative.dev/cpu-request', '100m', 'is not a queue-proxy annotation Knative reads'],
    ['serving.knative.dev/progress-deadline', '90.5s', 'must be a whole number of seconds'],
    ['serving.knative.dev/progress-deadline', '-10s', 'must not be negative'],
    ['serving.knative.dev/no-gc', 'yes', 'must be "true" or "false"'],
    ['serving.knative.dev/routes', 'r', 'is set by Knative itself; of serving.knative.dev, a revision template takes progress-deadline and no-gc'],
  ])('revision annotation %s: %p is refused', (key, value, problem) => {
    const fn = make({})();
    const error = validationError(() => fn.addRevisionAnnotation(key, value));
    expect(error.field).toBe(`revisionAnnotations.${key}`);
    expect(error.message).toContain(`test/fn: revisionAnnotations.${key} (${JSON.stringify(value)}) ${problem}`);
  });

  test('a setting under two keys is refused: Knative reads only the first', () => {
    const fn = make({})();
    fn.addRevisionAnnotation(`${A}/panicWindowPercentage`, '10');
    expect(validationError(() => fn.addRevisionAnnotation(`${A}/panic-window-percentage`, '20')).message)
      .toBe(`test/fn: revisionAnnotations.${A}/panic-window-percentage ("20") sets the same thing as ${A}/panicWindowPercentage, and Knative reads only ${A}/panic-window-percentage`);
  });

  test('an aggregation algorithm is checked although the webhook skips it without a class annotation (the KPA default reads it)', () => {
    const fn = make({ scale: { metric: ScalingMetric.RPS } })();
    fn.addRevisionAnnotation(`${A}/metric-aggregation-algorithm`, 'weighted-exponential');
    expect(autoscalingAnnotationProblems({ [`${A}/metric-aggregation-algorithm`]: 'random' })).toEqual([]);
    expect(validationError(() => make({})().addRevisionAnnotation(`${A}/metricAggregationAlgorithm`, 'random')).message)
      .toBe(`test/fn: revisionAnnotations.${A}/metricAggregationAlgorithm ("random") must be linear or weighted-exponential`);
  });

  test('annotations are checked together with those written from scale', () => {
    const hpa = make({ scale: { metric: ScalingMetric.CPU } })();
    const error = validationError(() => hpa.addRevisionAnnotation(`${A}/scale-to-zero-pod-retention-period`, '2h'));
    expect(error.message).toBe(`test/fn: revisionAnnotations.${A}/scale-to-zero-pod-retention-period ("2h") must be within 0s..1h; Knative checks the revision's autoscaling annotations together, those written from scale included`);
  });

  test('annotations Knative reads are kept, and the template still passes Knative\'s autoscaling rules', () => {
    const { chart } = testChart();
    const fn = new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { min: 1, max: 5, activationScale: 3, window: Duration.seconds(30) } });
    const accepted: Array<[string, string]> = [
      [`${A}/panic-window-percentage`, '10'], [`${A}/target-burst-capacity`, '-1'], [`${A}/scale-to-zero-pod-retention-period`, '1m5s'],
      ['networking.knative.dev/http-protocol', 'redirected'], ['features.knative.dev/http-full-duplex', 'Enabled'],
      ['queue.sidecar.serving.knative.dev/memory-resource-limit', '64Mi'], ['serving.knative.dev/progress-deadline', '600s'],
      ['serving.knative.dev/no-gc', 'true'], ['example.com/owner', 'team-a'],
    ];
    for (const [key, value] of accepted) fn.addRevisionAnnotation(key, value);
    const annotations = findObject(synthValid(chart), 'Service', 'fn').spec.template.metadata.annotations;
    expect(annotations).toMatchObject(Object.fromEntries(accepted));
    expect(autoscalingAnnotationProblems(annotations)).toEqual([]);
    for (const [key, value] of Object.entries(annotations)) expect([key, revisionAnnotationProblem(key, value, {})]).toEqual([key, key.startsWith(A) && !accepted.some(([k]) => k === key) ? expect.stringContaining('is written from scale') : undefined]);
  });

  test('the per-key rules let through what is not Knative\'s', () => {
    expect([serviceAnnotationProblem('example.com/x', 'y'), functionLabelProblem('team'), revisionAnnotationProblem('platform-blueprints.io/config-hash', 'abc', {})])
      .toEqual([undefined, undefined, undefined]);
  });
});
