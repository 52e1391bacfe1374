/**
 * The pinned CDEvents JSON Schemas (upstream.yaml package `cdevents-spec`) and the module generated from them,
 * constructs/cdevents/vocabulary.ts: every event type as a CloudEventType value, and the shape of each type's
 * `subject.content` as TypeScript interfaces and enums (jsii-friendly: plain readonly fields, enums, no unions).
 * `npm run cdevents:generate` writes it; test/cdevents/vocabulary.test.ts checks the committed file is up to date.
 */
import { UpstreamPackage, loadCatalog, readPinned, resolveSchemaLocation } from './upstream';

export const CDEVENTS_PACKAGE = 'cdevents-spec';

/** One pinned schema file, parsed. */
export interface CDEventsSchemaFile {
  /** Path inside the spec repository, e.g. `schemas/servicedeployed.json`. */
  readonly path: string;
  readonly schema: any;
}

/** The pinned package entry. */
export function cdeventsPackage(packages: UpstreamPackage[] = loadCatalog()): UpstreamPackage {
  const pkg = packages.find((p) => p.name === CDEVENTS_PACKAGE);
  if (!pkg) throw new Error(`upstream.yaml lists no package ${CDEVENTS_PACKAGE}`);
  return pkg;
}

/** Every pinned schema (event types and their `links/` schemas), bytes checked against upstream.yaml. */
export function loadCDEventsSchemas(location: string = resolveSchemaLocation()): CDEventsSchemaFile[] {
  const pkg = cdeventsPackage();
  return pkg.files.map((f) => ({ path: f.path, schema: JSON.parse(readPinned(location, pkg, f).toString('utf8')) }));
}

/** The event-type schemas only (one per type), sorted by type. */
export function eventTypeSchemas(files: CDEventsSchemaFile[]): CDEventsSchemaFile[] {
  return files.filter((f) => /^schemas\/[a-z]+\.json$/.test(f.path))
    .sort((a, b) => typeOf(a.schema).localeCompare(typeOf(b.schema)));
}

/** The `context.type` a schema fixes, e.g. `dev.cdevents.service.deployed.0.3.0`. */
export function typeOf(schema: any): string {
  const values = schema?.properties?.context?.properties?.type?.enum;
  if (!Array.isArray(values) || values.length !== 1 || typeof values[0] !== 'string') {
    throw new Error(`schema ${schema?.$id}: context.type is not a single-value enum`);
  }
  return values[0];
}

// Compound subject names split into words (the spec writes them as one word); any other subject is one word.
const SUBJECT_WORDS: Record<string, string[]> = {
  pipelinerun: ['pipeline', 'run'],
  taskrun: ['task', 'run'],
  testcaserun: ['test', 'case', 'run'],
  testsuiterun: ['test', 'suite', 'run'],
  testoutput: ['test', 'output'],
};
const PREDICATE_WORDS: Record<string, string[]> = { rolledback: ['rolled', 'back'] };

/** The parts of a CDEvents type: subject and predicate words, and the type's own version. */
export function parseType(type: string): { subject: string[]; predicate: string[]; version: string } {
  const m = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\.(\d+\.\d+\.\d+)$/.exec(type);
  if (!m) throw new Error(`${type} is not a dev.cdevents.<subject>.<predicate>.<version> type`);
  return { subject: SUBJECT_WORDS[m[1]] ?? [m[1]], predicate: PREDICATE_WORDS[m[2]] ?? [m[2]], version: m[3] };
}

/** A single-quoted TypeScript string literal (the repository's lint style). */
const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const pascal = (words: string[]): string => words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
const upperSnake = (words: string[]): string => words.map((w) => w.toUpperCase()).join('_');
const pascalOf = (name: string): string => name[0].toUpperCase() + name.slice(1);

/** The name of the vocabulary constant for a type, e.g. `SERVICE_DEPLOYED`, `TEST_SUITE_RUN_FINISHED`. */
export function constantName(type: string): string {
  const p = parseType(type);
  return upperSnake([...p.subject, ...p.predicate]);
}

/** The name of the interface of a type's subject content, e.g. `ServiceDeployedContent`. */
export function contentInterfaceName(type: string): string {
  const p = parseType(type);
  return `${pascal([...p.subject, ...p.predicate])}Content`;
}

interface Declarations {
  /** name → TypeScript source, in insertion order; a name declared twice must have the same source. */
  readonly decls: Map<string, string>;
}

function declare(d: Declarations, name: string, source: string, where: string): void {
  const existing = d.decls.get(name);
  if (existing !== undefined && existing !== source) throw new Error(`${where}: ${name} would be declared twice with different shapes`);
  d.decls.set(name, source);
}

