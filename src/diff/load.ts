/**
 * Reading a folder of synthesized manifests for `platform-blueprints diff`: every `.yaml`/`.yml` file under it, each
 * document read as Kubernetes reads it (YAML 1.1 scalars: src/kubernetes-yaml.ts), `List` objects opened. Bad input
 * (no such folder, YAML that does not parse, a document that is not an object, one object declared twice) is a
 * DiffInputError naming the file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { objectId } from '../../constructs/core/immutable-fields';
import { describeRef } from '../../constructs/core/uniqueness';
import { KUBERNETES_YAML, nonFinite } from '../kubernetes-yaml';

/** Input the diff cannot read: the message names the folder or file, and what to fix. */
export class DiffInputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'DiffInputError';
  }
}

/** One object of a folder, and where it was read. */
export interface LoadedObject {
  readonly manifest: any;
  /** `file (document n)`, the file relative to the folder. */
  readonly source: string;
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(full);
      return e.isFile() && /\.ya?ml$/i.test(e.name) ? [full] : [];
    });
}

/** The objects of one manifest text (`file` is how messages name it). */
export function parseObjects(text: string, file: string): LoadedObject[] {
  const out: LoadedObject[] = [];
  parseAllDocuments(text, KUBERNETES_YAML).forEach((doc, i) => {
    const line = doc.range ? lineOf(text, doc.range[0]) : 1;
    if (doc.errors.length) {
      const e = doc.errors[0];
      const at = e.linePos?.[0] ? `${e.linePos[0].line}:${e.linePos[0].col}` : `${line}`;
      throw new DiffInputError(`${file}:${at}: the YAML does not parse (${e.message.split('\n')[0]}); fix the file or remove it from the folder`);
    }
    const value = doc.toJS();
    if (value === null || value === undefined) return;
    const bad = nonFinite(value, '');
    if (bad) throw new DiffInputError(`${file}:${line}: ${bad.slice(1)} is not a finite number, which Kubernetes cannot hold`);
    const items = typeof value?.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value];
    for (const o of items) {
      if (!o || typeof o !== 'object' || Array.isArray(o) || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
        throw new DiffInputError(`${file}:${line}: document ${i} is not a Kubernetes object (apiVersion, kind and metadata.name are required); ` +
          'the folder must hold synthesized manifests only');
      }
      out.push({ manifest: o, source: `${file} (document ${i})` });
    }
  });
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Every object of a folder's manifests, by identity (group, kind, namespace, name). */
export function loadFolder(dir: string, label: string, shownAs = dir): Map<string, LoadedObject> {
  if (!fs.existsSync(dir)) throw new DiffInputError(`${label} folder ${shownAs} does not exist; pass a folder of synthesized manifests (e.g. dist)`);
  if (!fs.statSync(dir).isDirectory()) throw new DiffInputError(`${label} ${shownAs} is a file, not a folder; pass the folder that holds it`);
  const objects = new Map<string, LoadedObject>();
  for (const file of yamlFiles(dir)) {
    const shown = path.join(shownAs, path.relative(dir, file));
    for (const o of parseObjects(fs.readFileSync(file, 'utf8'), shown)) {
      const id = objectId(o.manifest);
      const first = objects.get(id);
      if (first) {
        throw new DiffInputError(`${o.source} declares ${describeObject(o.manifest)}, which ${first.source} declares too; ` +
          'an object is applied once: remove one of them');
      }
      objects.set(id, o);
    }
  }
  return objects;
}

/** `group Kind namespace/name` (the core group unnamed). */
export function describeObject(m: any): string {
  return describeRef({ apiVersion: m.apiVersion, kind: m.kind, namespace: m.metadata?.namespace, name: m.metadata?.name });
}
