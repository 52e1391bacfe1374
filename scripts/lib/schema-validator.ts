/**
 * Strict validation of Kubernetes objects against the pinned upstream schemas, in the spirit of kubeconform
 * `-strict`, plus what the API server enforces beyond the schema documents:
 *
 * - core kinds: the Kubernetes 1.27 OpenAPI v3 documents; custom kinds: the served versions of the pinned CRDs;
 * - unknown fields are errors (`additionalProperties: false` wherever a schema lists properties and does not say
 *   `x-kubernetes-preserve-unknown-fields`);
 * - CRD pruning: a CRD object schema with neither properties nor preserve-unknown-fields would be emptied by the API
 *   server, so any content there is an error (it would be silently dropped);
 * - CRD `x-kubernetes-list-type: map|set` uniqueness; Kubernetes quantities; int32 ranges;
 * - `metadata` as ObjectMeta everywhere; name/namespace/label/annotation rules; scope (a namespaced kind needs
 *   `metadata.namespace` in our output, a cluster-scoped kind must not have one).
 * - Knative pod specs: also validated against the core PodSpec (Knative leaves many of its subtrees opaque), and a
 *   field the CRD marks "behind a feature flag" is an error unless that flag is on by default or declared enabled;
 * - enums of core fields that the Kubernetes 1.27 OpenAPI documents do not declare (CORE_ENUMS);
 * - custom kinds: the CRD's defaults are applied first (structural defaulting, as the API server does before it
 *   validates), then its CEL rules (`x-kubernetes-validations`) are evaluated (scripts/lib/cel-rules.ts);
 *   `validateUpdate(old, new)` also runs the transition rules (`oldSelf`), e.g. `self == oldSelf` immutability.
 */
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { re2RegExp } from '../../constructs/core/go-rules';
import { checkMetadata } from '../../constructs/core/k8s-rules';
import { CompiledRules, RuleListing, celProblems, compileRules, listRules } from './cel-rules';
import { forEachSubSchema, withDefaults } from './crd-schema';
import { TRIGGERS_SCHEMA_SOURCE, triggersCustomResourceDefinitions } from './triggers-schema';
import { CERT_MANAGER_SCHEMA_SOURCE, certManagerCustomResourceDefinitions } from './cert-manager-schema';
import { UpstreamPackage, loadCatalog, readPinned, resolveSchemaLocation } from './upstream';

