/**
 * Reading manifest files as Kubernetes reads them: the release installs (src/pulumi/release-install.ts) and
 * `platform-blueprints diff` (src/diff) parse YAML through here. No Pulumi import: the CLI loads it without Pulumi.
 */
import { ParseOptions, DocumentOptions, SchemaOptions, ScalarTag, Tags, parseAllDocuments } from 'yaml';

/**
 * Integers with the base prefixes Go's strconv.ParseInt (base 0) accepts beyond YAML 1.1's own (`0o17`, `0X1F`,
 * `0B101`): go-yaml v2 resolves a plain scalar starting with a digit or a sign through it, underscores removed.
 */
const GO_PREFIXED_INT: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  format: 'GO',
  default: true,
  test: /^[-+]?0(?:[oO][0-7_]+|X[0-9a-fA-F_]+|B[01_]+)$/,
  resolve: (text: string) => {
    const sign = text.startsWith('-') ? -1 : 1;
    const digits = text.replace(/^[-+]?0./, '').replace(/_/g, '');
    const base = /^[-+]?0[oO]/.test(text) ? 8 : /^[-+]?0X/.test(text) ? 16 : 2;
    return sign * parseInt(digits, base);
  },
};

/**
 * The schema Kubernetes reads manifests with: sigs.k8s.io/yaml converts YAML to JSON through go-yaml v2, which
 * resolves plain scalars by YAML 1.1's rules — `yes`/`no`/`on`/`off`/`y`/`n` (any of their three spellings) are
 * booleans, `0644` is the octal 420, `0x1F`, `0b101` and `1_000` are integers — with two departures from the 1.1
 * types the yaml library knows: timestamps stay strings (go-yaml v2 decodes them into interface{} as the text, for
 * backward compatibility), and base-60 numbers (`1:30`) are plain strings (it never supported them); and one
 * addition, Go's own base prefixes (GO_PREFIXED_INT).
 */
export function kubernetesYamlTags(tags: Tags): Tags {
  const dropped = (t: Tags[number]) => (typeof t === 'string'
    ? ['timestamp', 'intTime', 'floatTime'].includes(t)
    : t.tag === 'tag:yaml.org,2002:timestamp' || (t as ScalarTag).format === 'TIME');
  return [...tags.filter((t) => !dropped(t)), GO_PREFIXED_INT];
}

/** The path of the first number JSON cannot hold (`.inf`, `.nan`), if any: sigs.k8s.io/yaml refuses those. */
export function nonFinite(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nonFinite(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The Kubernetes objects of a manifest file, read as Kubernetes reads it (YAML 1.1 scalars, as go-yaml v2 resolves
 * them: kubernetesYamlTags), so the objects deployed are those `kubectl apply -f` would send.
 */
export function parseManifests(text: string, source: string): any[] {
  const objects = parseAllDocuments(text, KUBERNETES_YAML).map((d, i) => {
    if (d.errors.length) throw new Error(`${source}: document ${i}: ${d.errors[0].message}`);
    const o = d.toJS();
    const bad = nonFinite(o, '');
    if (bad) throw new Error(`${source}: document ${i}: ${bad.slice(1)} is not a finite number, which JSON (and so Kubernetes) cannot hold`);
    return o;
  }).filter((o) => o && typeof o === 'object' && o.kind);
  if (objects.length === 0) throw new Error(`${source}: no Kubernetes objects`);
  return objects;
}

/** The options that make the yaml library read a manifest as Kubernetes does (see kubernetesYamlTags). */
export const KUBERNETES_YAML: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.1', customTags: kubernetesYamlTags };
