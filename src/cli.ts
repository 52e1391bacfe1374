#!/usr/bin/env node
/**
 * The `platform-blueprints` command of the package. Subcommands:
 *   kratix-pipeline   run one Kratix workflow container (src/kratix/pipeline.ts) on KRATIX_DIR (default /kratix)
 */
import { runPipeline } from './kratix/pipeline';
import { PIPELINE_SPECS } from './kratix/specs';

const USAGE = 'usage: platform-blueprints kratix-pipeline   (reads KRATIX_DIR, default /kratix, and the KRATIX_* environment)';

export function main(args: string[]): number {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'kratix-pipeline' || rest.length) {
    process.stderr.write(`platform-blueprints: unknown command ${JSON.stringify(args.join(' '))}; ${USAGE}\n`);
    return 2;
  }
  return runPipeline({ specs: PIPELINE_SPECS });
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
