/**
 * Kubernetes resource quantities: checking the ones our props receive (cdk8s-plus `Cpu`, cdk8s `Size`) and turning
 * them into numbers where a construct derives a setting from them (e.g. Redis `maxmemory` from the memory limit).
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalid } from './errors';

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))((?:[KMGTPE]i)|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$/;
const SUFFIX: { [suffix: string]: number } = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** Parses a quantity string ("128Mi", "500m", "1e3"); undefined when it is not a valid quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number, suffix = ''] = match;
  if (/^[eE]/.test(suffix)) return Number(number) * 10 ** Number(suffix.slice(1));
  return Number(number) * SUFFIX[suffix];
}

/** Checks a positive quantity and returns its value (cores for CPU, bytes for sizes). */
export function requirePositiveQuantity(scope: IConstruct, field: string, text: string): number {
  const value = parseQuantity(text);
  if (value === undefined || !Number.isFinite(value)) {
    return invalid(scope, field, text, 'is not a Kubernetes quantity', 'use e.g. Cpu.millis(250) or Size.mebibytes(256)');
  }
  if (value <= 0) return invalid(scope, field, text, 'must be greater than zero');
  return value;
}

export function sizeToString(size: Size): string {
  return size.asString();
}

type KubeResources = { requests?: { [key: string]: string }; limits?: { [key: string]: string } };

/** Resources already checked, by object (a profile's defaults are one object shared by every function). */
const CHECKED_RESOURCES = new WeakMap<kplus.ContainerResources, KubeResources>();

/** The k8s `resources` block for cdk8s-plus ContainerResources, after checking every value and request <= limit. */
export function resourcesToKube(scope: IConstruct, field: string, resources: kplus.ContainerResources): KubeResources {
  const checked = CHECKED_RESOURCES.get(resources);
  if (checked) return checked;
  const result = checkResources(scope, field, resources);
  CHECKED_RESOURCES.set(resources, result);
  return result;
}

function checkResources(scope: IConstruct, field: string, resources: kplus.ContainerResources): KubeResources {
  const requests: { [key: string]: string } = {};
  const limits: { [key: string]: string } = {};
  const pairs: Array<[string, { request?: string; limit?: string }]> = [
    ['cpu', { request: resources.cpu?.request?.amount, limit: resources.cpu?.limit?.amount }],
    ['memory', { request: resources.memory?.request?.asString(), limit: resources.memory?.limit?.asString() }],
    ['ephemeral-storage', { request: resources.ephemeralStorage?.request?.asString(), limit: resources.ephemeralStorage?.limit?.asString() }],
  ];
  for (const [resource, { request, limit }] of pairs) {
    const key = resource === 'ephemeral-storage' ? 'ephemeralStorage' : resource;
    const r = request !== undefined ? requirePositiveQuantity(scope, `${field}.${key}.request`, request) : undefined;
    const l = limit !== undefined ? requirePositiveQuantity(scope, `${field}.${key}.limit`, limit) : undefined;
    if (r !== undefined && l !== undefined && r > l) {
      invalid(scope, `${field}.${key}.request`, request, `must be <= ${field}.${key}.limit (${limit})`, 'raise the limit or lower the request');
    }
    if (request !== undefined) requests[resource] = request;
    if (limit !== undefined) limits[resource] = limit;
  }
  return {
    requests: Object.keys(requests).length ? requests : undefined,
    limits: Object.keys(limits).length ? limits : undefined,
  };
}

/** Quantities by resource name as the typed values of an L1 class (`Quantity.fromString` and its generated kin). */
export function toQuantities<T>(values: { [key: string]: string } | undefined, make: (value: string) => T): { [key: string]: T } | undefined {
  if (!values) return undefined;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, make(v)]));
}
