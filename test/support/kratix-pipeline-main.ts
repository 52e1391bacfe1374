/**
 * The Kratix pipeline entry with the test fixture specs, run as a child process by test/kratix/pipeline*.test.ts
 * (`tsx test/support/kratix-pipeline-main.ts`), exactly as src/cli.ts runs it with the package's specs.
 */
import { runPipeline } from '../../src/kratix/pipeline';
import { fixtureSpec, fixtureSpecWithPrerequisites } from './kratix-fixture-spec';

process.exitCode = runPipeline({ specs: [fixtureSpec, fixtureSpecWithPrerequisites] });
