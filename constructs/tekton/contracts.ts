/**
 * What an event-triggered pipeline needs from a Tekton Pipeline: its name, namespace, parameter names, and a
 * PipelineRun it can embed in a TriggerTemplate. TektonPipeline implements it; other pipelines (imported, or built
 * by other means) can too.
 */
import { Duration } from 'cdk8s';

/** How a PipelineRun of a pipeline is rendered. */
export interface PipelineRunTemplateOptions {
  /**
   * The run's name (may hold TriggerTemplate placeholders such as `$(tt.params.id)`: a name derived from an event
   * id makes a repeated event fail to create a second run). Give `name` or `generateName`, not both.
   * @default - generateName `<pipeline>-`
   */
  readonly name?: string;
  /** @default `<pipeline>-` when no name is given */
  readonly generateName?: string;
  /** Values of the pipeline's params by name (literals or placeholders such as `$(tt.params.url)`). @default - none */
  readonly params?: { [name: string]: string };
  /** ServiceAccount the run's pods use. @default - Tekton's default ServiceAccount of the namespace */
  readonly serviceAccountName?: string;
  /** Timeout of the whole run (`spec.timeouts.pipeline`). @default - Tekton's default (60 minutes) */
  readonly timeout?: Duration;
}

/** A Tekton Pipeline an event-triggered pipeline can start. */
export interface ITektonPipeline {
  readonly pipelineName: string;
  readonly namespace: string;
  readonly paramNames: string[];
  /** A v1 PipelineRun of this pipeline, as a plain object. */
  runTemplate(options: PipelineRunTemplateOptions): any;
}
