/**
 * A Kratix Pipeline: the object a Promise's workflows list (`platform.kratix.io/v1alpha1`, kind `Pipeline`). It is
 * not a custom resource: Kratix reads it from the Promise (whose schema leaves it untyped) and turns it into one Job
 * per run, so nothing but Kratix's own Go types (api/v1alpha1/pipeline_types.go at the pinned commit) and its
 * webhook check it. This module types it and holds it to those rules before it reaches a cluster.
 *
 * What Kratix does with it (pipeline_factory.go): an init container `reader` writes `/kratix/input/object.yaml`; the
 * pipeline's containers run in order as further init containers, with `/kratix/input` (read-only), `/kratix/output`
 * and `/kratix/metadata` mounted and the `KRATIX_*` environment set before their own; then `work-writer` (configure
 * only) schedules `/kratix/output` and `status-writer` applies `/kratix/metadata/status.yaml`. A container without
 * `resources` gets 200m CPU / 256Mi memory at most, too little for Node: every container here is sized.
 */
import * as kplus from 'cdk8s-plus-27';
import { Cpu } from 'cdk8s-plus-27';
import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requireSafeInteger } from '../core/numbers';
import { parseQuantity, resourcesToKube } from '../core/quantity';
import { ContainerSecurityOptions, restrictedContainerSecurityContext } from '../core/security';
import { requireEnvName, requireImage, requireName, requireUnique } from '../core/validate';

/** apiVersion of the objects Kratix defines (Promise, Pipeline, ...). */
export const KRATIX_API_VERSION = 'platform.kratix.io/v1alpha1';

/** What a workflow runs for: each request of the Promise's API, or the Promise itself. */
export enum KratixWorkflowType {
  RESOURCE = 'resource',
  PROMISE = 'promise',
}

/** When a workflow runs: on create and update (and every reconciliation), or on delete. */
export enum KratixWorkflowAction {
  CONFIGURE = 'configure',
  DELETE = 'delete',
}

/** One container of a pipeline (Kratix `Container`: a subset of a Kubernetes container). */
export interface KratixContainerProps {
  /** Container name, a DNS-1123 label unique in the pipeline (`reader`, `work-writer`, `status-writer` are Kratix's). */
  readonly name: string;
  /** Image, with a tag or digest. */
  readonly image: string;
  /** Entrypoint. @default - the image's ENTRYPOINT */
  readonly command?: string[];
  /** Arguments. @default - the image's CMD */
  readonly args?: string[];
  /** Environment variables (after Kratix's `KRATIX_*`, which they may not override). @default - none */
  readonly env?: { [name: string]: string };
  /**
   * Requests and limits; a resource left out keeps its default.
   * @default - requests 250m CPU, 512Mi memory, 128Mi ephemeral storage; limits 1 CPU, 1Gi memory, 512Mi ephemeral
   *   storage (Kratix's own default, 256Mi memory, is too small for a Node program)
   */
  readonly resources?: kplus.ContainerResources;
  /** User and root filesystem. @default - uid 65532, read-only root filesystem */
  readonly security?: ContainerSecurityOptions;
  /**
   * Absolute paths the program writes besides `/kratix/output` and `/kratix/metadata`, each given an emptyDir (the
   * root filesystem is read-only). Node writes temporary files under `/tmp`.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
}

/** A permission of the pipeline's ServiceAccount (a Kubernetes PolicyRule, optionally in another namespace). */
export interface KratixPermission {
  /** API groups (`""` for the core group). */
  readonly apiGroups: string[];
  /** Resources, e.g. `configmaps`. */
  readonly resources: string[];
  /** Verbs, e.g. `get`, `list`. */
  readonly verbs: string[];
  /** Only these objects. @default - every object of the resources */
  readonly resourceNames?: string[];
  /** Namespace the permission applies in; `*` for every namespace. @default - the namespace the pipeline runs in */
  readonly resourceNamespace?: string;
}

/** A pipeline of a workflow. */
export interface KratixPipelineProps {
  /** Pipeline name, a DNS-1123 label unique in its workflow (Kratix names the ServiceAccount and Job after it). */
  readonly name: string;
  /** The containers, run in order. */
  readonly containers: KratixContainerProps[];
  /**
   * What the pipeline may read or change in the cluster. A pipeline that only turns its input into output needs
   * none, and gets none.
   * @default - none
   */
  readonly permissions?: KratixPermission[];
  /** An existing ServiceAccount to run as. @default - the one Kratix creates for the pipeline */
  readonly serviceAccount?: string;
  /** Retries of the pipeline's Job. @default - Kratix's default */
  readonly backoffLimit?: number;
  /** Secrets for pulling the images, in the pipeline's namespace. @default - none */
  readonly imagePullSecrets?: string[];
}

/** Where a pipeline sits: the Promise and the workflow (the parts of the names Kratix derives from it). */
export interface KratixPipelineContext {
  readonly promiseName: string;
  readonly type: KratixWorkflowType;
  readonly action: KratixWorkflowAction;
}

/** The containers Kratix adds to every pipeline's Job; a pipeline container may not share their names. */
const KRATIX_CONTAINERS = ['reader', 'work-writer', 'status-writer'];
/** The folders Kratix mounts into every pipeline container. */
const KRATIX_MOUNTS = ['/kratix/input', '/kratix/output', '/kratix/metadata'];
/** Kratix's webhook refuses a pipeline whose `<promise>-<type>-<action>-<pipeline>` (its ServiceAccount name) is longer. */
const MAX_PIPELINE_ID = 60;

/** The sizing of a Node pipeline container, per resource; a container's own values replace these one by one. */
const NODE_RESOURCES: kplus.ContainerResources = {
  cpu: { request: Cpu.millis(250), limit: Cpu.units(1) },
  memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
  ephemeralStorage: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
};

/** The smallest memory limit the library's own (Node) pipeline runs with. */
export const NODE_PIPELINE_MIN_MEMORY = Size.mebibytes(512);

function requireStrings(scope: IConstruct, field: string, value: unknown, options: { nonEmpty?: boolean } = {}): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return invalid(scope, field, value, 'must be a list of strings');
  if (options.nonEmpty && value.length === 0) return invalid(scope, field, value, 'must list at least one entry');
  return value;
}

