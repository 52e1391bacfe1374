/**
 * Continuous verification: "when one of these functions is deployed or upgraded, load-test it, and tell me when it
 * fails", declared in one props object. Knative Serving, Knative Eventing and Tekton never learn of each other; they
 * cooperate through CDEvents on the platform's broker:
 *
 *   Knative Service change ─ApiServerSource→ EventTransform ─ service.deployed / service.upgraded → broker
 *   broker ─Trigger→ EventListener → PipelineRun `verify` → TaskRun `load-test` (k6 against the function's URL)
 *   Tekton events controller ─ dev.tekton.event.* → broker ─Trigger→ EventTransform ─ testsuiterun.finished → broker
 *   broker ─Triggers (outcome = failure, outcome = error)→ the failure sink (a notification function by default)
 *
 * Each piece is a construct of its own (ServiceLifecycleEvents, K6LoadTest, TektonPipeline, EventTriggeredPipeline,
 * TektonRunResults, TektonEventsSink); this bundle composes them with the same wiring calls a user would write.
 */
import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IBroker, IEventSink, IEventSubscription, IFunction } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { invalid } from '../core/errors';
import { requireEventSink, requireName, requireUnique } from '../core/validate';
import { isBroker } from '../eventing/broker';
import { KnativeFunction } from '../knative/function';
import { Language } from '../knative/types';
import { PlatformPolicy, PolicyRuleId } from '../policy/policy';
import { ServiceLifecycleEvents } from '../cdevents/service-lifecycle';
import { TektonEventsSink } from '../cdevents/tekton-events-sink';
import { TektonRunResults } from '../cdevents/tekton-results';
import { CDEvents, CDEventsOutcome, CDEventsSeverity } from '../cdevents/vocabulary';
import { EventTriggeredPipeline, EventValue } from '../tekton/event-pipeline';
import { K6LoadTest } from '../tekton/load-test';
import { TektonPipeline } from '../tekton/pipeline';
import { PodSecurityLevel, declareNamespace, requireProfile } from './namespace';
import { Profile } from './profile';
import { EVENT_DISPLAY_IMAGE, defaultImageFor } from './default-images';

/** What a verification load test does and when it fails. */
export interface VerificationLoadTest {
  /** How long the load runs (whole seconds, 1 s to 1 h). */
  readonly duration: Duration;
  /** Requests per second (constant arrival rate). */
  readonly rate: number;
  /** Fails when the 95th percentile of request durations is not below this many milliseconds. */
  readonly p95LatencyMs: number;
  /** Fails when the share of failed requests is not below this (0..1, e.g. 0.01). */
  readonly maxErrorRate: number;
  /** Per-request timeout. @default Duration.seconds(10) */
  readonly requestTimeout?: Duration;
  /** The k6 image, pinned by digest. @default K6LoadTest.DEFAULT_IMAGE */
  readonly image?: string;
}

export interface ContinuousVerificationProps {
  /**
   * Namespace of the verification machinery (listener, pipeline, runs, transforms, the notification function); the
   * bundle creates it with Pod Security "restricted".
   */
  readonly namespace: string;
  /** @default Profile.DEV */
  readonly profile?: Profile;
  /** The broker the CDEvents flow through (the event platform's). Its namespace holds the subscriptions. */
  readonly broker: IBroker;
  /**
   * The functions to verify (of this app). Each gets the opt-in label of ServiceLifecycleEvents on its Knative
   * Service; their namespaces are watched.
   */
  readonly functions: IFunction[];
  /** The load test each deployed or upgraded revision gets. */
  readonly loadTest: VerificationLoadTest;
  /**
   * Where failed verdicts go: `testsuiterun.finished` with outcome `failure` (a threshold failed, or k6 did not run to
   * the end) or `error` (no verdict: the TaskRun timed out, its image was not pulled, its pod was refused).
   * @default - a `verification-alerts` function (Knative's event_display) in this namespace that logs each one
   */
  readonly onFailure?: IEventSink;
  /**
   * Image of the default notification function. Required in a prod namespace (unless `onFailure` is given): the
   * default is published only as `latest`.
   * @default EVENT_DISPLAY_IMAGE - Knative's event_display (dev profile only)
   */
  readonly notificationImage?: string;
  /** Severity of a failed verdict. @default CDEventsSeverity.HIGH */
  readonly failureSeverity?: CDEventsSeverity;
  /**
   * Declare the broker as the cluster's Tekton events sink (TektonEventsSink) and translate Tekton's run events into
   * CDEvents there (TektonRunResults). Both are one per cluster: turn this off on a second ContinuousVerification of
   * the same broker (its verdicts come from the first one's translation).
   * @default true
   */
  readonly tektonEvents?: boolean;
  /** Extra labels on the namespace. @default - none */
  readonly namespaceLabels?: { [key: string]: string };
  /** See FunctionsPlatformProps.shareNamespace. @default false */
  readonly shareNamespace?: boolean;
}


