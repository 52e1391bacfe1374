/**
 * Tekton run events → CDEvents, with no controller of our own. Tekton's events controller sends every TaskRun and
 * PipelineRun event of the cluster to one sink (`config-events`, set to the broker by the Tekton install); this
 * subscribes an EventTransform to the started/successful/failed types on that broker, and its JSONata
 * (tekton-results-jsonata.ts) posts `testsuiterun.finished` (load tests), `taskrun.*` and `pipelinerun.*` CDEvents
 * back into the broker, with `outcome` promoted so a Trigger can select failures.
 */
import { Construct } from 'constructs';
import { IBroker, IEventSink, IEventSource, IEventSubscription } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { CloudEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { LABEL_PREFIX } from '../core/labels';
import { NamespacedResource } from '../core/resource';
import { requireArray, requireName, requireProps } from '../core/validate';
import { checkQualifiedName } from '../core/k8s-rules';
import { isBroker } from '../eventing/broker';
import { EventTransform } from '../eventing/transform';
import { tektonResultsExpression } from './tekton-results-jsonata';
import { CDEvents, CDEventsSeverity } from './vocabulary';

/**
 * The CloudEvent types Tekton Pipelines (v1.15.0) sends for runs. External: Tekton's events controller sends them,
 * configured by the cluster's Tekton install (`config-events.sink`), not by a wiring call of this app.
 */
export class TektonEvents {
  public static readonly TASK_RUN_QUEUED = TektonEvents.of('taskrun', 'queued');
  public static readonly TASK_RUN_STARTED = TektonEvents.of('taskrun', 'started');
  public static readonly TASK_RUN_RUNNING = TektonEvents.of('taskrun', 'running');
  public static readonly TASK_RUN_UNKNOWN = TektonEvents.of('taskrun', 'unknown');
  public static readonly TASK_RUN_SUCCESSFUL = TektonEvents.of('taskrun', 'successful');
  public static readonly TASK_RUN_FAILED = TektonEvents.of('taskrun', 'failed');
  public static readonly PIPELINE_RUN_QUEUED = TektonEvents.of('pipelinerun', 'queued');
  public static readonly PIPELINE_RUN_STARTED = TektonEvents.of('pipelinerun', 'started');
  public static readonly PIPELINE_RUN_RUNNING = TektonEvents.of('pipelinerun', 'running');
  public static readonly PIPELINE_RUN_UNKNOWN = TektonEvents.of('pipelinerun', 'unknown');
  public static readonly PIPELINE_RUN_SUCCESSFUL = TektonEvents.of('pipelinerun', 'successful');
  public static readonly PIPELINE_RUN_FAILED = TektonEvents.of('pipelinerun', 'failed');
  public static readonly CUSTOM_RUN_STARTED = TektonEvents.of('customrun', 'started');
  public static readonly CUSTOM_RUN_RUNNING = TektonEvents.of('customrun', 'running');
  public static readonly CUSTOM_RUN_SUCCESSFUL = TektonEvents.of('customrun', 'successful');
  public static readonly CUSTOM_RUN_FAILED = TektonEvents.of('customrun', 'failed');

  /** Every type above. */
  public static all(): CloudEventType[] {
    return Object.values(TektonEvents).filter((v): v is CloudEventType => CloudEventType.isCloudEventType(v));
  }

  private static of(kind: string, step: string): CloudEventType {
    return CloudEventType.external(`dev.tekton.event.${kind}.${step}.v1`, {
      description: `Tekton: a ${kind} ${step} (data: the run as a tekton.dev/v1beta1 object)`,
    });
  }

  private constructor() {}
}

export interface TektonRunResultsProps {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** The broker Tekton's events arrive on (the install's `config-events.sink`); the CDEvents go back into it. */
  readonly broker: IBroker;
  /**
   * A TaskRun carrying this label is a load test (the value names the suite); Tekton copies a Task's labels onto its
   * TaskRuns, so label the Task.
   * @default 'platform-blueprints.io/test-suite' (TektonRunResults.TEST_SUITE_LABEL)
   */
  readonly testSuiteLabel?: string;
  /**
   * Runs of these Tasks are load tests too (by the `tekton.dev/task` label or the taskRef name).
   * @default - only runs with the label
   */
  readonly testSuiteTasks?: string[];
  /**
   * The run param naming the environment tested; else the run's label `platform-blueprints.io/environment`; else the
   * run's namespace.
   * @default 'environment'
   */
  readonly environmentParam?: string;
  /** @default CDEventsSeverity.HIGH */
  readonly failureSeverity?: CDEventsSeverity;
  /** Severity when the test could not give a verdict (no `outcome` result, a timeout). @default CDEventsSeverity.MEDIUM */
  readonly errorSeverity?: CDEventsSeverity;
  /**
   * Base of the run URIs in the CDEvents (`<base>/apis/tekton.dev/v1/namespaces/<ns>/taskruns/<name>`).
   * @default 'https://kubernetes.default.svc' (the in-cluster API server)
   */
  readonly apiServerUrl?: string;
}

/**
 * Tekton run events → CDEvents. Children: `Transform` (EventTransform `<name>`, sink the broker) and one
 * subscription per Tekton type it reads (`<name>-taskrun-started`, ...), each an exact type filter.
 */
