/**
 * Kubernetes name, label and annotation rules (apimachinery validation), which the OpenAPI schemas do not encode.
 */

import { createHash } from 'crypto';
import { ANNOTATIONS_MAX_BYTES, utf8Bytes } from './go-rules';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * A DNS-1123 subdomain of at most `maxLength` characters made from any text (an event type, a queue name, ...):
 * the text itself when it already is one; otherwise a readable cleaned form plus a hash of the text, so that two
 * different texts never map to the same name and the same text always maps to the same name.
 */
export function toObjectName(text: string, maxLength = 253): string {
  if (text.length <= maxLength && DNS1123_SUBDOMAIN.test(text)) return text;
  const clean = text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').split('.')
    .map((part) => part.replace(/^-+|-+$/g, '')).filter((part) => part !== '').join('.');
  const base = clean.slice(0, maxLength - 9).replace(/[^a-z0-9]+$/, '');
  return base ? `${base}-${shortHash(text)}` : shortHash(text);
}

/** A label value made from any text, by the same rule as `toObjectName` (at most 63 characters). */
export function toLabelValue(text: string): string {
  if (text.length <= 63 && LABEL_VALUE.test(text)) return text;
  const base = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 54).replace(/[^A-Za-z0-9]+$/, '');
  return base ? `${base}-${shortHash(text)}` : shortHash(text);
}

export type NameRule = 'dns1123-label' | 'dns1123-subdomain' | 'dns1035-label' | 'path-segment';

export function checkName(rule: NameRule, name: string): string | undefined {
  switch (rule) {
    case 'dns1123-label':
      return name.length <= 63 && DNS1123_LABEL.test(name) ? undefined :
        'must be a DNS-1123 label: at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit';
    case 'dns1035-label':
      return name.length <= 63 && DNS1035_LABEL.test(name) ? undefined :
        'must be a DNS-1035 label: at most 63 lowercase letters, digits or "-", starting with a letter and ending with a letter or digit';
    case 'dns1123-subdomain':
      return name.length <= 253 && DNS1123_SUBDOMAIN.test(name) ? undefined :
        'must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit';
    case 'path-segment':
      return name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name) ? undefined :
        'must be a valid path segment (not ".", "..", and without "/" or "%")';
  }
}

/** The rule the API server applies to `metadata.name` of a kind. */
export function nameRuleFor(apiVersion: string, kind: string): NameRule {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (group === '' && kind === 'Namespace') return 'dns1123-label';
  if (group === '' && kind === 'Service') return 'dns1035-label';
  // Knative validates Service/Configuration/Route names as DNS-1035 labels (revision names derive from them).
  if (group === 'serving.knative.dev' && ['Service', 'Configuration', 'Route'].includes(kind)) return 'dns1035-label';
  if (group === 'rbac.authorization.k8s.io') return 'path-segment';
  return 'dns1123-subdomain';
}

export function checkQualifiedName(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/"';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    const p = checkName('dns1123-subdomain', prefix);
    if (p) return `prefix "${prefix}" ${p}`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `name part "${name}" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

/** Checks metadata name/namespace/labels/annotations; returns messages with their field paths. */
export function checkMetadata(apiVersion: string, kind: string, metadata: any): string[] {
  const issues: string[] = [];
  if (!metadata || typeof metadata !== 'object') return ['/metadata is required'];
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    issues.push('/metadata/name is required');
  } else {
    const problem = checkName(nameRuleFor(apiVersion, kind), metadata.name);
    if (problem) issues.push(`/metadata/name "${metadata.name}" ${problem}`);
  }
  if (metadata.namespace !== undefined) {
    const problem = checkName('dns1123-label', String(metadata.namespace));
    if (problem) issues.push(`/metadata/namespace "${metadata.namespace}" ${problem}`);
  }
  for (const [key, value] of Object.entries<any>(metadata.labels ?? {})) {
    const k = checkQualifiedName(key);
    if (k) issues.push(`/metadata/labels key "${key}" ${k}`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      issues.push(`/metadata/labels/${key} value "${value}" must be at most 63 characters of [A-Za-z0-9-_.], empty or starting and ending alphanumeric`);
    }
  }
  let size = 0;
  for (const [key, value] of Object.entries<any>(metadata.annotations ?? {})) {
    const k = checkQualifiedName(key);
    if (k) issues.push(`/metadata/annotations key "${key}" ${k}`);
    // The API server counts bytes (Go's len), not characters.
    size += utf8Bytes(key) + utf8Bytes(String(value));
  }
  if (size > ANNOTATIONS_MAX_BYTES) issues.push(`/metadata/annotations total ${size} bytes exceeds 256KiB`);
  return issues;
}

/** RBAC resource names (plurals) of common kinds. */
const PLURALS: { [kind: string]: string } = {
  ConfigMap: 'configmaps', Secret: 'secrets', Pod: 'pods', Service: 'services', Event: 'events', Namespace: 'namespaces',
  ServiceAccount: 'serviceaccounts', PersistentVolumeClaim: 'persistentvolumeclaims', Deployment: 'deployments',
  StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', ReplicaSet: 'replicasets', Job: 'jobs', CronJob: 'cronjobs',
  Ingress: 'ingresses', NetworkPolicy: 'networkpolicies', PodDisruptionBudget: 'poddisruptionbudgets',
  RabbitmqCluster: 'rabbitmqclusters',
};

/** The RBAC resource name of a kind when it is a well-known one, else undefined. */
export function pluralOf(kind: string): string | undefined {
  return PLURALS[kind];
}

/** CEL's reserved words, which Kubernetes escapes as `__word__` in a property name. */
const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let',
  'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/**
 * A property name as CEL expressions of a CRD see it (Kubernetes `cel.Escape`: `namespace` → `__namespace__`,
 * `-` → `__dash__`, ...), or undefined when it cannot be accessed (starts with a digit or holds another character
 * than letters, digits, `_`, `.`, `-`, `/`).
 */
export function escapeProperty(name: string): string | undefined {
  if (name.length === 0 || /^[0-9]/.test(name)) return undefined;
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z0-9_./-]+$/.test(name)) return undefined;
  return name.replace(/__|[-./]/g, (s) => ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[s]!);
}
