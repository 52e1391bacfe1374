#!/usr/bin/env node
/**
 * The `platform-blueprints` command of the package. Subcommands:
 *   kratix-pipeline   run one Kratix workflow container (src/kratix/pipeline.ts) on KRATIX_DIR (default /kratix)
 *   docs <app file>   write the generated docs (README.md, events.md, events.svg, Promise example requests) of a
 *                     user's cdk8s app next to its manifests (PlatformDocs.write)
 *   diff OLD NEW      what applying the manifests of NEW over OLD does: added, deleted, changed in place, replaced
 *                     (src/diff); exit 2 when a stateful object would lose its data
 *   jwt-verifier      serve the gateway's token checks (src/auth/jwt-verifier.ts) with the settings of its JWT_*
 *                     environment (src/auth/settings.ts); the gateway's sidecar runs it
 */
import * as fs from 'fs';
import * as path from 'path';
import { PlatformDocs, ValidationError } from '../constructs';
import { DIFF_USAGE, runDiff } from './diff/command';
import { startVerifier } from './auth/jwt-verifier';
import { VerifierSettingsError, readSettings } from './auth/settings';
import { runPipeline } from './kratix/pipeline';
import { PIPELINE_SPECS } from './kratix/specs';

const USAGE = 'usage: platform-blueprints kratix-pipeline   (reads KRATIX_DIR, default /kratix, and the KRATIX_* environment)'
  + ` | ${DIFF_USAGE}`
  + ' | platform-blueprints jwt-verifier   (reads JWT_ISSUER, JWT_AUDIENCE and the other JWT_* settings)'
  + ' | platform-blueprints docs <app.js|app.ts> [--out <dir>] [--title <title>]';

/** What `docs` expects of the app module, said in its errors. */
const CONTRACT = 'the module must export `app` (or a default export): a cdk8s App, or a function that returns one';

class UsageError extends Error {}

export function main(args: string[]): number {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'docs') return docs(rest);
  if (command === 'diff') return runDiff(rest, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  if (command === 'jwt-verifier' && !rest.length) return jwtVerifier();
  if (command !== 'kratix-pipeline' || rest.length) {
    process.stderr.write(`platform-blueprints: unknown command ${JSON.stringify(args.join(' '))}; ${USAGE}\n`);
    return 2;
  }
  return runPipeline({ specs: PIPELINE_SPECS });
}

interface DocsArgs { file: string; out?: string; title?: string }

function parseDocsArgs(args: string[]): DocsArgs {
  const positional: string[] = [];
  const flags: { [flag: string]: string } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--out' || a === '--title') {
      const value = args[++i];
      if (value === undefined || value === '') throw new UsageError(`${a} needs a value`);
      flags[a] = value;
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${JSON.stringify(a)}`);
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 1) throw new UsageError(positional.length ? `one app file, got ${positional.length}: ${positional.join(' ')}` : 'the app file is missing');
  return { file: positional[0], out: flags['--out'], title: flags['--title'] };
}

/** A TypeScript entry needs a loader: tsx from the user's project (or ours), unless one is already registered. */
function registerTypeScript(file: string): void {
  if (require.extensions[path.extname(file)]) return;
  for (const from of [path.dirname(file), __dirname]) {
    let api: string;
    try {
      api = require.resolve('tsx/cjs/api', { paths: [from] });
    } catch {
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's loader, found at run time
    require(api).register();
    return;
  }
  throw new UsageError(`${file} is TypeScript and no loader is installed: add tsx to your project (npm i -D tsx) or pass the compiled .js`);
}

function isApp(x: any): boolean {
  return x !== null && typeof x === 'object' && typeof x.synth === 'function' && typeof x.outdir === 'string'
    && Array.isArray(x.charts) && x.node?.scope === undefined;
}

function loadApp(file: string): any {
  if (/\.[cm]?tsx?$/.test(file)) registerTypeScript(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's app module, named on the command line
  const mod = require(file);
  for (const name of ['app', 'default']) {
    let value = mod?.[name];
    if (typeof value === 'function') value = value();
    if (isApp(value)) return value;
    if (value !== undefined) throw new UsageError(`${file}: export \`${name}\` is not a cdk8s App (${value && typeof value.then === 'function' ? 'a Promise: return the App itself' : typeof value}); ${CONTRACT}`);
  }
  if (isApp(mod)) return mod;
  throw new UsageError(`${file} exports no App; ${CONTRACT}`);
}

function docs(args: string[]): number {
  try {
    const parsed = parseDocsArgs(args);
    const file = path.resolve(parsed.file);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${parsed.file}`);
    const app = loadApp(file);
    const outdir = path.resolve(parsed.out ?? app.outdir);
    const written = PlatformDocs.write(app, {
      outdir, title: parsed.title, source: path.relative(process.cwd(), file) || file, command: 'platform-blueprints docs',
    });
    process.stdout.write(`wrote ${written.join(', ')} to ${outdir}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`platform-blueprints docs: ${e.message}; ${USAGE}\n`);
      return 2;
    }
    if (ValidationError.isValidationError(e)) {
      process.stderr.write(`platform-blueprints docs: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`platform-blueprints docs: ${args[0]} failed: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

/** Starts the verifier; the process then lives until SIGTERM (the pod stopping), when it stops accepting and exits. */
function jwtVerifier(): number {
  let settings;
  try {
    settings = readSettings(process.env);
  } catch (e) {
    if (!(e instanceof VerifierSettingsError)) throw e;
    process.stderr.write(`platform-blueprints jwt-verifier: ${e.message}\n`);
    return 2;
  }
  const verifier = startVerifier(settings);
  verifier.listening.then((port) => process.stderr.write(`platform-blueprints jwt-verifier: listening on ${settings.host}:${port}, issuer ${settings.issuer}\n`), (e) => {
    process.stderr.write(`platform-blueprints jwt-verifier: cannot listen on ${settings.host}:${settings.port}: ${e.message}\n`);
    process.exit(1);
  });
  process.once('SIGTERM', () => void verifier.close());
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
