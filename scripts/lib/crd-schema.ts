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
