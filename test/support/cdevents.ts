/**
 * Test helpers for CDEvents and EventTransforms:
 *
 *   cdeventsValidator()   Ajv (draft 2020-12) over the pinned CDEvents v0.5.1 schemas, `links/` schemas added first;
 *   binaryMessage()       an HTTP request as a source sends a CloudEvent in binary mode (ApiServerSource, Tekton);
 *   runTransform()        evaluates a JSONata expression exactly as Knative's transform-jsonata image does
 *                         (knative-extensions/eventing-integrations transform-jsonata/jsonata.js at knative-v1.22.0,
 *                         the image eventing v1.22.2 runs): the request is read into a CloudEvent with the
 *                         `cloudevents` SDK the image pins (8.0.2), its structured JSON form is the expression's
 *                         input, the result is sent on as JSON whose content type is guessed from it; a result that is
 *                         not an object makes the image fail with HTTP 500. The receiver (a broker) then reads the
 *                         structured event, checked here with the same SDK in strict mode.
 */
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CloudEvent, HTTP } from 'cloudevents';
import jsonata from 'jsonata';
import { CloudEventType } from '../../constructs';
import { eventTypeSchemas, loadCDEventsSchemas, typeOf } from '../../scripts/lib/cdevents';

export interface CDEventsValidator {
  /** The CDEvent types there is a schema for. */
  readonly types: string[];
  /** Problems of a CDEvent (empty when valid), checked against the schema of its `context.type`. */
  validate(cdevent: any): string[];
}

let cached: CDEventsValidator | undefined;

export function cdeventsValidator(): CDEventsValidator {
  if (cached) return cached;
  const files = loadCDEventsSchemas();
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // Some schemas carry `example` (an OpenAPI annotation, not a JSON Schema keyword): known, so strict mode accepts it.
  ajv.addKeyword({ keyword: 'example', schemaType: ['string', 'number', 'object', 'array', 'boolean'] });
  for (const f of files.filter((x) => x.path.startsWith('schemas/links/'))) ajv.addSchema(f.schema);
  const byType = new Map<string, ValidateFunction>();
  for (const f of eventTypeSchemas(files)) byType.set(typeOf(f.schema), ajv.compile(f.schema));
  cached = {
    types: [...byType.keys()],
    validate(cdevent: any): string[] {
      const type = cdevent?.context?.type;
      const validate = byType.get(type);
      if (!validate) return [`no CDEvents schema for type ${JSON.stringify(type)}`];
      if (validate(cdevent)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    },
  };
  return cached;
}

/** The attributes CloudEvents 1.0 defines (required and optional) and the data members: anything else is an extension. */
export const CLOUDEVENTS_ATTRIBUTES = ['specversion', 'id', 'type', 'source', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64'];

/** An HTTP request carrying a CloudEvent in binary mode (attributes as `ce-` headers, JSON data as the body). */
export interface HttpMessage {
  readonly headers: { [name: string]: string };
  readonly body: string;
}

export function binaryMessage(attributes: { [name: string]: string }, data: unknown): HttpMessage {
  const headers: { [name: string]: string } = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(attributes)) headers[`ce-${k}`] = v;
  return { headers, body: JSON.stringify(data) };
}

/** What the transform pod does with one request. */
export interface TransformResult {
  /** The expression's input (the CloudEvent in structured form, data parsed). */
  readonly input: any;
  /** The expression's result. */
  readonly output: any;
  /** The content type the image sends the result with. */
  readonly contentType: string;
  /** The result as the receiver reads it (strict CloudEvents validation). */
  readonly event: CloudEvent<any>;
}

/** Compiled expressions, by source (the suite evaluates a few expressions many times). */
const compiled = new Map<string, ReturnType<typeof jsonata>>();

export async function runTransform(expression: string, message: HttpMessage): Promise<TransformResult> {
  const ceInput = HTTP.toEvent({ headers: message.headers, body: message.body });
  if (Array.isArray(ceInput)) throw new Error('transform-jsonata answers 400 to a batch');
  const input = JSON.parse(HTTP.structured(ceInput).body as string);
  let expr = compiled.get(expression);
  if (!expr) compiled.set(expression, expr = jsonata(expression));
  const output = await expr.evaluate(input);
  if (output === undefined || output === null || typeof output !== 'object') {
    // The image evaluates `"contenttype" in transformed`, which throws for anything but an object: HTTP 500.
    throw new Error(`transform-jsonata would answer HTTP 500: the expression returned ${JSON.stringify(output)}`);
  }
  const contentType = output.contenttype ? String(output.contenttype) : 'specversion' in output ? 'application/cloudevents+json' : 'application/json';
  const event = HTTP.toEvent({ headers: { 'content-type': contentType }, body: JSON.stringify(output) }) as CloudEvent<any>;
  // The SDK validates strictly when it builds the event; `validate()` again names what is wrong, if anything.
  event.validate();
  return { input, output, contentType, event };
}

/**
 * Expects the transform's output to be a CDEvent of `type`: valid against its pinned schema, and bound to its
 * CloudEvent as cdevents/spec cloudevents-binding.md says (CE id/source/type/time/subject equal the CDEvent's).
 * Returns the CDEvent.
 */
export function expectCDEvent(r: TransformResult, type: CloudEventType): any {
  expect(r.event.type).toBe(type.type);
  const cdevent = r.event.data;
  expect(cdeventsValidator().validate(cdevent)).toEqual([]);
  expect(cdevent.context).toMatchObject({ id: r.event.id, source: r.event.source, type: r.event.type, timestamp: r.event.time });
  expect(cdevent.subject.id).toBe(r.event.subject);
  expect(r.contentType).toBe('application/cloudevents+json');
  return cdevent;
}
