/**
 * Installing upstream releases from their manifests with Pulumi: read each manifest once (over HTTPS, or from a
 * local folder for air-gapped clusters), let a pure function prepare the objects (settings applied to the objects
 * themselves, duplicates removed so every object has one owner), and create each stage as one `yaml/v2`
 * ConfigGroup that waits for its own objects, after the stages it depends on.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';

/** Reads a manifest: from `dir/<file name of the URL>` when a folder is given, else over HTTPS. */
export type ManifestReader = (url: string) => Promise<string>;

export function manifestReader(dir?: string): ManifestReader {
  return async (url: string) => {
    if (dir) return fs.readFileSync(path.join(dir, url.split('/').pop() as string), 'utf8');
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    return response.text();
  };
}

export function parseManifests(text: string, source: string): any[] {
  const objects = parseAllDocuments(text).map((d, i) => {
    if (d.errors.length) throw new Error(`${source}: document ${i}: ${d.errors[0].message}`);
    return d.toJS();
  }).filter((o) => o && typeof o === 'object' && o.kind);
  if (objects.length === 0) throw new Error(`${source}: no Kubernetes objects`);
  return objects;
}

/** Reads and parses manifests by name. */
export async function readManifests(urls: { [name: string]: string }, read: ManifestReader): Promise<{ [name: string]: any[] }> {
  const names = Object.keys(urls);
  const texts = await Promise.all(names.map((n) => read(urls[n])));
  return Object.fromEntries(names.map((n, i) => [n, parseManifests(texts[i], urls[n])]));
}

/** Objects of `objects` that are not CustomResourceDefinitions already in `crds` (release files repeat them). */
export function withoutCrdsOf(objects: any[], crds: any[]): any[] {
  const names = new Set(crds.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name));
  return objects.filter((o) => !(o.kind === 'CustomResourceDefinition' && names.has(o.metadata.name)));
}

/** A ConfigMap of a release with extra data keys (other objects unchanged). */
export function withConfigData(o: any, namespace: string, name: string, data: { [key: string]: string }): any {
  if (o.kind !== 'ConfigMap' || o.metadata?.name !== name || o.metadata?.namespace !== namespace) return o;
  return { ...o, data: { ...o.data, ...data } };
}

export interface InstallStage {
  readonly name: string;
  /** The objects of this stage, once the manifests are read and prepared. */
  readonly objects: Promise<any[]>;
  /** Stages created first. @default - none */
  readonly after?: string[];
}

/** A set of stages installed in dependency order (see the module comment). */
export class StagedInstall extends pulumi.ComponentResource {
  /** The ConfigGroup of each stage. */
  public readonly stages: { [name: string]: k8s.yaml.v2.ConfigGroup } = {};

  public constructor(type: string, name: string, stages: InstallStage[], opts: pulumi.ComponentResourceOptions = {}) {
    super(type, name, {}, opts);
    for (const stage of stages) {
      const dependsOn = (stage.after ?? []).map((s) => {
        const dep = this.stages[s];
        if (!dep) throw new Error(`install ${name}: stage ${stage.name} comes after ${s}, which is not an earlier stage`);
        return dep;
      });
      this.stages[stage.name] = new k8s.yaml.v2.ConfigGroup(`${name}-${stage.name}`, { objs: pulumi.output(stage.objects) }, { parent: this, dependsOn });
    }
    this.registerOutputs({});
  }

  /** The ConfigGroups of the named stages (what a dependent object waits for). */
  public stagesNamed(...names: string[]): pulumi.Resource[] {
    return names.map((n) => {
      const stage = this.stages[n];
      if (!stage) throw new Error(`no stage ${n}`);
      return stage;
    });
  }
}