/**
 * The embedded Pipeline object of a Promise's workflow. Build pipelines through `KratixPromise` props; this class
 * holds the rules and the rendering.
 */
export class KratixPipeline {
  /**
   * Checks a pipeline against Kratix's rules and renders it. `field` names it in errors
   * (`workflows.resource.configure[0]`).
   * @internal
   */
  public static _render(scope: IConstruct, field: string, props: KratixPipelineProps, context: KratixPipelineContext): any {
    if (!props || typeof props !== 'object') return invalid(scope, field, props, 'must be a pipeline', 'e.g. { name: "instance", containers: [...] }');
    const name = requireName(scope, `${field}.name`, props.name);
    const id = `${context.promiseName}-${context.type}-${context.action}-${name}`;
    if (id.length > MAX_PIPELINE_ID) {
      invalid(scope, `${field}.name`, name, `makes the pipeline id "${id}" (${id.length} characters), longer than the ${MAX_PIPELINE_ID} Kratix allows ` +
        '(it names the pipeline\'s ServiceAccount)', 'shorten the pipeline or the Promise name');
    }
    if (!Array.isArray(props.containers) || props.containers.length === 0) {
      invalid(scope, `${field}.containers`, props.containers, 'must list at least one container', 'e.g. [{ name: "build", image: "ghcr.io/org/pipeline:1.0.0" }]');
    }
    const volumes: any[] = [];
    const containers = props.containers.map((c, i) => KratixPipeline.container(scope, `${field}.containers[${i}]`, c, i, volumes));
    const names = containers.map((c) => c.name);
    requireUnique(scope, `${field}.containers[].name`, names, 'Kratix runs the containers of a pipeline side by side in one pod: give each its own name');

    const permissions = props.permissions === undefined ? [] : (() => {
      if (!Array.isArray(props.permissions)) return invalid(scope, `${field}.permissions`, props.permissions, 'must be a list of permissions');
      return props.permissions.map((p, i) => KratixPipeline.permission(scope, `${field}.permissions[${i}]`, p));
    })();
    const serviceAccount = props.serviceAccount === undefined ? undefined : requireName(scope, `${field}.serviceAccount`, props.serviceAccount, 'dns1123-subdomain');
    const backoffLimit = props.backoffLimit === undefined ? undefined : requireSafeInteger(scope, `${field}.backoffLimit`, props.backoffLimit, { min: 0, max: 2 ** 31 - 1 });
    const pullSecrets = props.imagePullSecrets === undefined ? [] : requireStrings(scope, `${field}.imagePullSecrets`, props.imagePullSecrets)
      .map((s, i) => requireName(scope, `${field}.imagePullSecrets[${i}]`, s, 'dns1123-subdomain'));
    requireUnique(scope, `${field}.imagePullSecrets`, pullSecrets);

    const rbac = {
      ...(serviceAccount ? { serviceAccount } : {}),
      ...(permissions.length ? { permissions } : {}),
    };
    return {
      apiVersion: KRATIX_API_VERSION,
      kind: 'Pipeline',
      metadata: { name },
      spec: {
        containers,
        ...(volumes.length ? { volumes } : {}),
        ...(Object.keys(rbac).length ? { rbac } : {}),
        ...(backoffLimit !== undefined ? { jobOptions: { backoffLimit } } : {}),
        ...(pullSecrets.length ? { imagePullSecrets: pullSecrets.map((s) => ({ name: s })) } : {}),
      },
    };
  }

