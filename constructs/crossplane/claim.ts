/**
 * A request for a platform API from an application namespace: a claim (CrossplaneMode.CLAIMS) or the namespaced
 * composite itself (CrossplaneMode.NAMESPACED). The same props give both; the values are checked against the API's
 * schema, and the composition selector against the labels the API's compositions carry.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { resolveNamespace } from '../core/context';
import { DeployHints } from '../core/deploy-hints';
import { bindCredentials } from '../core/binding';
import { AmqpBindOptions, IAmqpBroker, IKeyValueStore, INamespacedResource, IWorkload, ObjectRef } from '../core/contracts';
import { ValidationError, invalid } from '../core/errors';
import { LABEL_PREFIX, recommendedLabels } from '../core/labels';
import { NameFormat, NamespacedResource } from '../core/resource';
import { requireLabels, requireName } from '../core/validate';
import { CrossplaneMode, PlatformApi } from './api';
import { Composition } from './composition';

/**
 * The label the pods of a workload bound to a claim carry (`bind.platform-blueprints.io/<claim>: client`); the
 * in-cluster compositions' network policies admit exactly those pods.
 */
export function claimClientLabel(claimName: string): string {
  return `bind.${LABEL_PREFIX}/${claimName}`;
}

export interface ClaimOptions {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * Picks a composition by its labels, e.g. `{ provider: 'gcp' }`; every label must be one some composition of the
   * API carries.
   * @default - the API's default composition
   */
  readonly compositionSelector?: { [label: string]: string };
  /** Pins one composition (instead of a selector). @default - none */
  readonly composition?: Composition;
  /**
   * Name of the Secret, in the claim's namespace, that receives the connection details.
   * @default `<name>-connection` when the API has connection details
   */
  readonly connectionSecretName?: string;
}

export interface ClaimProps extends ClaimOptions {
  readonly api: PlatformApi;
  /** Values of the API's spec fields (checked against its schema). */
  readonly spec: { [field: string]: any };
}

/** A claim (or namespaced composite) of a platform API. */
export class Claim extends Construct {
  /**
   * The label the pods of a workload bound to a claim carry (`bind.platform-blueprints.io/<claim>: client`); the
   * in-cluster compositions' network policies admit exactly those pods.
   */
  public static clientLabel(claimName: string): string {
    return claimClientLabel(claimName);
  }

  public readonly api: PlatformApi;
  public readonly name: string;
  public readonly namespace: string;
  /** The Secret with the connection details (undefined when the API has none). */
  public readonly connectionSecretName?: string;
  public readonly resource: ApiObject;

