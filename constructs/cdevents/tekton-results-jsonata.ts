/**
 * The JSONata expression of TektonRunResults: a Tekton run event → a CDEvent, as a structured CloudEvent whose data is
 * the CDEvent.
 *
 * Input (what the transform image passes): the CloudEvent Tekton's events controller sent (pipeline v1.15.0,
 * pkg/reconciler/events/cloudevent/cloudevent.go), structured — `type` `dev.tekton.event.{taskrun,pipelinerun}.
 * {queued,started,running,unknown,successful,failed}.v1`, random `id`, `subject` the run name, and `data`
 * `{"taskRun": …}` or `{"pipelineRun": …}`: the run as a **v1beta1** object (results in `status.taskResults[]` /
 * `status.pipelineResults[]`, each `{name, value}`; the `Succeeded` condition with its reason).
 *
 * Mapping:
 *   taskrun successful|failed, a load test (the TaskRun carries the test-suite label, or runs one of the named Tasks)
 *                                → testsuiterun.finished: outcome from the result `outcome` (success|failure), else
 *                                  cancel (run cancelled) or error; severity for failure/error; reason from the results
 *                                  `reason`, `p95-ms`, `error-rate` (else, for a failed run, its condition's message); environment from
 *                                  the run's param, else its label, else its namespace
 *   taskrun successful|failed    → taskrun.finished      pipelinerun successful|failed → pipelinerun.finished
 *   taskrun started              → taskrun.started       pipelinerun started           → pipelinerun.started
 *   anything else (queued, running, unknown, customrun, other data) → the `ignored` type
 * Run outcome: successful → success; cancelled → cancel, except a TaskRun Tekton cancelled because its PipelineRun
 * timed out → error (a timeout, like a TaskRun's own); failed with reason `Failed` → failure; any other failure reason
 * (timeout, validation, missing Task) → error.
 * CloudEvent id `<run uid>/started` or `<run uid>/finished`: Tekton's random ids and its retried, duplicated sends map
 * to one event per run and phase. `outcome` (finished types) and `testsuite` (load tests) are promoted as extensions.
 */

export interface TektonResultsSettings {
  readonly testSuiteFinished: string;
  readonly taskRunStarted: string;
  readonly taskRunFinished: string;
  readonly pipelineRunStarted: string;
  readonly pipelineRunFinished: string;
  readonly ignored: string;
  /** Label whose presence on a TaskRun makes it a load test (its value names the suite). */
  readonly testSuiteLabel: string;
  /** Tasks whose runs are load tests (by `tekton.dev/task` / taskRef name). */
  readonly testSuiteTasks: string[];
  /** Run param, then run label, naming the environment. */
  readonly environmentParam: string;
  readonly environmentLabel: string;
  readonly failureSeverity: string;
  readonly errorSeverity: string;
  /** Base of the runs' URIs (the API server the runs live on). */
  readonly apiServerUrl: string;
}

/** Extension attributes the expression sets (CloudEvents: lowercase letters and digits). */
export const TEKTON_RESULTS_EXTENSIONS = ['outcome', 'testsuite'];

/**
 * The `Succeeded` condition reasons of a cancelled run (pipeline v1.15.0: TaskRunReasonCancelled,
 * PipelineRunReasonCancelled; `CancelledRunFinally` and `StoppedRunFinally` are spec.status requests, not reasons).
 */
export const CANCEL_REASONS = ['TaskRunCancelled', 'Cancelled'];

/**
 * What the condition message of a TaskRun holds when Tekton cancelled it because its PipelineRun timed out
 * (v1.15.0 TaskRunCancelledByPipelineTimeoutMsg, appended to `TaskRun "<name>" was cancelled. `).
 */
export const PIPELINE_TIMEOUT_CANCEL_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has timed out.';

const str = (s: string): string => JSON.stringify(s);

