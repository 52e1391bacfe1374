/**
 * A platform API published with Crossplane: a CompositeResourceDefinition whose schema comes from typed field
 * declarations. One definition serves both Crossplane generations, chosen by `mode`:
 *   - CrossplaneMode.CLAIMS: an `apiextensions.crossplane.io/v1` XRD (scope LegacyCluster). Applications create a
 *     namespaced claim (`KeyValueStore`); Crossplane creates the cluster-scoped composite (`XKeyValueStore`).
 *   - CrossplaneMode.NAMESPACED: an `apiextensions.crossplane.io/v2` XRD (scope Namespaced). Applications create the
 *     namespaced composite resource itself (`KeyValueStore`); there are no claims in v2.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterScoped } from '../core/context';
import { invalid } from '../core/errors';
import { DeployHints } from '../core/deploy-hints';
import { checkName } from '../core/k8s-rules';
import { recommendedLabels } from '../core/labels';
import {
  CompositeResourceDefinition as XrdV1, CompositeResourceDefinitionV2 as XrdV2,
  CompositeResourceDefinitionV2SpecScope,
} from '../imports/apiextensions.crossplane.io';
import type { Composition } from './composition';
import { SchemaField } from './schema';

/** Which Crossplane API generation a platform API uses (see the module comment). */
export enum CrossplaneMode {
  /** `apiextensions.crossplane.io/v1` XRD with claims (Crossplane 1.x, and 2.x where it is deprecated but served). */
  CLAIMS = 'claims',
  /** `apiextensions.crossplane.io/v2` XRD with namespaced composite resources (Crossplane 2.x). */
  NAMESPACED = 'namespaced',
}

export interface PlatformApiProps {
  /** API group, a DNS subdomain with at least one dot, e.g. `data.platform.example.org`. */
  readonly group: string;
  /**
   * The kind applications create (PascalCase), e.g. `KeyValueStore`. With CLAIMS it is the claim's kind and the
   * composite's is `X<kind>`; with NAMESPACED it is the composite's kind.
   */
  readonly kind: string;
  /** @default - lowercase kind + "s" */
  readonly plural?: string;
  /** @default 'v1alpha1' */
  readonly version?: string;
  /** @default CrossplaneMode.NAMESPACED */
  readonly mode?: CrossplaneMode;
  /** The fields of `spec` applications fill in. */
  readonly spec: { [name: string]: SchemaField };
  /** Fields of `status` compositions report. @default - none */
  readonly status?: { [name: string]: SchemaField };
  /**
   * Keys of the connection Secret every composition provides (e.g. host, port, password). With CLAIMS they are the
   * XRD's `connectionSecretKeys`; with NAMESPACED the API gains `spec.writeConnectionSecretToRef.name` and each
   * composition writes that Secret itself (v2 composites have no connection details of their own).
   * @default - no connection Secret
   */
  readonly connectionSecretKeys?: string[];
  /** What the API is for (`kubectl explain`). @default - none */
  readonly description?: string;
}

/** Fields Crossplane adds to the composite's or claim's spec; an API may not declare them. */
const RESERVED_SPEC_FIELDS = [
  'crossplane', 'compositionRef', 'compositionSelector', 'compositionRevisionRef', 'compositionRevisionSelector', 'compositionUpdatePolicy',
  'compositeDeletePolicy', 'claimRef', 'resourceRef', 'resourceRefs', 'writeConnectionSecretToRef', 'publishConnectionDetailsTo', 'environmentConfigRefs',
];
const RESERVED_STATUS_FIELDS = ['conditions', 'crossplane', 'connectionDetails', 'claimConditionTypes'];
const CONNECTION_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * A Crossplane platform API (CompositeResourceDefinition). Add compositions with `new Composition(scope, id,
 * { api, ... })`; applications request it with a `Claim` (or a typed subclass such as `KeyValueStoreClaim`).
 */
const PLATFORM_API = Symbol.for('platform-blueprints.PlatformApi');

export class PlatformApi extends Construct {
  /** True for every PlatformApi, also one made by another copy of this library. */
  public static isPlatformApi(x: unknown): x is PlatformApi {
    return typeof x === 'object' && x !== null && (x as any)[PLATFORM_API] === true;
  }

