/**
 * Tekton Triggers v0.37.0 as the tests need it: what its EventListener does with a request, emulated step by step
 * from its source, so the expressions and bindings this library writes are executed, not just read.
 *
 * - CEL: the interceptor's environment (pkg/interceptors/cel/cel.go makeCelEnv) is cel-go with the strings, encoders,
 *   sets, lists and math extensions plus Triggers' own functions (triggers.go). Here: @bufbuild/cel with its strings
 *   extension, and the Triggers functions this library uses, written from their Go code: `header.match(k, v)` and
 *   `header.canonical(k)` read `http.Header.Get` (the key canonicalized, the first value), `s.translate(re, repl)` is
 *   `regexp.ReplaceAllString`. `header` is the Go http.Header (canonical keys, lists of values), `body` the request
 *   body parsed as JSON (`{}` when empty), `extensions` the overlays of earlier interceptors.
 * - An interceptor's filter must return true; its overlays are evaluated against the same input and written with
 *   sjson into a fresh object (keys with dots nest), which the sink merges into the extensions key by key at the top
 *   level (pkg/sink/sink.go ExecuteInterceptors).
 * - Bindings: `$(extensions.a.b)` etc. are JSONPath lookups over `{header (values joined by ","), body, extensions}`;
 *   a missing value with no template default fails the event (pkg/template/event.go applyEventValuesToParams).
 *   Template params replace `$(tt.params.x)` in the resource templates (pkg/template/resource.go), each of which must
 *   be declared (trigger_template_validation.go verifyParamDeclarations).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CelScalar, CelValue, celMethod, isCelError, isCelList, isCelMap, mapType, run } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { parseAllDocuments } from 'yaml';
import { Duration } from 'cdk8s';
import { ITektonPipeline, PipelineRunTemplateOptions } from '../../constructs';
import { SchemaValidator } from '../../scripts/lib/schema-validator';

/** Go's textproto.CanonicalMIMEHeaderKey for token keys: `ce-type` → `Ce-Type`. */
export function canonicalHeaderKey(key: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key)) return key;
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function headerGet(header: CelValue, key: string): string {
  if (!isCelMap(header)) throw new Error('header must be a map');
  const values = header.get(canonicalHeaderKey(key));
  if (values === undefined) return '';
  if (isCelList(values)) return values.size ? String(values.get(0)) : '';
  return String(values);
}

/** The Triggers CEL functions this library's expressions use (triggers.go). */
const TRIGGERS_FUNCS = [
  celMethod('match', mapType(CelScalar.STRING, CelScalar.DYN), [CelScalar.STRING, CelScalar.STRING], CelScalar.BOOL,
    function (key: string, value: string) { return headerGet(this, key) === value; }),
  celMethod('canonical', mapType(CelScalar.STRING, CelScalar.DYN), [CelScalar.STRING], CelScalar.STRING,
    function (key: string) { return headerGet(this, key); }),
  celMethod('translate', CelScalar.STRING, [CelScalar.STRING, CelScalar.STRING], CelScalar.STRING,
    function (pattern: string, replacement: string) {
      // Go's ReplaceAllString expands `$name` in the replacement; the expressions here use none.
      if (replacement.includes('$')) throw new Error('translate: "$" expansion is not emulated');
      return this.replace(new RegExp(pattern, 'g'), replacement);
    }),
];

/** A CEL value as JSON (what the interceptor marshals into an extension). */
function toJson(v: CelValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (isCelList(v)) return [...v].map(toJson);
  if (isCelMap(v)) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toJson(x)]));
  return v;
}

/** An HTTP request as the EventListener receives it. */
export interface ListenerRequest {
  readonly headers: { [name: string]: string };
  readonly body: string;
}

/** A CloudEvent in binary mode (Knative brokers deliver so): attributes as `Ce-` headers, the data as the body. */
export function binaryEvent(attributes: { [name: string]: string }, data: unknown): ListenerRequest {
  const headers: { [name: string]: string } = { 'Content-Type': 'application/json', 'Ce-Specversion': '1.0' };
  for (const [k, v] of Object.entries(attributes)) headers[`ce-${k}`] = v;
  return { headers, body: JSON.stringify(data) };
}

/** The same CloudEvent in structured mode: one JSON document. */
export function structuredEvent(attributes: { [name: string]: string }, data: unknown): ListenerRequest {
  return { headers: { 'Content-Type': 'application/cloudevents+json' }, body: JSON.stringify({ specversion: '1.0', ...attributes, data }) };
}

/** Evaluates one CEL expression in the interceptor's environment. */
export function evalCel(expression: string, request: ListenerRequest, extensions: { [k: string]: unknown } = {}): unknown {
  const header: { [k: string]: string[] } = {};
  for (const [k, v] of Object.entries(request.headers)) (header[canonicalHeaderKey(k)] ??= []).push(v);
  const body = request.body ? JSON.parse(request.body) : {};
  const out = run(expression, { header, body, extensions: extensions as any, requestURL: 'http://el/' } as any, { funcs: [...strings, ...TRIGGERS_FUNCS] });
  if (isCelError(out)) throw new Error(`CEL ${expression}: ${out.message}`);
  return toJson(out as CelValue);
}