const QUANTITY = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const K8S_DOC_PREFIX = 'k8s:';
const OBJECT_META_REF = `${K8S_DOC_PREFIX}api__v1#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

export type Scope = 'Namespaced' | 'Cluster';

/**
 * Enums the Kubernetes API enforces in code but the 1.27 OpenAPI documents do not declare (schema name → property →
 * allowed values; `[]` marks array items).
 */
const CORE_ENUMS: { [schema: string]: { [property: string]: string[] } } = {
  'io.k8s.api.core.v1.ServiceSpec': { type: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
  'io.k8s.api.core.v1.ServicePort': { protocol: ['TCP', 'UDP', 'SCTP'] },
  'io.k8s.api.core.v1.ContainerPort': { protocol: ['TCP', 'UDP', 'SCTP'] },
  'io.k8s.api.core.v1.Container': { imagePullPolicy: ['Always', 'IfNotPresent', 'Never'] },
  'io.k8s.api.core.v1.PodSpec': { restartPolicy: ['Always', 'OnFailure', 'Never'] },
  'io.k8s.api.core.v1.PodSecurityContext': { fsGroupChangePolicy: ['OnRootMismatch', 'Always'] },
  'io.k8s.api.core.v1.SeccompProfile': { type: ['Localhost', 'RuntimeDefault', 'Unconfined'] },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': { 'accessModes[]': ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] },
  'io.k8s.api.networking.v1.NetworkPolicyPort': { protocol: ['TCP', 'UDP', 'SCTP'] },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { 'policyTypes[]': ['Ingress', 'Egress'] },
  'io.k8s.api.apps.v1.StatefulSetSpec': { podManagementPolicy: ['OrderedReady', 'Parallel'] },
  'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy': { whenDeleted: ['Retain', 'Delete'], whenScaled: ['Retain', 'Delete'] },
};

/** Knative Serving feature flags that are on in a default installation (config-features). */
const KNATIVE_FLAGS_ON_BY_DEFAULT = ['kubernetes.podspec-volumes-emptydir'];

/**
 * Where a Knative kind keeps a pod spec its CRD leaves (partly) opaque, to check it as a core PodSpec too
 * (Knative-only fields dropped first).
 */
const KNATIVE_POD_SPECS: { [kind: string]: string[] } = {
  'serving.knative.dev/v1/Service': ['spec', 'template', 'spec'],
  'serving.knative.dev/v1/Configuration': ['spec', 'template', 'spec'],
  'serving.knative.dev/v1/Revision': ['spec'],
  'sources.knative.dev/v1/ContainerSource': ['spec', 'template', 'spec'],
};
const KNATIVE_ONLY_POD_FIELDS = ['containerConcurrency', 'timeoutSeconds', 'responseStartTimeoutSeconds', 'idleTimeoutSeconds'];

export interface SchemaValidatorOptions {
  /** Knative feature flags enabled in the target cluster beyond the defaults (e.g. `kubernetes.podspec-affinity`). */
  readonly knativeFeatures?: string[];
}

interface FlaggedField {
  /** Property path from the object root; `[]` steps into every array item. */
  readonly path: string[];
  readonly flag: string;
}

interface KindEntry {
  readonly schemaRef: string;
  readonly scope: Scope;
  readonly source: string;
  /** Fields the CRD puts behind a feature flag. */
  readonly flagged?: FlaggedField[];
  /** The CRD version's openAPIV3Schema as published (for defaults and CEL rules). */
  readonly crdSchema?: any;
}

/** Collects the fields a CRD schema describes as "accessible behind a feature flag - <flag>". */
function flaggedFields(schema: any, path: string[] = [], out: FlaggedField[] = []): FlaggedField[] {
  if (!schema || typeof schema !== 'object') return out;
  const match = typeof schema.description === 'string' ? /behind a feature flag - ([\w.-]+)/.exec(schema.description) : null;
  if (match && path[path.length - 1] !== '[]') out.push({ path, flag: match[1] });
  for (const [name, child] of Object.entries<any>(schema.properties ?? {})) flaggedFields(child, [...path, name], out);
  if (schema.items && typeof schema.items === 'object') flaggedFields(schema.items, [...path, '[]'], out);
  return out;
}

/** Whether a value is present at a path (any array item counts). */
function presentAt(value: any, path: string[]): boolean {
  if (path.length === 0) return value !== undefined && !(Array.isArray(value) && value.length === 0);
  if (value === null || typeof value !== 'object') return false;
  const [head, ...rest] = path;
  if (head === '[]') return Array.isArray(value) && value.some((item) => presentAt(item, rest));
  return presentAt(value[head], rest);
}

function withKnativeDefaults(container: any): any {
  if (!container || typeof container !== 'object') return container;
  const port = container.ports?.[0]?.containerPort ?? 8080;
  const out = { name: 'user-container', ...container };
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const p = container[probe];
    if (!p || typeof p !== 'object') continue;
    out[probe] = {
      ...p,
      ...(p.httpGet && typeof p.httpGet === 'object' && p.httpGet.port === undefined ? { httpGet: { ...p.httpGet, port } } : {}),
      ...(p.tcpSocket && typeof p.tcpSocket === 'object' && p.tcpSocket.port === undefined ? { tcpSocket: { ...p.tcpSocket, port } } : {}),
    };
  }
  return out;
}

function getAt(value: any, path: string[]): any {
  return path.reduce((v, key) => (v && typeof v === 'object' ? v[key] : undefined), value);
}

/** Patterns as the API server compiles and matches them: Go's regexp (RE2), not JavaScript's RegExp. */
const RE2_PATTERNS = Object.assign((pattern: string) => re2RegExp(pattern), { code: 're2RegExp' });

/** Annotations and OpenAPI-only keywords Ajv does not need (nullable is rewritten into `type`). */
const DROPPED_KEYWORDS = new Set(['description', 'default', 'example', 'title', 'discriminator', 'fields-to-discriminateBy', 'nullable']);
const STRUCTURAL_KEYWORDS = new Set(['properties', 'patternProperties', 'items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf']);

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** Converts one schema node (and its children) to strict JSON Schema for Ajv. */
/**
 * `preserved`: the node sits in the items of a list that preserves unknown fields. The API server's pruning
 * (apiextensions-apiserver pruning/algorithm.go `skipPrune`) carries such a list's preservation into its items (and
 * their items), not into their declared properties: an item typed only `type: object` keeps its fields (Kratix's
 * Promise `workflows.*.configure[]`).
 */
function convert(node: any, crd: boolean, preserved: boolean = false): any {
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries<any>(node)) {
    if (key.startsWith('x-') || DROPPED_KEYWORDS.has(key)) continue;
    if (STRUCTURAL_KEYWORDS.has(key) && value && typeof value === 'object') continue; // converted below
    out[key] = value;
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true || preserved;
  forEachSubSchema(node, (child, keyword, name) => {
    const converted = convert(child, crd, keyword === 'items' && preserve);
    if (keyword === 'properties' || keyword === 'patternProperties') (out[keyword] ??= {})[name as string] = converted;
    else if (Array.isArray(node[keyword])) (out[keyword] ??= []).push(converted);
    else out[keyword] = converted;
  });
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node['x-kubernetes-embedded-resource'] === true && out.properties) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: OBJECT_META_REF }, ...out.properties };
  }
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  if (crd && out.type === 'object' && !out.properties && out.additionalProperties === undefined && !preserve) {
    // The API server prunes every field of such an object: content here would be dropped silently.
    out.maxProperties = 0;
  }
  if (crd && node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (crd && node['x-kubernetes-list-type'] === 'map' && Array.isArray(node['x-kubernetes-list-map-keys'])) {
    out.k8sListMapKeys = node['x-kubernetes-list-map-keys'];
  }
  return out;
}

function withCoreEnums(name: string, schema: any): any {
  for (const [property, values] of Object.entries(CORE_ENUMS[name] ?? {})) {
    const [field, items] = property.split('[]');
    const target = schema.properties?.[field];
    if (!target) throw new Error(`CORE_ENUMS: ${name} has no property ${field}`);
    if (items === undefined) target.enum = values;
    else target.items = { ...target.items, enum: values };
  }
  return schema;
}

function describe(obj: any): string {
  const ns = obj?.metadata?.namespace ? `${obj.metadata.namespace}/` : '';
  return `${obj?.apiVersion}/${obj?.kind} ${ns}${obj?.metadata?.name}`;
}

function formatError(e: ErrorObject): string {
  const where = e.instancePath || '/';
  const params = e.params as any;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field "${params.additionalProperty}"`;
    case 'k8sListMapKeys':
      return `${where}: entries must be unique by their list-map keys (the API server rejects duplicates)`;
    case 'maxProperties':
      return `${where}: must be empty (the API server prunes every field of this object)`;
    case 'enum':
      return `${where}: must be one of ${JSON.stringify(params.allowedValues)}`;
    case 'format':
      return params.format === 'quantity' ? `${where}: must be a Kubernetes quantity such as 128Mi, 1.5Gi, 500m or 2` : `${where}: ${e.message}`;
    case 'pattern':
      return params.pattern === QUANTITY ? `${where}: must be a Kubernetes quantity such as 128Mi, 1.5Gi, 500m or 2` : `${where}: ${e.message}`;
    default:
      return `${where}: ${e.message}`;
  }
}