  public readonly group: string;
  public readonly version: string;
  public readonly mode: CrossplaneMode;
  /** The kind applications create. */
  public readonly kind: string;
  public readonly plural: string;
  /** The composite resource's kind (`X<kind>` with CLAIMS). */
  public readonly compositeKind: string;
  public readonly compositePlural: string;
  /** `<group>/<version>`. */
  public readonly apiVersion: string;
  /** The schema of `spec` as applications see it (without the fields Crossplane adds). */
  public readonly specSchema: SchemaField;
  public readonly statusSchema?: SchemaField;
  public readonly connectionSecretKeys: string[];
  /** The XRD. */
  public readonly resource: ApiObject;
  private readonly compositions: Composition[] = [];
  private readonly claims: ApiObject[] = [];
  private defaultComposition?: Composition;

  public constructor(scope: Construct, id: string, props: PlatformApiProps) {
    super(scope, id);
    Object.defineProperty(this, PLATFORM_API, { value: true });
    this.mode = props.mode ?? CrossplaneMode.NAMESPACED;
    if (!Object.values(CrossplaneMode).includes(this.mode)) invalid(this, 'mode', this.mode, `must be one of ${Object.values(CrossplaneMode).join(', ')}`);
    this.group = props.group;
    if (typeof this.group !== 'string' || checkName('dns1123-subdomain', this.group) || !this.group.includes('.')) {
      invalid(this, 'group', this.group, 'must be a DNS subdomain with at least one dot', 'e.g. "data.platform.example.org"');
    }
    if (/(^|\.)(k8s|kubernetes)\.io$/.test(this.group)) {
      invalid(this, 'group', this.group, 'is reserved for Kubernetes APIs (the API server refuses CRDs there)', 'use a domain you own');
    }
    if (typeof props.kind !== 'string' || !/^[A-Z][A-Za-z0-9]{0,62}$/.test(props.kind)) {
      invalid(this, 'kind', props.kind, 'must be a PascalCase kind of letters and digits', 'e.g. "KeyValueStore"');
    }
    this.kind = props.kind;
    this.plural = props.plural ?? `${props.kind.toLowerCase()}s`;
    if (checkName('dns1123-label', this.plural)) invalid(this, 'plural', this.plural, 'must be a lowercase DNS-1123 label', 'e.g. "keyvaluestores"');
    this.version = props.version ?? 'v1alpha1';
    if (!/^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/.test(this.version)) invalid(this, 'version', this.version, 'is not a Kubernetes API version', 'e.g. "v1alpha1" or "v1"');
    this.apiVersion = `${this.group}/${this.version}`;
    const claims = this.mode === CrossplaneMode.CLAIMS;
    this.compositeKind = claims ? `X${this.kind}` : this.kind;
    this.compositePlural = claims ? `x${this.plural}` : this.plural;
    if (checkName('dns1123-label', this.compositePlural)) invalid(this, 'plural', this.plural, `makes the composite's plural "${this.compositePlural}", which is longer than 63 characters`);
    // The XRD's name is `<plural>.<group>` (the CRD Crossplane makes from it must be named so).
    const xrdName = `${this.compositePlural}.${this.group}`;
    if (checkName('dns1123-subdomain', xrdName)) invalid(this, 'plural', this.plural, `makes the XRD name "${xrdName}", which is too long`);

    this.connectionSecretKeys = [...props.connectionSecretKeys ?? []];
    this.connectionSecretKeys.forEach((k, i) => {
      if (typeof k !== 'string' || !CONNECTION_KEY.test(k)) invalid(this, `connectionSecretKeys[${i}]`, k, 'must be a Secret key ([-._a-zA-Z0-9]+)');
    });
    if (new Set(this.connectionSecretKeys).size !== this.connectionSecretKeys.length) invalid(this, 'connectionSecretKeys', this.connectionSecretKeys, 'lists a key twice');

    if (!props.spec || typeof props.spec !== 'object' || Object.keys(props.spec).length === 0) {
      invalid(this, 'spec', props.spec, 'must declare at least one field', 'e.g. { size: SchemaField.string({ enum: ["small", "large"] }) }');
    }
    for (const name of Object.keys(props.spec)) {
      if (RESERVED_SPEC_FIELDS.includes(name)) invalid(this, `spec.${name}`, name, 'is a field Crossplane adds to every composite and claim', 'name it differently');
    }
    for (const name of Object.keys(props.status ?? {})) {
      if (RESERVED_STATUS_FIELDS.includes(name)) invalid(this, `status.${name}`, name, 'is a status field Crossplane sets', 'name it differently');
    }
    // Namespaced composites have no connection details: the API carries the name of the Secret its compositions write.
    const specFields = { ...props.spec };
    if (!claims && this.connectionSecretKeys.length) {
      specFields.writeConnectionSecretToRef = SchemaField.object({
        name: SchemaField.string({
          required: true, description: 'Name of the Secret, in this namespace, that receives the connection details.', minLength: 1, maxLength: 253,
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        }),
      }, { required: true, description: `Where the connection details (${this.connectionSecretKeys.join(', ')}) are written.` });
    }
    this.specSchema = SchemaField.object(specFields, { required: true, description: props.description });
    this.specSchema.check(this, 'spec');
    if (props.status && Object.keys(props.status).length) {
      this.statusSchema = SchemaField.object(props.status);
      this.statusSchema.check(this, 'status');
    }

    const openAPIV3Schema = this.openApiSchema();
    const versions = [{ name: this.version, served: true, referenceable: true, schema: { openApiv3Schema: openAPIV3Schema } }];
    const metadata = { name: xrdName, labels: recommendedLabels({ name: 'platform-api', instance: this.kind.toLowerCase(), component: 'platform-api' }) };
    const defaultCompositionRef = Lazy.any({ produce: () => (this.defaultComposition ? { name: this.defaultComposition.name } : undefined) });
    this.resource = claims
      ? new XrdV1(this, 'Resource', {
        metadata,
        spec: {
          group: this.group,
          // No `scope`: Crossplane 1.x has no such field, and 2.x defaults v1 XRDs to LegacyCluster.
          names: { kind: this.compositeKind, plural: this.compositePlural },
          claimNames: { kind: this.kind, plural: this.plural },
          connectionSecretKeys: this.connectionSecretKeys.length ? this.connectionSecretKeys : undefined,
          defaultCompositionRef,
          versions,
        },
      })
      : new XrdV2(this, 'Resource', {
        metadata,
        spec: {
          group: this.group,
          scope: CompositeResourceDefinitionV2SpecScope.NAMESPACED,
          names: { kind: this.compositeKind, plural: this.compositePlural },
          defaultCompositionRef,
          versions,
        },
      });
    clusterScoped(this.resource);
    // A v1 XRD also offers its claim CRD; both must be served before claims are created.
    DeployHints.awaitConditions(this.resource, claims ? ['Established', 'Offered'] : ['Established']);
    DeployHints.providesApiGroup(this.resource, this.group);
    // Deleting an XRD deletes every composite and claim of its kind, in every namespace.
    DeployHints.markStateful(this.resource, `deleting it deletes every ${this.kind} in the cluster`);
    this.node.addValidation({
      validate: () => {
        const clash = this.nameClash();
        if (clash) return [clash];
        if (this.compositions.length === 0) return [`${this.node.path}: platform API ${this.kind} has no composition; add one with new Composition(..., { api })`];
        if (this.compositions.length > 1 && !this.defaultComposition) {
          return [`${this.node.path}: platform API ${this.kind} has ${this.compositions.length} compositions and no default; ` +
            'mark one with `default: true`, or every claim without a selector gets an arbitrary one'];
        }
        return [];
      },
    });
  }