  public constructor(scope: Construct, id: string, props: ClaimProps) {
    super(scope, id);
    if (!PlatformApi.isPlatformApi(props.api)) invalid(this, 'api', props.api, 'must be a PlatformApi');
    const api = props.api;
    this.api = api;
    this.name = requireName(this, 'name', props.name ?? id, 'dns1123-label');
    this.namespace = resolveNamespace(this, props.namespace);
    if (props.compositionSelector && props.composition) {
      invalid(this, 'composition', props.composition.name, 'and compositionSelector are both set', 'pin a composition or select one, not both');
    }
    requireLabels(this, 'compositionSelector', props.compositionSelector);
    if (props.composition !== undefined && (!Composition.isComposition(props.composition) || props.composition.api !== api)) {
      invalid(this, 'composition', (props.composition as any)?.name, `is not a composition of ${api.kind}`);
    }
    const selector = props.compositionSelector;
    if (selector && Object.keys(selector).length) {
      // Checked at synth, when every composition of the API exists.
      this.node.addValidation({
        validate: () => {
          const known = api.compositionLabels();
          const matching = api.allCompositions.filter((c) => Object.entries(selector).every(([k, v]) => c.labels[k] === v));
          if (matching.length) return [];
          const [key, value] = Object.entries(selector).find(([k, v]) => !(known[k] ?? []).includes(v)) ?? Object.entries(selector)[0];
          const offer = Object.entries(known).map(([k, vs]) => `${k}: ${vs.join('|')}`).join(', ') || 'none';
          return [`${this.node.path}: compositionSelector.${key} ("${value}") matches no composition of ${api.kind}; its compositions carry ${offer}`];
        },
      });
    }
    if (api.connectionSecretKeys.length) {
      this.connectionSecretName = requireName(this, 'connectionSecretName', props.connectionSecretName ?? `${this.name}-connection`, 'dns1123-subdomain');
    } else if (props.connectionSecretName !== undefined) {
      invalid(this, 'connectionSecretName', props.connectionSecretName, `is set, but ${api.kind} has no connection details`);
    }
    if (props.spec && 'writeConnectionSecretToRef' in props.spec) {
      invalid(this, 'spec.writeConnectionSecretToRef', props.spec.writeConnectionSecretToRef, 'is set by the claim', 'use connectionSecretName');
    }
    const connection = this.connectionSecretName ? { writeConnectionSecretToRef: { name: this.connectionSecretName } } : {};
    // With NAMESPACED the connection Secret's name is a field of the API's own schema: checked with the rest.
    const problems = api.specSchema.validate({ ...props.spec, ...(api.mode === CrossplaneMode.NAMESPACED ? connection : {}) }, 'spec');
    if (problems.length) {
      // e.g. `spec.size ("huge") must be one of small, medium, large`: the field first, like every other error.
      const [, field, rule] = /^(\S+) (.*)$/.exec(problems[0])!;
      throw new ValidationError(this, field, rule);
    }

    const select = {
      ...(selector && Object.keys(selector).length ? { compositionSelector: { matchLabels: { ...selector } } } : {}),
      ...(props.composition ? { compositionRef: { name: props.composition.name } } : {}),
    };
    const spec = api.mode === CrossplaneMode.CLAIMS
      ? { ...props.spec, ...select, ...connection }
      : { ...props.spec, ...connection, ...(Object.keys(select).length ? { crossplane: select } : {}) };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: api.apiVersion,
      kind: api.kind,
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: recommendedLabels({ name: api.kind.toLowerCase(), instance: this.name, component: 'platform-api-claim' }),
      },
      spec,
    });
    // Managed services take minutes to provision (Memorystore: 5-15): a longer wait than workloads get.
    DeployHints.awaitCondition(this.resource, 'Ready', 30);
    api._addClaim(this.resource);
    // Deleting a claim deletes what it composed (a database, a broker): deployers protect it.
    DeployHints.markStateful(this.resource, `deleting it deletes the ${api.kind} it requested`);
    // Crossplane (or the composition) writes the connection Secret once the claim is ready: readers wait for the claim.
    if (this.connectionSecretName) {
      DeployHints.implies(this.resource, { apiVersion: 'v1', kind: 'Secret', namespace: this.namespace, name: this.connectionSecretName }, 'Crossplane');
    }
  }

  /** The claim (or namespaced composite) object. */
  public get objectRef(): ObjectRef {
    return { apiVersion: this.api.apiVersion, kind: this.api.kind, namespace: this.namespace, name: this.name };
  }
}

/** One environment variable a binding sets: from a key of the connection Secret, or a value (`$(VAR)` expands). */
export interface BindingEnv {
  /** Name without the prefix, e.g. `HOST` for `REDIS_HOST`. */
  readonly suffix: string;
  readonly secretKey?: string;
  readonly value?: string;
}

const SECRET_REFS = new WeakMap<Construct, kplus.ISecret>();

/**
 * Binds a workload to a claimed service by its connection Secret: env from the Secret (one reference per service),
 * the pod label the composed NetworkPolicy admits, the edge, and — for a claim of this app — the deploy order.
 */