/**
 * Service lifecycle CDEvents → a k6 load test in Tekton → its verdict as a CDEvent → failures to a sink. See the
 * module comment for the flow; `dist/continuous-verification.k8s.yaml` shows every object.
 */
export class ContinuousVerification extends Construct {
  /** The pipeline's name (its runs are `verify-<event id>`). */
  public static readonly PIPELINE_NAME = 'verify';
  /** The load-test Task's name, also the test suite's id in the verdicts. */
  public static readonly TASK_NAME = 'load-test';

  public readonly namespace: string;
  public readonly profile: Profile;
  public readonly broker: IBroker;
  public readonly lifecycle: ServiceLifecycleEvents;
  public readonly loadTest: K6LoadTest;
  public readonly pipeline: TektonPipeline;
  public readonly listener: EventTriggeredPipeline;
  /** The translation of Tekton's events (absent when `tektonEvents` is false). */
  public readonly results?: TektonRunResults;
  public readonly tektonEvents?: TektonEventsSink;
  public readonly failureSink: IEventSink;
  /** The subscriptions: lifecycle events to the listener, failed and errored verdicts to the failure sink. */
  public readonly subscriptions: IEventSubscription[];

  public constructor(scope: Construct, id: string, props: ContinuousVerificationProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') invalid(this, 'props', props, 'are required', 'give namespace, broker, functions and loadTest');
    this.namespace = requireName(this, 'namespace', props.namespace);
    this.profile = requireProfile(this, props.profile);
    if (!isBroker(props.broker)) invalid(this, 'broker', props.broker, 'must be a broker', 'pass the event platform\'s broker (EventDrivenPlatform.broker)');
    this.broker = props.broker;
    if (!Array.isArray(props.functions) || props.functions.length === 0) {
      invalid(this, 'functions', props.functions, 'must list at least one function to verify', 'e.g. [platform.functionNamed("hello")]');
    }
    if (!props.loadTest || typeof props.loadTest !== 'object') {
      invalid(this, 'loadTest', props.loadTest, 'is required', 'e.g. { duration: Duration.seconds(30), rate: 20, p95LatencyMs: 500, maxErrorRate: 0.01 }');
    }
    props.functions.forEach((fn, i) => serviceOf(this, `functions[${i}]`, fn));
    if (props.onFailure !== undefined) requireEventSink(this, 'onFailure', props.onFailure, 'pass a function (or another event sink) that receives failed verdicts, or leave it out for the default');
    requireUnique(this, 'functions', props.functions.map((f) => `${f.namespace}/${f.name}`), 'list each function once');
    declareNamespace(this, this.namespace, {
      podSecurity: PodSecurityLevel.RESTRICTED, profile: this.profile, labels: props.namespaceLabels, shared: props.shareNamespace,
    });

    // 1. Lifecycle events of the opted-in Knative Services, as CDEvents into the broker.
    this.lifecycle = new ServiceLifecycleEvents(this, 'Lifecycle', {
      name: 'service-lifecycle',
      namespace: this.namespace,
      sink: this.broker,
      watchNamespaces: [...new Set(props.functions.map((f) => f.namespace))].sort(),
    });
    props.functions.forEach((fn, i) => optIn(this, `functions[${i}]`, fn, this.lifecycle.selector));

    // 2. The load test and the pipeline that runs it.
    const lt = props.loadTest;
    this.loadTest = new K6LoadTest(this, 'LoadTest', {
      name: ContinuousVerification.TASK_NAME,
      namespace: this.namespace,
      duration: lt.duration,
      rate: lt.rate,
      p95LatencyMs: lt.p95LatencyMs,
      maxErrorRate: lt.maxErrorRate,
      requestTimeout: lt.requestTimeout,
      image: lt.image,
    });
    // Tekton copies a Task's labels onto its TaskRuns: this one marks them as a test suite for TektonRunResults.
    this.loadTest.resource.metadata.addLabel(TektonRunResults.TEST_SUITE_LABEL, ContinuousVerification.TASK_NAME);
    this.pipeline = new TektonPipeline(this, 'Pipeline', {
      name: ContinuousVerification.PIPELINE_NAME,
      namespace: this.namespace,
      description: 'load-tests a revision of a Knative Service that was just deployed or upgraded',
      params: [
        { name: K6LoadTest.PARAM_TARGET_URL, description: 'URL of the Knative Service' },
        { name: K6LoadTest.PARAM_ENVIRONMENT, description: 'namespace of the Knative Service', defaultValue: '' },
      ],
      tasks: [{
        name: ContinuousVerification.TASK_NAME,
        task: this.loadTest,
        params: {
          [K6LoadTest.PARAM_TARGET_URL]: `$(params.${K6LoadTest.PARAM_TARGET_URL})`,
          [K6LoadTest.PARAM_ENVIRONMENT]: `$(params.${K6LoadTest.PARAM_ENVIRONMENT})`,
        },
      }],
    });

    // 3. Lifecycle CDEvents start it: the event id (`<uid>/<revision>`) names the run, so a revision is tested once.
    const starts = [CDEvents.SERVICE_DEPLOYED, CDEvents.SERVICE_UPGRADED];
    this.listener = new EventTriggeredPipeline(this, 'Listener', {
      name: 'verify-on-deploy',
      namespace: this.namespace,
      pipeline: this.pipeline,
      consumes: starts,
      params: {
        [K6LoadTest.PARAM_TARGET_URL]: EventValue.attribute('ksvcurl'),
        [K6LoadTest.PARAM_ENVIRONMENT]: EventValue.attribute('ksvcnamespace'),
      },
      runNamePrefix: ContinuousVerification.PIPELINE_NAME,
      // The load test runs for `duration`; the run may take a few minutes more to schedule and report.
      runTimeout: Duration.seconds(Math.ceil(lt.duration.toSeconds()) + 600),
    });
    const subscriptions = starts.map((type) => this.broker.subscribe(this.listener, {
      name: `${this.namespace.slice(0, 40)}-verify-${type.type.split('.')[3]}`,
      filters: [EventFilter.type(type)],
    }));

    // 4. Tekton's run events into the broker, and back out as CDEvents (the verdict: testsuiterun.finished).
    // Both are one per cluster: Tekton has one events sink, and a second translation would send every verdict twice.
    if (props.tektonEvents !== false) {
      this.tektonEvents = new TektonEventsSink(this, 'TektonEvents', { broker: this.broker });
      this.results = new TektonRunResults(this, 'Results', {
        name: 'tekton-cdevents',
        namespace: this.namespace,
        broker: this.broker,
        failureSeverity: props.failureSeverity,
      });
    } else if (props.failureSeverity !== undefined) {
      invalid(this, 'failureSeverity', props.failureSeverity, 'has no effect without tektonEvents (the construct that translates Tekton\'s events sets it)',
        'set it on the ContinuousVerification or TektonRunResults that has tektonEvents');
    }

    // 5. Failed verdicts, and load tests that could not give one (`error`: timed out, image not pulled, pod refused),
    // to the failure sink: a revision that was not verified must not pass in silence. One subscription per outcome,
    // because a RabbitMQ broker filters by exact attributes only.
    this.failureSink = props.onFailure ?? this.notificationFunction(props.notificationImage);
    for (const [outcome, suffix] of [[CDEventsOutcome.FAILURE, 'failures'], [CDEventsOutcome.ERROR, 'errors']]) {
      subscriptions.push(this.broker.subscribe(this.failureSink, {
        name: `${this.namespace.slice(0, 40)}-${suffix}`,
        filters: [EventFilter.type(CDEvents.TEST_SUITE_RUN_FINISHED), EventFilter.exact({ outcome })],
      }));
    }
    this.subscriptions = subscriptions;
  }

