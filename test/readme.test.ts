/**
 * The README shows YAML the reference platform produces; these blocks must stay exactly what the code emits.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import * as pb from '../constructs';
import { parse, stringify } from 'yaml';
import { Profile } from '../constructs';
import { buildReferencePlatform } from '../src/reference-platform';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

function reference(profile: Profile): any[] {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'pb-readme-')) });
  buildReferencePlatform(app, { profile });
  return app.charts.flatMap((c) => c.toJson());
}

function helloEnv(objects: any[]): string {
  const hello = objects.find((o) => o.apiVersion === 'serving.knative.dev/v1' && o.kind === 'Service' && o.metadata.name === 'hello');
  return stringify({ env: hello.spec.template.spec.containers[0].env.filter((e: any) => e.name.startsWith('REDIS_')) });
}

describe('README', () => {
  test('shows what the hello function receives in dev: the in-cluster Redis', () => {
    const objects = reference(Profile.DEV);
    expect(README).toContain(`\`\`\`yaml\n${helloEnv(objects)}\`\`\``);
    expect(objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name === 'redis')).toBe(true);
  });

  test('shows the prod claim and what the hello function receives from its connection Secret', () => {
    const objects = reference(Profile.PROD);
    const claim = objects.find((o) => o.kind === 'KeyValueStore');
    expect(README).toContain(`\`\`\`yaml\n${stringify(claim)}\`\`\``);
    expect(README).toContain(`\`\`\`yaml\n${helloEnv(objects)}\`\`\``);
    expect(objects.some((o) => o.kind === 'StatefulSet' && o.metadata.namespace === 'functions')).toBe(false);
  });

  test('the Kratix Promises example runs as written against the package\'s API', () => {
    const section = README.slice(README.indexOf('## Kratix Promises'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const js = ts.transpileModule(block, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const modules: { [name: string]: unknown } = { 'cdk8s': cdk8s, 'platform-blueprints': pb };
    const load = (name: string) => {
      if (!(name in modules)) throw new Error(`the README example imports ${name}`);
      return modules[name];
    };
    expect(() => new Function('require', 'exports', js)(load, {})).not.toThrow();
  });

  test('the FunctionsPlatform request shown is the example request the Promise\'s own API accepts', () => {
    const section = README.slice(README.indexOf('### Bundles as self-service APIs'));
    const shown = parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]);
    const promise = pb.KratixPromise.fromBundle(new cdk8s.Chart(new App(), 'promises'), 'FunctionsPlatform', new pb.FunctionsPlatformSpec());
    expect(shown).toEqual(promise.exampleRequest(shown.metadata.name, shown.metadata.namespace));
  });
});