  private static container(scope: IConstruct, field: string, props: KratixContainerProps, index: number, volumes: any[]): any {
    if (!props || typeof props !== 'object') return invalid(scope, field, props, 'must be a container', 'e.g. { name: "build", image: "ghcr.io/org/pipeline:1.0.0" }');
    const name = requireName(scope, `${field}.name`, props.name);
    if (KRATIX_CONTAINERS.includes(name)) {
      invalid(scope, `${field}.name`, name, `is the name of a container Kratix adds to every pipeline (${KRATIX_CONTAINERS.join(', ')})`, 'name it differently');
    }
    const image = requireImage(scope, `${field}.image`, props.image);
    const command = props.command === undefined ? undefined : requireStrings(scope, `${field}.command`, props.command, { nonEmpty: true });
    const args = props.args === undefined ? undefined : requireStrings(scope, `${field}.args`, props.args);
    const env = Object.entries(props.env ?? {}).map(([k, v]) => {
      requireEnvName(scope, `${field}.env`, k);
      if (k.startsWith('KRATIX_')) {
        invalid(scope, `${field}.env`, k, 'would override a variable of the Kratix workflow contract (KRATIX_*), which Kratix sets before the container\'s own',
          'name it without the KRATIX_ prefix');
      }
      if (typeof v !== 'string') invalid(scope, `${field}.env.${k}`, v, 'must be a string', `quote it, e.g. "${String(v)}"`);
      return { name: k, value: v };
    });

    const given = props.resources ?? {};
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      invalid(scope, `${field}.resources`, given, 'must be container resources', 'e.g. { memory: { limit: Size.gibibytes(1) } }, or leave it out for the Node sizing');
    }
    const resources = resourcesToKube(scope, `${field}.resources`, {
      cpu: given.cpu ?? NODE_RESOURCES.cpu,
      memory: given.memory ?? NODE_RESOURCES.memory,
      ephemeralStorage: given.ephemeralStorage ?? NODE_RESOURCES.ephemeralStorage,
    });

    const paths = props.writablePaths ?? ['/tmp'];
    requireStrings(scope, `${field}.writablePaths`, paths);
    const volumeMounts = paths.map((p, i) => {
      const at = `${field}.writablePaths[${i}]`;
      if (!p.startsWith('/') || p === '/' || p.split('/').some((s) => s === '..' || s === '.') || p.endsWith('/')) {
        invalid(scope, at, p, 'must be an absolute path below / without "." or ".." segments or a trailing "/"', 'e.g. "/tmp"');
      }
      const clash = KRATIX_MOUNTS.find((m) => p === m || p.startsWith(`${m}/`) || m.startsWith(`${p}/`));
      if (clash) invalid(scope, at, p, `overlaps ${clash}, which Kratix mounts into every pipeline container`, 'write there directly, or choose another path');
      const volume = `scratch-${index}-${i}`;
      volumes.push({ name: volume, emptyDir: {} });
      return { name: volume, mountPath: p };
    });
    requireUnique(scope, `${field}.writablePaths`, paths);

    return {
      name,
      image,
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      ...(env.length ? { env } : {}),
      ...(volumeMounts.length ? { volumeMounts } : {}),
      securityContext: restrictedContainerSecurityContext(props.security ?? {}),
      resources,
    };
  }

  private static permission(scope: IConstruct, field: string, p: KratixPermission): any {
    if (!p || typeof p !== 'object') return invalid(scope, field, p, 'must be a permission', 'e.g. { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }');
    const apiGroups = requireStrings(scope, `${field}.apiGroups`, p.apiGroups, { nonEmpty: true });
    const resources = requireStrings(scope, `${field}.resources`, p.resources, { nonEmpty: true });
    const verbs = requireStrings(scope, `${field}.verbs`, p.verbs, { nonEmpty: true });
    verbs.forEach((v, i) => {
      if (!/^([a-z]+|\*)$/.test(v)) invalid(scope, `${field}.verbs[${i}]`, v, 'is not a Kubernetes verb', 'e.g. "get", "list", "watch", "create"');
    });
    const resourceNames = p.resourceNames === undefined ? undefined : requireStrings(scope, `${field}.resourceNames`, p.resourceNames, { nonEmpty: true });
    if (p.resourceNamespace !== undefined && p.resourceNamespace !== '*') requireName(scope, `${field}.resourceNamespace`, p.resourceNamespace);
    return {
      ...(p.resourceNamespace !== undefined ? { resourceNamespace: p.resourceNamespace } : {}),
      apiGroups,
      resources,
      verbs,
      ...(resourceNames ? { resourceNames } : {}),
    };
  }

  /**
   * Checks that a container's memory limit is at least `minimum` (for the library's own Node pipeline).
   * @internal
   */
  public static _requireMemoryLimit(scope: IConstruct, field: string, resources: kplus.ContainerResources | undefined, minimum: Size): void {
    const limit = resources?.memory?.limit;
    if (limit === undefined) return;
    const bytes = parseQuantity(limit.asString());
    if (bytes !== undefined && bytes < minimum.toMebibytes() * 2 ** 20) {
      invalid(scope, `${field}.memory.limit`, limit.asString(), `is below the ${minimum.asString()} the library's Node pipeline needs to synthesize a bundle`,
        `give at least ${minimum.asString()}`);
    }
  }
}