export function tektonResultsExpression(s: TektonResultsSettings): string {
  const tekton = (kind: string, step: string) => str(`dev.tekton.event.${kind}.${step}.v1`);
  return `(
  $tr := data.taskRun;
  $pr := data.pipelineRun;
  $isTask := $exists($tr) and type in [${tekton('taskrun', 'started')}, ${tekton('taskrun', 'successful')}, ${tekton('taskrun', 'failed')}];
  $isPipeline := $exists($pr) and type in [${tekton('pipelinerun', 'started')}, ${tekton('pipelinerun', 'successful')}, ${tekton('pipelinerun', 'failed')}];
  $run := $isTask ? $tr : $isPipeline ? $pr : undefined;
  $finished := $exists($run) and ($contains(type, ".successful.") or $contains(type, ".failed."));
  $meta := $run.metadata;
  $ns := $meta.namespace;
  $path := "/apis/tekton.dev/v1/namespaces/" & $ns & ($isTask ? "/taskruns/" : "/pipelineruns/") & $meta.name;
  $cond := ($run.status.conditions[type = "Succeeded"])[0];
  $pipelineTimedOut := $cond.reason = "TaskRunCancelled" and $exists($cond.message) and $contains($cond.message, ${str(PIPELINE_TIMEOUT_CANCEL_MESSAGE)});
  $runOutcome := $contains(type, ".successful.") ? "success"
    : $pipelineTimedOut ? "error"
    : $cond.reason in ${JSON.stringify(CANCEL_REASONS)} ? "cancel"
    : $cond.reason = "Failed" ? "failure"
    : "error";
  $results := $isTask ? $tr.status.taskResults : $pr.status.pipelineResults;
  $result := function($n) { $string(($results[name = $n].value)[0]) };
  $present := function($v) { $exists($v) and $v != "" };
  $param := ($run.spec.params[name = ${str(s.environmentParam)}].value)[0];
  $label := $lookup($meta.labels, ${str(s.environmentLabel)});
  $environment := $present($param) ? $param : $present($label) ? $label : $ns;
  $taskName := $present($lookup($meta.labels, "tekton.dev/task")) ? $lookup($meta.labels, "tekton.dev/task")
    : $present($tr.spec.taskRef.name) ? $tr.spec.taskRef.name : $meta.name;
  $pipelineName := $present($lookup($meta.labels, "tekton.dev/pipeline")) ? $lookup($meta.labels, "tekton.dev/pipeline")
    : $present($pr.spec.pipelineRef.name) ? $pr.spec.pipelineRef.name : $meta.name;
  $suiteLabel := $lookup($meta.labels, ${str(s.testSuiteLabel)});
  $suite := $isTask ? ($present($suiteLabel) ? $suiteLabel : $taskName in ${JSON.stringify(s.testSuiteTasks)} ? $taskName : undefined) : undefined;
  $parentRun := $lookup($meta.labels, "tekton.dev/pipelineRun");
  $verdict := $result("outcome");
  $suiteOutcome := $runOutcome = "cancel" ? "cancel" : $verdict in ["success", "failure"] ? $verdict : "error";
  $reasonParts := [
    $present($result("reason")) ? $result("reason") : undefined,
    $present($result("p95-ms")) ? "p95-ms=" & $result("p95-ms") : undefined,
    $present($result("error-rate")) ? "error-rate=" & $result("error-rate") : undefined
  ];
  $reason := $count($reasonParts) > 0 ? $join($reasonParts, "; ")
    : $runOutcome = "success" ? undefined
    : $present($cond.message) ? $cond.message : $cond.reason;
  $cdtype := $not($exists($run)) ? ${str(s.ignored)}
    : $isTask and $finished and $exists($suite) ? ${str(s.testSuiteFinished)}
    : $isTask and $finished ? ${str(s.taskRunFinished)}
    : $isTask ? ${str(s.taskRunStarted)}
    : $finished ? ${str(s.pipelineRunFinished)}
    : ${str(s.pipelineRunStarted)};
  $id := $cdtype = ${str(s.ignored)} ? id : $meta.uid & ($finished ? "/finished" : "/started");
  $time := $exists(time) ? time : $now();
  $uri := ${str(s.apiServerUrl)} & $path;
  $pipelineRef := $present($parentRun) ? { "id": $ns & "/" & $parentRun, "source": "/apis/tekton.dev/v1/namespaces/" & $ns & "/pipelineruns/" & $parentRun } : undefined;
  $content := $cdtype = ${str(s.testSuiteFinished)} ? {
      "environment": { "id": $environment },
      "testSuite": { "id": $suite, "name": $taskName },
      "outcome": $suiteOutcome,
      "severity": $suiteOutcome = "failure" ? ${str(s.failureSeverity)} : $suiteOutcome = "error" ? ${str(s.errorSeverity)} : undefined,
      "reason": $reason
    }
    : $cdtype = ${str(s.taskRunFinished)} ? {
      "taskName": $taskName, "uri": $uri, "pipelineRun": $pipelineRef, "outcome": $runOutcome,
      "errors": $runOutcome = "success" ? undefined : $present($cond.message) ? $cond.message : $cond.reason
    }
    : $cdtype = ${str(s.taskRunStarted)} ? { "taskName": $taskName, "uri": $uri, "pipelineRun": $pipelineRef }
    : $cdtype = ${str(s.pipelineRunFinished)} ? {
      "pipelineName": $pipelineName, "uri": $uri, "outcome": $runOutcome,
      "errors": $runOutcome = "success" ? undefined : $present($cond.message) ? $cond.message : $cond.reason
    }
    : { "pipelineName": $pipelineName, "uri": $uri };
  $common := {
    "specversion": "1.0",
    "id": $id,
    "type": $cdtype,
    "source": $exists($run) ? $path : source,
    "subject": $exists($run) ? $ns & "/" & $meta.name : subject,
    "time": $time,
    "datacontenttype": "application/json"
  };
  $cdtype = ${str(s.ignored)}
    ? $merge([$common, { "data": { "tektonType": type, "name": $meta.name, "namespace": $ns } }])
    : $merge([$common, {
        "outcome": $cdtype = ${str(s.testSuiteFinished)} ? $suiteOutcome : $finished ? $runOutcome : undefined,
        "testsuite": $suite,
        "data": {
          "context": { "specversion": "0.5.1", "id": $id, "source": $path, "type": $cdtype, "timestamp": $time },
          "subject": { "id": $ns & "/" & $meta.name, "source": $path, "content": $content },
          "customData": {
            "params": $merge($run.spec.params.{ name: $string(value) }),
            "results": $merge($results.{ name: $string(value) })
          }
        }
      }])
)`;
}
