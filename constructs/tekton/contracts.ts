/**
 * What the Tekton constructs need of each other: a pipeline that can render a run of itself. `TektonPipeline`
 * implements it; the event-triggered pipeline takes it, so a pipeline made elsewhere (by hand, by another team) can be
 * triggered by events too.
 */
import { Duration } from 'cdk8s';

/** How a run of a pipeline is rendered (a `tekton.dev/v1` PipelineRun, as plain JSON). */
export interface PipelineRunTemplateOptions {
  /**
   * The run's `metadata.name`. A TriggerTemplate may give `$(tt.params.x)` here; Tekton refuses a second run of the
   * same name, which is what makes a deterministic name deduplicate events.
   * @default - none: `generateName` is used
   */
  readonly name?: string;
  /**
   * The run's `metadata.generateName` (the API server appends a random suffix).
   * @default - `<pipelineName>-` when no `name` is given
   */
  readonly generateName?: string;
  /**
   * Values of the pipeline's parameters, by name (e.g. `$(tt.params.revision)` in a TriggerTemplate).
   * @default - none: the pipeline's defaults apply
   */
  readonly params?: { [name: string]: string };
  /**
   * The ServiceAccount the run's pods use (`spec.taskRunTemplate.serviceAccountName`).
   * @default - the namespace's `default` ServiceAccount
   */
  readonly serviceAccountName?: string;
  /**
   * The run's overall timeout (`spec.timeouts.pipeline`).
   * @default - Tekton's default (60 minutes)
   */
  readonly timeout?: Duration;
}

/** A Tekton Pipeline (v1) that can render a run of itself. */
export interface ITektonPipeline {
  /** The Pipeline's `metadata.name`. */
  readonly pipelineName: string;
  /** Its namespace (a PipelineRun refers to a Pipeline in its own namespace). */
  readonly namespace: string;
  /** The names of its parameters. */
  readonly paramNames: string[];
  /** A `tekton.dev/v1` PipelineRun of this pipeline (`spec.pipelineRef`), as a plain object. */
  runTemplate(options?: PipelineRunTemplateOptions): any;
}