  private notificationFunction(image: string | undefined): KnativeFunction {
    const fn = new KnativeFunction(this, 'Alerts', {
      name: 'verification-alerts',
      namespace: this.namespace,
      image: defaultImageFor(this, this.profile, 'notificationImage', image, EVENT_DISPLAY_IMAGE),
      language: Language.GO,
      scale: { min: 0, max: 2 },
      resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
    });
    if (image === undefined) {
      PlatformPolicy.exempt(fn.resource, PolicyRuleId.PINNED_IMAGES,
        'Knative publishes event_display only as latest; pass notificationImage with a digest to pin it');
    }
    return fn;
  }
}

/** The Knative Service object of a function of this app (checked before anything is created). */
function serviceOf(scope: Construct, field: string, fn: IFunction): ApiObject {
  if (!fn || typeof fn.name !== 'string' || typeof fn.namespace !== 'string') {
    invalid(scope, field, fn, 'must be a function', 'pass a KnativeFunction (e.g. platform.functionNamed("hello"))');
  }
  const resource = (fn as Partial<KnativeFunction>).resource;
  if (!(resource instanceof ApiObject)) {
    invalid(scope, field, `${fn.namespace}/${fn.name}`, 'is not a function of this app, so its Knative Service cannot be labelled here',
      `have its owner add the label ${ServiceLifecycleEvents.OPT_IN_LABEL}=true to it, and verify it with ServiceLifecycleEvents and EventTriggeredPipeline directly`);
  }
  return resource;
}

/** Puts the lifecycle opt-in label on a function's Knative Service. */
function optIn(scope: Construct, field: string, fn: IFunction, selector: { [key: string]: string }): void {
  const resource = serviceOf(scope, field, fn);
  for (const [key, value] of Object.entries(selector)) {
    const current = resource.metadata.getLabel(key);
    if (current !== undefined && current !== value) {
      invalid(scope, `${field}.labels.${key}`, current, `differs from the opt-in value "${value}"`, 'remove the label from the function\'s props');
    }
    resource.metadata.addLabel(key, value);
  }
}