function enumMember(value: string): string {
  return value.replace(/[^A-Za-z0-9]+/g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The interface of every `{ id, source? }` object of the schemas (environment, repository, pipelineRun, ...). */
const REFERENCE = 'CDEventsSubjectReference';

/** A closed object of a required string `id` and an optional string `source`, nothing else. */
function isSubjectReference(schema: any): boolean {
  const props = Object.keys(schema.properties ?? {}).sort().join(',');
  return schema.additionalProperties === false && props === 'id,source' && JSON.stringify(schema.required) === '["id"]'
    && schema.properties.id.type === 'string' && schema.properties.source.type === 'string';
}

/** The TypeScript type of a property schema (declaring nested interfaces and enums as needed). */
function tsType(d: Declarations, prop: any, propName: string, parentName: string, where: string): { type: string; doc: string[] } {
  const doc: string[] = [];
  if (prop.format) doc.push(`Format: ${prop.format}.`);
  if (Array.isArray(prop.enum)) {
    const name = `CDEvents${pascalOf(propName === 'type' ? `${parentName}Type` : propName)}`;
    const members = prop.enum.map((v: string) => `  ${enumMember(v)} = ${q(v)},`).join('\n');
    declare(d, name, `/** Values of \`${propName === 'type' ? `${parentName[0].toLowerCase()}${parentName.slice(1)}.type` : propName}\` in CDEvents content. */\nexport enum ${name} {\n${members}\n}`, where);
    return { type: name, doc };
  }
  if (Array.isArray(prop.anyOf)) {
    // An open enum: known values, or any string.
    const known = prop.anyOf.flatMap((a: any) => a.enum ?? []);
    if (prop.anyOf.some((a: any) => a.type !== 'string')) throw new Error(`${where}: ${propName} has a non-string anyOf`);
    return { type: 'string', doc: [`Known values: ${known.map((v: string) => `\`${v}\``).join(', ')}; any other string is allowed too.`] };
  }
  switch (prop.type) {
    case 'string': return { type: 'string', doc };
    case 'array': return { type: `${tsType(d, prop.items ?? {}, propName, parentName, where).type}[]`, doc };
    case 'object': {
      if (isSubjectReference(prop)) {
        declare(d, REFERENCE, renderInterface(d, REFERENCE, prop, 'A reference to another CDEvents subject: its `id`, and its `source` when it differs from the event\'s.', where)
          .replace(/Format: uri-reference\. /, ''), where);
        return { type: REFERENCE, doc: [`The ${propName}.`] };
      }
      const name = `CDEvents${pascalOf(propName)}`;
      declare(d, name, renderInterface(d, name, prop, `The \`${propName}\` of a CDEvents subject's content.`, where), where);
      return { type: name, doc };
    }
    default: throw new Error(`${where}: property ${propName} has unsupported schema ${JSON.stringify(prop)}`);
  }
}

function renderInterface(d: Declarations, name: string, schema: any, comment: string, where: string): string {
  const required = new Set<string>(schema.required ?? []);
  const fields = Object.entries<any>(schema.properties ?? {}).map(([prop, s]) => {
    const t = tsType(d, s, prop, name.replace(/^CDEvents/, ''), `${where}.${prop}`);
    const docs = [...t.doc];
    if (!required.has(prop)) docs.push('@default - not set');
    const docBlock = docs.length ? `  /** ${docs.join(' ')} */\n` : '';
    return `${docBlock}  readonly ${prop}${required.has(prop) ? '' : '?'}: ${t.type};`;
  });
  const open = schema.additionalProperties === false ? '' : ' Other fields are allowed.';
  // Some types carry no content fields at all (an empty object).
  const lint = fields.length ? '' : '// eslint-disable-next-line @typescript-eslint/no-empty-object-type\n';
  return `/** ${comment}${open} */\n${lint}export interface ${name} {\n${fields.join('\n')}${fields.length ? '\n' : ''}}`;
}

/** The generated module, from the pinned schemas. */
export function renderVocabulary(files: CDEventsSchemaFile[], version: string): string {
  const d: Declarations = { decls: new Map() };
  const types = eventTypeSchemas(files);
  const constants: string[] = [];
  const contents: string[] = [];
  for (const f of types) {
    const type = typeOf(f.schema);
    const p = parseType(type);
    const id = f.schema.$id;
    if (typeof id !== 'string' || !/^https:\/\/cdevents\.dev\//.test(id)) throw new Error(`${f.path}: $id ${id} is not a cdevents.dev URI`);
    const content = f.schema.properties?.subject?.properties?.content;
    if (content?.type !== 'object') throw new Error(`${f.path}: subject.content is not an object schema`);
    const what = `${p.subject.join(' ')} ${p.predicate.join(' ')}`;
    constants.push(
      `  /** \`${type}\`: ${what}; subject content {@link ${contentInterfaceName(type)}}. */\n` +
      `  public static readonly ${constantName(type)} = CloudEventType.of(${q(type)}, {\n` +
      `    description: ${q(`CDEvents ${version}: ${what}`)},\n` +
      `    schema: ${q(id)},\n` +
      '  });',
    );
    contents.push(renderInterface(d, contentInterfaceName(type), content, `Subject content of \`${type}\` (${what}).`, f.path));
  }
  const all = types.map((f) => `      CDEvents.${constantName(typeOf(f.schema))},`).join('\n');
  return [
    `// Generated by scripts/generate-cdevents.ts (npm run cdevents:generate) from the pinned CDEvents ${version} JSON`,
    '// Schemas (upstream.yaml package cdevents-spec). Do not edit; test/cdevents/vocabulary.test.ts checks it is current.',
    "import { CloudEventType } from '../core/event-type';",
    '',
    '/** The CDEvents specification version the vocabulary is generated from. */',
    `export const CDEVENTS_SPEC_VERSION = ${q(version.replace(/^v/, ''))};`,
    '',
    '/**',
    ` * Every CDEvents ${version} event type as a CloudEventType (\`schema\` is the type's JSON Schema \`$id\`). Types made`,
    ' * with `CloudEventType.of`: a subscription to one needs a producer on the platform (a transform that declares it);',
    ' * for one produced outside, use `CloudEventType.external(CDEvents.X.type, ...)`.',
    ' */',
    'export class CDEvents {',
    ...constants.flatMap((c) => [c, '']),
    '  /** Every type of the vocabulary. */',
    '  public static all(): CloudEventType[] {',
    '    return [',
    all,
    '    ];',
    '  }',
    '',
    '  private constructor() {}',
    '}',
    '',
    ...[...d.decls.values()].flatMap((s) => [s, '']),
    ...contents.flatMap((s) => [s, '']),
  ].join('\n').replace(/\n+$/, '\n');
}