  /** The kinds and plurals this API defines in its group (composite, and claim with CLAIMS). */
  private definedNames(): Array<{ kind: string; plural: string }> {
    const names = [{ kind: this.compositeKind, plural: this.compositePlural }];
    if (this.mode === CrossplaneMode.CLAIMS) names.push({ kind: this.kind, plural: this.plural });
    return names;
  }

  /** Another API of the app defining the same kind or plural in the same group (two CRDs would collide). */
  private nameClash(): string | undefined {
    const others = this.node.root.node.findAll().filter((c): c is PlatformApi => PlatformApi.isPlatformApi(c) && c !== this && c.group === this.group);
    for (const other of others) {
      for (const mine of this.definedNames()) {
        const theirs = other.definedNames().find((n) => n.kind === mine.kind || n.plural === mine.plural);
        if (theirs) {
          return `${this.node.path}: kind ${mine.kind} (${mine.plural}.${this.group}) clashes with ${theirs.kind} (${theirs.plural}.${other.group}) of ` +
            `${other.node.path}; give one of the APIs another kind, plural or group`;
        }
      }
    }
    return undefined;
  }

  /** The compositions of this API. */
  public get allCompositions(): Composition[] {
    return [...this.compositions];
  }

  /** The labels compositions of this API carry, by key (what a claim's composition selector may use). */
  public compositionLabels(): { [key: string]: string[] } {
    const out: { [key: string]: Set<string> } = {};
    for (const c of this.compositions) for (const [k, v] of Object.entries(c.labels)) (out[k] ??= new Set()).add(v);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
  }