/**
 * Ajv reports every failed branch of an anyOf/oneOf. Keep the specific reasons (format, pattern, ...) of a branch
 * failure at the same path and drop the generic "must be number" / "must match a schema in anyOf" noise.
 */
function summarize(errors: ErrorObject[]): string[] {
  const alternativesAt = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => {
    if (!alternativesAt.has(e.instancePath)) return true;
    if (e.keyword === 'type' || e.keyword === 'anyOf' || e.keyword === 'oneOf') return false;
    return true;
  });
  for (const path of alternativesAt) {
    if (!kept.some((e) => e.instancePath === path)) {
      const types = errors.filter((e) => e.instancePath === path && e.keyword === 'type').map((e) => (e.params as any).type);
      kept.push({ ...errors.find((e) => e.instancePath === path)!, keyword: 'type', message: `must be ${types.join(' or ') || 'one of the allowed forms'}` });
    }
  }
  return kept.map(formatError);
}

/** Where parsed pinned YAML files are kept between runs (gitignored), by the sha256 of their bytes. */
const PARSED_CACHE = join(__dirname, '..', '..', '.cache', 'parsed-yaml');

/**
 * The documents of a YAML file as JSON values. Parsing the pinned CRDs is most of the validator's start-up and every
 * test file starts one: the result is kept by content hash, so a changed file is parsed again and nothing stale is
 * read. The cache is an optimisation only: any failure to read or write it falls back to parsing.
 */
