/**
 * Checks for what Crossplane and Kubernetes do with our output that the schema documents cannot express.
 */

const FORBIDDEN = ['$ref', 'definitions', 'additionalItems', 'dependencies', 'patternProperties', 'id', '$schema', 'oneOf', 'anyOf', 'not'];

/**
 * Problems that make an OpenAPI v3 schema non-structural (Kubernetes apiextensions rules): every node typed, objects
 * with either properties or additionalProperties, required fields declared, no keywords CRDs forbid.
 */
export function structuralProblems(schema: any, path: string = ''): string[] {
  if (!schema || typeof schema !== 'object') return [`${path || '/'}: not a schema`];
  const problems: string[] = [];
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-int-or-string'] === true;
  if (!schema.type && !open) problems.push(`${path || '/'}: no type`);
  for (const k of FORBIDDEN) if (k in schema) problems.push(`${path || '/'}: ${k} is not allowed in a structural schema`);
  if (schema.uniqueItems === true) problems.push(`${path || '/'}: uniqueItems: true is not allowed`);
  if (schema.properties && schema.additionalProperties) problems.push(`${path || '/'}: properties and additionalProperties together`);
  for (const r of schema.required ?? []) if (!(r in (schema.properties ?? {}))) problems.push(`${path || '/'}: required ${r} is not a property`);
  // The root's metadata is the one object Kubernetes lets a CRD leave undescribed (it is ObjectMeta).
  if (schema.type === 'object' && !schema.properties && !schema.additionalProperties && !open && path !== '/metadata') problems.push(`${path || '/'}: object without properties (everything is pruned)`);
  for (const [k, v] of Object.entries<any>(schema.properties ?? {})) problems.push(...structuralProblems(v, `${path}/${k}`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') problems.push(...structuralProblems(schema.additionalProperties, `${path}/*`));
  if (schema.items) {
    if (Array.isArray(schema.items)) problems.push(`${path}/[]: items must be one schema`);
    else problems.push(...structuralProblems(schema.items, `${path}/[]`));
  }
  return problems;
}

/**
 * Problems with the block structure of a Go template (what `text/template` would refuse to parse): unbalanced
 * delimiters, and `if`/`with`/`range` without their `end` (or the reverse).
 */
export function goTemplateProblems(template: string): string[] {
  const problems: string[] = [];
  const opens = (template.match(/\{\{/g) ?? []).length;
  const closes = (template.match(/\}\}/g) ?? []).length;
  // JSON text may end objects with `}}`; actions are what matters: every `{{` must be closed.
  const actions = [...template.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)].map((m) => m[1]);
  if (actions.length !== opens) problems.push(`${opens} "{{" but ${actions.length} complete actions`);
  if (closes < opens) problems.push(`${opens} "{{" but only ${closes} "}}"`);
  const stack: string[] = [];
  for (const a of actions) {
    const word = a.split(/\s+/)[0];
    if (['if', 'with', 'range', 'define', 'block'].includes(word)) stack.push(word);
    else if (word === 'end') {
      if (!stack.pop()) problems.push('"end" without an opening block');
    } else if (word === 'else' && stack.length === 0) problems.push('"else" outside a block');
  }
  if (stack.length) problems.push(`unclosed blocks: ${stack.join(', ')}`);
  for (const a of actions) {
    const vars = [...a.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    for (const v of vars) {
      const declared = new RegExp(`\\$${v}\\s*:=`).test(template);
      if (!declared) problems.push(`$${v} is used but never declared`);
    }
  }
  return [...new Set(problems)];
}