  /** Registers a claim, created after every composition of the API (called by Claim). @internal */
  public _addClaim(claim: ApiObject): void {
    this.claims.push(claim);
    for (const c of this.compositions) DeployHints.dependsOn(claim, c.resource);
  }

  /** Registers a composition (called by Composition). @internal */
  public _addComposition(composition: Composition, isDefault: boolean): void {
    for (const claim of this.claims) DeployHints.dependsOn(claim, composition.resource);
    if (this.compositions.some((c) => c.name === composition.name)) invalid(composition, 'name', composition.name, `is already a composition of ${this.kind}`);
    if (isDefault && this.defaultComposition) {
      invalid(composition, 'default', true, `but ${this.defaultComposition.name} is already the default composition of ${this.kind}`);
    }
    this.compositions.push(composition);
    if (isDefault) this.defaultComposition = composition;
  }

  /** The openAPIV3Schema of the XRD's version (what applications fill in; Crossplane adds its own fields). */
  public openApiSchema(): any {
    return {
      type: 'object',
      properties: {
        spec: this.specSchema.toOpenApiSchema(),
        ...(this.statusSchema ? { status: this.statusSchema.toOpenApiSchema() } : {}),
      },
      required: ['spec'],
    };
  }

  /**
   * The CustomResourceDefinitions Crossplane generates from this XRD (the composite's, and the claim's with CLAIMS),
   * including the fields Crossplane adds. For validating claims before they reach a cluster, and for generating
   * typed classes (`cdk8s import`) of the API.
   */
  public impliedCrds(): any[] {
    const claims = this.mode === CrossplaneMode.CLAIMS;
    const userSpec = this.specSchema.toOpenApiSchema();
    const userStatus = this.statusSchema?.toOpenApiSchema() ?? { type: 'object' };
    const ref = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const selector = { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['matchLabels'] };
    const selection = {
      compositionRef: ref,
      compositionSelector: selector,
      compositionRevisionRef: ref,
      compositionRevisionSelector: selector,
      compositionUpdatePolicy: { type: 'string', enum: ['Automatic', 'Manual'] },
    };
    const conditions = { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] };
    const crd = (kind: string, plural: string, scope: string, spec: any, status: any) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${this.group}` },
      spec: {
        group: this.group,
        names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() },
        scope,
        versions: [{
          name: this.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec, status },
            },
          },
        }],
      },
    });
    const withProps = (schema: any, extra: any) => ({ ...schema, properties: { ...schema.properties, ...extra } });
    const resourceRefs = { type: 'array', items: { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } }, required: ['apiVersion', 'kind'] } };
    if (!claims) {
      return [crd(this.compositeKind, this.compositePlural, 'Namespaced',
        withProps(userSpec, { crossplane: { type: 'object', properties: { ...selection, resourceRefs } } }),
        withProps(userStatus, { conditions, crossplane: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }))];
    }
    const claimStatus = withProps(userStatus, { conditions, connectionDetails: { type: 'object', properties: { lastPublishedTime: { type: 'string', format: 'date-time' } } }, claimConditionTypes: { type: 'array', items: { type: 'string' } } });
    return [
      crd(this.compositeKind, this.compositePlural, 'Cluster', withProps(userSpec, {
        ...selection,
        claimRef: { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } }, required: ['apiVersion', 'kind', 'namespace', 'name'] },
        resourceRefs,
        writeConnectionSecretToRef: { type: 'object', properties: { name: { type: 'string' }, namespace: { type: 'string' } }, required: ['name', 'namespace'] },
      }), claimStatus),
      crd(this.kind, this.plural, 'Namespaced', withProps(userSpec, {
        ...selection,
        compositeDeletePolicy: { type: 'string', enum: ['Background', 'Foreground'] },
        resourceRef: { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } }, required: ['apiVersion', 'kind', 'name'] },
        writeConnectionSecretToRef: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      }), claimStatus),
    ];
  }
}