function parsedYamlDocuments(text: string): any[] {
  const file = join(PARSED_CACHE, `${createHash('sha256').update(text).digest('hex')}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // not cached yet (or unreadable): parse below
  }
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  try {
    mkdirSync(PARSED_CACHE, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(docs));
    renameSync(tmp, file); // atomic: a parallel reader sees the whole file or none
  } catch {
    // a read-only checkout: no cache
  }
  return docs;
}

export class SchemaValidator {
  private static readonly instances = new Map<string, SchemaValidator>();

  /** One validator per schema location, options and process (loading and compiling is the expensive part). */
  public static load(location?: string, options: SchemaValidatorOptions = {}): SchemaValidator {
    const packages = loadCatalog();
    const root = resolveSchemaLocation(location, packages);
    const key = `${root}|${[...options.knativeFeatures ?? []].sort().join(',')}`;
    let instance = SchemaValidator.instances.get(key);
    if (!instance) {
      instance = new SchemaValidator(root, packages, options);
      SchemaValidator.instances.set(key, instance);
    }
    return instance;
  }

  public readonly location: string;
  private readonly ajv: Ajv;
  private readonly kinds = new Map<string, KindEntry>();
  private readonly compiled = new Map<string, ValidateFunction>();
  /** CEL rules compiled once per CRD version schema (null: the schema has none). */
  private readonly compiledRules = new Map<string, CompiledRules | null>();
  private readonly knativeFeatures: Set<string>;

  private constructor(location: string, packages: UpstreamPackage[], options: SchemaValidatorOptions) {
    this.location = location;
    this.knativeFeatures = new Set([...KNATIVE_FLAGS_ON_BY_DEFAULT, ...options.knativeFeatures ?? []]);
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, code: { regExp: RE2_PATTERNS } });
    addFormats(this.ajv, ['date-time', 'byte']);
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    for (const f of ['double', 'float', 'int-or-string']) this.ajv.addFormat(f, true);
    this.ajv.addFormat('quantity', new RegExp(QUANTITY));
    this.ajv.addKeyword({
      keyword: 'k8sListMapKeys',
      type: 'array',
      errors: false,
      validate: (keys: string[], data: any[]) => {
        const seen = new Set(data.map((item) => JSON.stringify(keys.map((k) => item?.[k]))));
        return seen.size === data.length;
      },
    });
    for (const pkg of packages.filter((p) => p.validate !== false)) {
      for (const file of pkg.files) {
        const raw = readPinned(location, pkg, file).toString('utf8');
        if (file.local.endsWith('.json')) this.addOpenApiDocument(file.local, JSON.parse(raw));
        else this.addCrdFile(`${pkg.name} ${pkg.version}`, raw);
      }
    }
    // Tekton Triggers' CRDs carry no schema: strict ones written from its Go types take their place.
    for (const crd of triggersCustomResourceDefinitions()) this.addCrd(TRIGGERS_SCHEMA_SOURCE, crd);
    // cert-manager's CRDs are not among the pinned schemas: the Certificate's is written from its Go types.
    for (const crd of certManagerCustomResourceDefinitions()) this.addCrd(CERT_MANAGER_SCHEMA_SOURCE, crd);
  }

  private addOpenApiDocument(local: string, doc: any): void {
    const id = K8S_DOC_PREFIX + local.split('/').pop()!.replace(/_openapi\.json$/, '');
    const schemas: Record<string, any> = {};
    for (const [name, schema] of Object.entries<any>(doc.components?.schemas ?? {})) {
      schemas[name] = name === 'io.k8s.apimachinery.pkg.api.resource.Quantity'
        ? { anyOf: [{ type: 'string', format: 'quantity' }, { type: 'number' }] }
        : withCoreEnums(name, convert(schema, false));
    }
    this.ajv.addSchema({ $id: id, components: { schemas } });
    const namespaced = new Set<string>();
    for (const [p, item] of Object.entries<any>(doc.paths ?? {})) {
      const gvk = item?.post?.['x-kubernetes-group-version-kind'];
      if (gvk && p.includes('{namespace}')) namespaced.add(`${gvk.group}/${gvk.version}/${gvk.kind}`);
    }
    for (const [name, schema] of Object.entries<any>(doc.components?.schemas ?? {})) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        if (!schema.properties?.metadata || !schema.properties?.kind) continue;
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        const key = gvkKey(apiVersion, gvk.kind);
        // The same kind appears in several documents (e.g. DeleteOptions); the first with its own path wins.
        if (this.kinds.has(key) && !namespaced.has(`${gvk.group}/${gvk.version}/${gvk.kind}`)) continue;
        this.kinds.set(key, {
          schemaRef: `${id}#/components/schemas/${name}`,
          scope: namespaced.has(`${gvk.group}/${gvk.version}/${gvk.kind}`) ? 'Namespaced' : 'Cluster',
          source: `Kubernetes ${local}`,
        });
      }
    }
  }

  private addCrdFile(source: string, text: string): void {
    for (const crd of parsedYamlDocuments(text)) this.addCrd(source, crd);
  }

  private addCrd(source: string, crd: any, idSuffix: string = ''): void {
    if (!crd || crd.kind !== 'CustomResourceDefinition') return;
    for (const version of crd.spec.versions ?? []) {
      if (version.served === false || !version.schema?.openAPIV3Schema) continue;
      const apiVersion = `${crd.spec.group}/${version.name}`;
      const key = gvkKey(apiVersion, crd.spec.names.kind);
      const schema = convert(version.schema.openAPIV3Schema, true);
      schema.properties = {
        ...schema.properties,
        apiVersion: { const: apiVersion },
        kind: { const: crd.spec.names.kind },
        metadata: { $ref: OBJECT_META_REF },
      };
      schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
      const id = `crd:${key}${idSuffix}`;
      if (!this.ajv.getSchema(id)) this.ajv.addSchema(schema, id);
      this.kinds.set(key, {
        schemaRef: id, scope: crd.spec.scope, source, flagged: flaggedFields(version.schema.openAPIV3Schema), crdSchema: version.schema.openAPIV3Schema,
      });
    }
  }

  /**
   * A validator for one kept-for-compatibility package of upstream.yaml (`validate: false`, e.g. Crossplane 1.x),
   * on top of the pinned upstream schemas: its CRDs replace the current ones for their kinds.
   */
  public withPackage(name: string): SchemaValidator {
    const pkg = loadCatalog().find((p) => p.name === name);
    if (!pkg) throw new Error(`no package ${name} in upstream.yaml`);
    const crds = pkg.files.flatMap((f) => parseAllDocuments(readPinned(this.location, pkg, f).toString('utf8')).map((d) => d.toJS()));
    return this.withCustomResourceDefinitions(crds, `${pkg.name} ${pkg.version}`);
  }

  /**
   * A validator that also knows these CustomResourceDefinitions (e.g. the ones a Crossplane XRD implies), on top of
   * the pinned upstream schemas. The original is unchanged; compiled schemas are shared.
   */
  public withCustomResourceDefinitions(crds: any[], source: string = 'generated'): SchemaValidator {
    const child: SchemaValidator = Object.create(this);
    (child as any).kinds = new Map(this.kinds);
    for (const crd of crds) {
      const suffix = `#${createHash('sha256').update(JSON.stringify(crd)).digest('hex').slice(0, 16)}`;
      child.addCrd(source, crd, suffix);
    }
    return child;
  }

  /** Whether a schema is known for this kind. */
  public knows(apiVersion: string, kind: string): boolean {
    return this.kinds.has(gvkKey(apiVersion, kind));
  }

  public scopeOf(apiVersion: string, kind: string): Scope | undefined {
    return this.kinds.get(gvkKey(apiVersion, kind))?.scope;
  }

  /** Validates one object, as the API server would on create; returns human-readable problems (empty when valid). */
  public validate(obj: any): string[] {
    return this.check(obj);
  }

  /**
   * Validates an update from `oldObj` to `newObj`: everything `validate(newObj)` checks, plus the CEL transition
   * rules (those referencing `oldSelf`, e.g. `self == oldSelf` on an immutable field) on every value that has an old
   * counterpart. Both are defaulted first, as stored objects are.
   */
  public validateUpdate(oldObj: any, newObj: any): string[] {
    const same = (o: any) => [o?.apiVersion, o?.kind, o?.metadata?.namespace ?? '', o?.metadata?.name].join(' ');
    if (same(oldObj) !== same(newObj)) {
      return [`an update keeps apiVersion, kind, namespace and name: ${same(oldObj)} -> ${same(newObj)}`];
    }
    return this.check(newObj, oldObj);
  }

  /**
   * Every CEL rule of every custom kind this validator knows (`apiVersion/kind`), compiled: where it applies, whether
   * it is a transition rule, and its compile error if it has one.
   */
  public celRules(): (RuleListing & { kind: string })[] {
    return [...this.kinds].flatMap(([kind, entry]) => listRules(this.rulesOf(entry) ?? undefined).map((r) => ({ kind, ...r })));
  }

  private rulesOf(entry: KindEntry): CompiledRules | null {
    if (!entry.crdSchema) return null;
    let rules = this.compiledRules.get(entry.schemaRef);
    if (rules === undefined) {
      rules = compileRules(entry.crdSchema) ?? null;
      this.compiledRules.set(entry.schemaRef, rules);
    }
    return rules;
  }

  private check(obj: any, oldObj?: any): string[] {
    if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      return ['not a Kubernetes object (apiVersion and kind are required)'];
    }
    const key = gvkKey(obj.apiVersion, obj.kind);
    const entry = this.kinds.get(key);
    if (!entry) return [`no schema for ${key} in the pinned upstream schemas (upstream.yaml); add its source there`];
    const cacheKey = `${entry.schemaRef}|${key}`;
    let validateFn = this.compiled.get(cacheKey);
    if (!validateFn) {
      const ref = entry.schemaRef.startsWith('crd:') ? { $ref: entry.schemaRef } : {
        allOf: [{ $ref: entry.schemaRef }],
        properties: { apiVersion: { const: obj.apiVersion }, kind: { const: obj.kind } },
        required: ['apiVersion', 'kind', 'metadata'],
      };
      validateFn = this.ajv.compile(ref);
      this.compiled.set(cacheKey, validateFn);
    }
    // A custom resource is defaulted by the API server before it is validated.
    const subject = entry.crdSchema ? withDefaults(obj, entry.crdSchema) : obj;
    const problems: string[] = [];
    if (!validateFn(subject)) problems.push(...summarize(validateFn.errors ?? []));
    problems.push(...this.knativeProblems(key, entry, subject, problems));
    const rules = this.rulesOf(entry);
    if (rules) problems.push(...celProblems(rules, subject, oldObj === undefined ? undefined : withDefaults(oldObj, entry.crdSchema)));
    problems.push(...checkMetadata(obj.apiVersion, obj.kind, obj.metadata));
    if (entry.scope === 'Namespaced' && !obj.metadata?.namespace) {
      problems.push('/metadata/namespace: required for a namespaced kind (without it, kubectl applies into whatever namespace the context points at)');
    }
    if (entry.scope === 'Cluster' && obj.metadata?.namespace !== undefined) {
      problems.push('/metadata/namespace: must not be set on a cluster-scoped kind');
    }
    return [...new Set(problems)];
  }

  /**
   * Feature-flagged fields in use, and the pod spec of Knative kinds checked as a core PodSpec (without repeating
   * what the CRD schema already reported).
   */
  private knativeProblems(key: string, entry: KindEntry, obj: any, reported: string[]): string[] {
    const problems = (entry.flagged ?? [])
      .filter((f) => !this.knativeFeatures.has(f.flag) && presentAt(obj, f.path))
      .map((f) => `/${f.path.join('/').replace(/\/\[\]/g, '/*')}: needs the Knative feature flag ${f.flag} (off by default in config-features)`);
    const podPath = KNATIVE_POD_SPECS[key];
    const podSpec = podPath ? getAt(obj, podPath) : undefined;
    if (podSpec && typeof podSpec === 'object') {
      const core = { ...podSpec };
      for (const field of KNATIVE_ONLY_POD_FIELDS) delete core[field];
      // Knative defaults what the core schema requires: the container name, and the port of probes (the container's).
      if (Array.isArray(core.containers)) core.containers = core.containers.map((c: any) => withKnativeDefaults(c));
      let check = this.compiled.get('core PodSpec');
      if (!check) {
        check = this.ajv.compile({ $ref: `${K8S_DOC_PREFIX}api__v1#/components/schemas/io.k8s.api.core.v1.PodSpec` });
        this.compiled.set('core PodSpec', check);
      }
      if (!check(core)) {
        const prefix = `/${podPath.join('/')}`;
        const already = new Set(problems.concat(reported));
        for (const p of summarize(check.errors ?? [])) {
          const message = `${prefix}${p.startsWith('/:') ? p.slice(1) : p}`;
          if (!already.has(message)) problems.push(`${message} (as a Kubernetes PodSpec)`);
        }
      }
    }
    return problems;
  }

  /** Validates many objects; returns `<object>: <problem>` lines. */
  public validateAll(objects: any[]): string[] {
    return objects.flatMap((o) => this.validate(o).map((p) => `${describe(o)}: ${p}`));
  }

  /**
   * Validates the update of a set of objects to another (matched by apiVersion, kind, namespace and name): objects
   * only in `after` are validated as creates, objects in both as updates; returns `<object>: <problem>` lines.
   */
  public validateAllUpdates(before: any[], after: any[]): string[] {
    const keyOf = (o: any) => `${o?.apiVersion} ${o?.kind} ${o?.metadata?.namespace ?? ''}/${o?.metadata?.name}`;
    const old = new Map(before.map((o) => [keyOf(o), o]));
    return after.flatMap((o) => {
      const previous = old.get(keyOf(o));
      return (previous ? this.validateUpdate(previous, o) : this.validate(o)).map((p) => `${describe(o)}: ${p}`);
    });
  }
}