export function bindClaimSecret(service: INamespacedResource, connectionSecretName: string, kind: string, workload: IWorkload, prefix: string,
  env: BindingEnv[], claim?: ObjectRef): void {
  bindCredentials({
    service,
    workload,
    prefix,
    secretNamespace: service.namespace,
    secretHolder: 'the connection Secret',
    namespaceFix: `claim the ${kind} in the workload's namespace (Secrets cannot be referenced across namespaces)`,
    variables: (p) => {
      let secret = SECRET_REFS.get(service);
      if (!secret) SECRET_REFS.set(service, secret = kplus.Secret.fromSecretName(service, 'ConnectionSecretRef', connectionSecretName));
      return Object.fromEntries(env.map((e) => [`${p}_${e.suffix}`, e.secretKey !== undefined
        ? kplus.EnvValue.fromSecretValue({ secret: secret!, key: e.secretKey })
        : kplus.EnvValue.fromValue(e.value!.split('$(').join(`$(${p}_`))]));
    },
    podLabels: { [claimClientLabel(service.name)]: 'client' },
    detail: (p) => `${p}_* (Secret ${connectionSecretName})`,
    // The connection Secret exists once the claim is ready: the workload waits for it.
    order: claim ? [{ waiter: workload.resource, waitsFor: claim }] : [],
  });
}

/** A claim of a service made elsewhere (another app, by hand), bound by its connection Secret. */
export interface ClaimAttributes {
  /** Name of the claim (it names the objects a local composition makes and the pod label its policy admits). */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** @default `<name>-connection` */
  readonly connectionSecretName?: string;
}

/**
 * Base of the typed claims workloads bind to (KeyValueStoreClaim, MessageBrokerClaim): one claim, its connection
 * Secret handed to workloads by reference, their pods labelled for the composed network policy.
 */
export abstract class ClaimedService extends Construct implements INamespacedResource {
  private claimed?: Claim;

  /** The claim (or namespaced composite). */
  public get claim(): Claim {
    return this.claimed!;
  }

  public get name(): string {
    return this.claim.name;
  }

  public get namespace(): string {
    return this.claim.namespace;
  }

  /** The Secret holding the connection details. */
  public get connectionSecretName(): string {
    return this.claim.connectionSecretName!;
  }

  /** Creates the claim. @internal */
  protected _claim(api: PlatformApi, name: string, options: ClaimOptions, spec: { [field: string]: any }): Claim {
    this.claimed = new Claim(this, 'Claim', {
      api,
      name,
      namespace: options.namespace,
      spec,
      compositionSelector: options.compositionSelector,
      composition: options.composition,
      connectionSecretName: options.connectionSecretName,
    });
    return this.claimed;
  }

  /** Binds a workload: env from the connection Secret, the pod label, the graph edge. Idempotent. @internal */
  protected _bindFromSecret(workload: IWorkload, prefix: string, env: BindingEnv[]): void {
    bindClaimSecret(this, this.connectionSecretName, this.claim.api.kind, workload, prefix, env, this.claim.objectRef);
  }
}

/** What binding a claim of one API gives a workload. @internal */
export interface ClaimBinding {
  /** The API's kind, for messages. */
  readonly kind: string;
  /** Default variable prefix. */
  readonly prefix: string;
  readonly env: BindingEnv[];
}

/**
 * A claim made elsewhere (see ClaimAttributes), bound by its connection Secret: what binding needs, nothing it does
 * not own (its composed NetworkPolicy admits the bound pods by their label, which the binding sets).
 * @internal
 */
export class ImportedClaim extends NamespacedResource implements IKeyValueStore, IAmqpBroker {
  public readonly connectionSecretName: string;

  public constructor(scope: Construct, id: string, attrs: ClaimAttributes, private readonly binding: ClaimBinding) {
    // The claim exists: only what Kubernetes and the binding require of its name, not what creating one would.
    super(scope, id, { name: attrs?.name, namespace: attrs?.namespace }, {
      format: NameFormat.DNS1123_SUBDOMAIN, maxLength: 63, maxLengthReason: `bound pods carry it in a label key (${claimClientLabel('<name>')})`,
    });
    this.connectionSecretName = requireName(this, 'connectionSecretName', attrs.connectionSecretName ?? `${this.name}-connection`, 'dns1123-subdomain');
  }

  public bind(workload: IWorkload, options: AmqpBindOptions = {}): void {
    bindClaimSecret(this, this.connectionSecretName, this.binding.kind, workload, options.envPrefix ?? this.binding.prefix, this.binding.env);
  }
}
