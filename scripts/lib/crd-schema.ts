/**
 * Walking OpenAPI v3 schemas (CRD openAPIV3Schema and Kubernetes components.schemas) structurally: keys of
 * `properties` are field names, never keywords, so a field called `description` survives.
 */

/** Sub-schemas of a schema node, with the keyword they sit under. */
export function forEachSubSchema(schema: any, visit: (child: any, keyword: string, name?: string) => void): void {
  if (!schema || typeof schema !== 'object') return;
  for (const keyword of ['properties', 'patternProperties']) {
    const map = schema[keyword];
    if (map && typeof map === 'object') {
      for (const name of Object.keys(map)) visit(map[name], keyword, name);
    }
  }
  for (const keyword of ['items', 'additionalProperties', 'not']) {
    const child = schema[keyword];
    if (Array.isArray(child)) child.forEach((c) => visit(c, keyword));
    else if (child && typeof child === 'object') visit(child, keyword);
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[keyword];
    if (Array.isArray(list)) list.forEach((c) => visit(c, keyword));
  }
}

/** Removes upstream prose (`description`) from a schema tree, in place. */
export function stripDescriptions(schema: any): void {
  if (!schema || typeof schema !== 'object') return;
  delete schema.description;
  forEachSubSchema(schema, (child) => stripDescriptions(child));
}

function deepCopy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/**
 * Structural defaulting as the API server applies it to a custom resource before validating it
 * (apiextensions-apiserver `defaulting.Default`): an absent property, or a null one that is not nullable, takes its
 * schema's `default` (a copy), then the walk goes on into properties, additionalProperties and items, defaults
 * included. Returns a defaulted copy (the input itself when the schema declares no default); the input is not changed.
 */
export function withDefaults(value: any, schema: any): any {
  if (!declaresDefaults(schema)) return value;
  const out = deepCopy(value);
  applyDefaults(out, schema);
  return out;
}

const defaultsCache = new WeakMap<object, boolean>();

/** Whether a schema tree declares a default anywhere (cached per tree). */
function declaresDefaults(schema: any): boolean {
  if (!schema || typeof schema !== 'object') return false;
  let found = defaultsCache.get(schema);
  if (found === undefined) {
    found = schema.default !== undefined;
    forEachSubSchema(schema, (child) => { found ||= declaresDefaults(child); });
    defaultsCache.set(schema, found);
  }
  return found;
}

function nonNullableNull(value: unknown, schema: any): boolean {
  return value === null && !!schema && schema.nullable !== true;
}

function applyDefaults(value: any, schema: any): void {
  if (!schema || typeof schema !== 'object' || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (nonNullableNull(value[i], schema.items) && schema.items.default !== undefined) value[i] = deepCopy(schema.items.default);
      applyDefaults(value[i], schema.items);
    }
    return;
  }
  const properties = schema.properties ?? {};
  for (const [name, property] of Object.entries<any>(properties)) {
    if (property?.default === undefined) continue;
    if (!(name in value) || nonNullableNull(value[name], property)) value[name] = deepCopy(property.default);
  }
  const additional = schema.additionalProperties && typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const name of Object.keys(value)) {
    if (Object.prototype.hasOwnProperty.call(properties, name)) applyDefaults(value[name], properties[name]);
    else if (additional) {
      if (nonNullableNull(value[name], additional) && additional.default !== undefined) value[name] = deepCopy(additional.default);
      applyDefaults(value[name], additional);
    }
  }
}