/** sjson.SetRawBytes for a dotted key. */
function setPath(target: { [k: string]: any }, key: string, value: unknown): void {
  const parts = key.split('.');
  let at = target;
  for (const p of parts.slice(0, -1)) at = (at[p] = typeof at[p] === 'object' && at[p] !== null ? at[p] : {});
  at[parts[parts.length - 1]] = value;
}

/** What an interceptor chain made of a request: continue or not, and the extensions. */
export interface ChainResult {
  readonly continue: boolean;
  readonly extensions: { [k: string]: any };
}

/** Runs a Trigger's CEL interceptors in order, as the sink does. */
export function runInterceptors(interceptors: any[], request: ListenerRequest): ChainResult {
  const extensions: { [k: string]: any } = {};
  for (const i of interceptors) {
    if (i.ref?.name !== 'cel' || (i.ref.kind ?? 'ClusterInterceptor') !== 'ClusterInterceptor') throw new Error(`only the cel ClusterInterceptor is emulated, not ${JSON.stringify(i.ref)}`);
    const params = Object.fromEntries((i.params ?? []).map((p: any) => [p.name, p.value]));
    if (params.filter !== undefined && evalCel(params.filter, request, extensions) !== true) return { continue: false, extensions };
    const produced: { [k: string]: any } = {};
    for (const o of params.overlays ?? []) setPath(produced, o.key, evalCel(o.expression, request, extensions));
    Object.assign(extensions, produced);
  }
  return { continue: true, extensions };
}

/** Resolves a TriggerBinding's params against the event and the extensions (JSONPath by dotted path). */
export function resolveBindings(params: Array<{ name: string; value: string }>, request: ListenerRequest, extensions: { [k: string]: any }): { [name: string]: string } {
  const header = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [canonicalHeaderKey(k), v]));
  const event: any = { header, body: request.body ? JSON.parse(request.body) : undefined, extensions };
  const out: { [name: string]: string } = {};
  for (const p of params) {
    out[p.name] = p.value.replace(/\$\(([^)]+)\)/g, (_m, expr: string) => {
      let at = event;
      for (const part of expr.split('.')) {
        if (at === null || typeof at !== 'object' || !(part in at)) throw new Error(`binding ${p.name}: ${expr} not found in the event`);
        at = at[part];
      }
      return typeof at === 'string' ? at : JSON.stringify(at);
    });
  }
  return out;
}

/** The `$(tt.params.x)` names a template uses (the Triggers webhook's pattern). */
export function templateParamsUsed(resourcetemplates: unknown[]): string[] {
  return [...JSON.stringify(resourcetemplates).matchAll(/\$\(tt.params.([_a-zA-Z][_a-zA-Z0-9.-]*)\)/g)].map((m) => m[1]);
}

/** A TriggerTemplate's resources with its params replaced (JSON-escaped, as resource.go does). */
export function renderTemplate(resourcetemplates: unknown[], params: { [name: string]: string }): any[] {
  let text = JSON.stringify(resourcetemplates);
  for (const [name, value] of Object.entries(params)) text = text.split(`$(tt.params.${name})`).join(JSON.stringify(value).slice(1, -1));
  return JSON.parse(text);
}

/** The strict validator, also knowing Tekton Pipelines' PipelineRun CRD (v1.15.0, pinned in ../shared/crds). */
export function pipelineRunValidator(): SchemaValidator {
  const base = SchemaValidator.load();
  const file = path.join(base.location, 'tekton-pipeline', 'v1.15.0', '300-pipelinerun.yaml');
  return base.withCustomResourceDefinitions(parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()), 'tekton-pipeline v1.15.0');
}

/**
 * A pipeline as the event-triggered pipeline sees it (`ITektonPipeline`), without the Pipeline construct: it renders
 * the `tekton.dev/v1` PipelineRun a TektonPipeline renders (`spec.pipelineRef`, params, taskRunTemplate, timeouts).
 */
export function fixturePipeline(namespace: string, name: string, paramNames: string[]): ITektonPipeline {
  return {
    pipelineName: name,
    namespace,
    paramNames,
    runTemplate(options: PipelineRunTemplateOptions): any {
      const params = Object.entries(options.params ?? {}).map(([n, value]) => ({ name: n, value }));
      return {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: options.name ? { name: options.name } : { generateName: options.generateName ?? `${name}-` },
        spec: {
          pipelineRef: { name },
          ...(params.length ? { params } : {}),
          ...(options.serviceAccountName ? { taskRunTemplate: { serviceAccountName: options.serviceAccountName } } : {}),
          ...(options.timeout ? { timeouts: { pipeline: `${(options.timeout as Duration).toSeconds()}s` } } : {}),
        },
      };
    },
  };
}