export class TektonRunResults extends NamespacedResource implements IEventSource {
  /** The label that marks a load test's TaskRuns (set it on the Task). */
  public static readonly TEST_SUITE_LABEL = `${LABEL_PREFIX}/test-suite`;
  /** The label naming the environment a run tests, when the run has no environment param. */
  public static readonly ENVIRONMENT_LABEL = `${LABEL_PREFIX}/environment`;
  /** What the transform emits for an event that maps to no CDEvent. No subscription should select it. */
  public static readonly IGNORED = CloudEventType.of('io.platform-blueprints.tekton.ignored', {
    description: 'a Tekton event with no CDEvents counterpart (queued, running, custom runs); not for subscriptions',
  });
  /** The Tekton types the transform is subscribed to. */
  public static readonly CONSUMES = [
    TektonEvents.TASK_RUN_STARTED, TektonEvents.TASK_RUN_SUCCESSFUL, TektonEvents.TASK_RUN_FAILED,
    TektonEvents.PIPELINE_RUN_STARTED, TektonEvents.PIPELINE_RUN_SUCCESSFUL, TektonEvents.PIPELINE_RUN_FAILED,
  ];

  public readonly transform: EventTransform;
  /** The broker Tekton's events arrive on; the CDEvents go back into it. */
  public readonly broker: IBroker;
  /** Where the CDEvents go: the broker (as an event source, IEventSource). */
  public readonly sink: IEventSink;
  public readonly emits: CloudEventType[];
  public readonly subscriptions: IEventSubscription[];

  public constructor(scope: Construct, id: string, props: TektonRunResultsProps) {
    // Trigger names are `<name>-pipelinerun-successful` (+24 characters): a DNS label.
    super(scope, id, props, { maxLength: 39, maxLengthReason: 'its subscriptions are named <name>-pipelinerun-successful (at most 63)' });
    requireProps(this, props, 'give at least broker');
    if (!isBroker(props.broker)) invalid(this, 'broker', props.broker, 'must be a broker', 'pass the broker Tekton\'s config-events sink points at');
    this.broker = props.broker;
    this.sink = props.broker;
    const label = props.testSuiteLabel ?? TektonRunResults.TEST_SUITE_LABEL;
    const labelProblem = typeof label === 'string' ? checkQualifiedName(label) : 'must be a label key';
    if (labelProblem) invalid(this, 'testSuiteLabel', label, labelProblem, `e.g. "${TektonRunResults.TEST_SUITE_LABEL}"`);
    const tasks = requireArray(this, 'testSuiteTasks', props.testSuiteTasks, 'list Task names, e.g. ["load-test"]');
    tasks.forEach((t, i) => requireName(this, `testSuiteTasks[${i}]`, t, 'dns1123-subdomain'));
    const environmentParam = props.environmentParam ?? 'environment';
    if (typeof environmentParam !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_.-]*$/.test(environmentParam)) {
      invalid(this, 'environmentParam', environmentParam, 'is not a Tekton param name', 'letters, digits, "_", "-" and ".", starting with a letter or "_"');
    }
    const severities = Object.values(CDEventsSeverity) as string[];
    const failureSeverity = props.failureSeverity ?? CDEventsSeverity.HIGH;
    const errorSeverity = props.errorSeverity ?? CDEventsSeverity.MEDIUM;
    if (!severities.includes(failureSeverity)) invalid(this, 'failureSeverity', failureSeverity, `must be one of ${severities.join(', ')}`, 'use CDEventsSeverity');
    if (!severities.includes(errorSeverity)) invalid(this, 'errorSeverity', errorSeverity, `must be one of ${severities.join(', ')}`, 'use CDEventsSeverity');
    const apiServerUrl = props.apiServerUrl ?? 'https://kubernetes.default.svc';
    if (typeof apiServerUrl !== 'string' || !/^https?:\/\/[^\s/?#]+$/.test(apiServerUrl)) {
      invalid(this, 'apiServerUrl', apiServerUrl, 'must be an http(s) URL with no path', 'e.g. "https://kubernetes.default.svc"');
    }

    this.emits = [
      CDEvents.TEST_SUITE_RUN_FINISHED, CDEvents.TASK_RUN_STARTED, CDEvents.TASK_RUN_FINISHED,
      CDEvents.PIPELINE_RUN_STARTED, CDEvents.PIPELINE_RUN_FINISHED, TektonRunResults.IGNORED,
    ];
    this.transform = new EventTransform(this, 'Transform', {
      name: this.name,
      namespace: this.namespace,
      expression: tektonResultsExpression({
        testSuiteFinished: CDEvents.TEST_SUITE_RUN_FINISHED.type,
        taskRunStarted: CDEvents.TASK_RUN_STARTED.type,
        taskRunFinished: CDEvents.TASK_RUN_FINISHED.type,
        pipelineRunStarted: CDEvents.PIPELINE_RUN_STARTED.type,
        pipelineRunFinished: CDEvents.PIPELINE_RUN_FINISHED.type,
        ignored: TektonRunResults.IGNORED.type,
        testSuiteLabel: label,
        testSuiteTasks: [...tasks],
        environmentParam,
        environmentLabel: TektonRunResults.ENVIRONMENT_LABEL,
        failureSeverity,
        errorSeverity,
        apiServerUrl,
      }),
      emits: this.emits,
      sink: props.broker,
    });
    this.subscriptions = TektonRunResults.CONSUMES.map((t) => props.broker.subscribe(this.transform, {
      name: `${this.name}-${t.type.split('.')[3]}-${t.type.split('.')[4]}`,
      filters: [EventFilter.type(t)],
    }));
  }
}
