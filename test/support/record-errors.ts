/**
 * Jest setup file for `npm run docs:bad-input`: records every ValidationError, Pulumi ConfigError and synth-time
 * validation message the test suite produces (one JSON line each) into the directory named by PB_RECORD_ERRORS.
 * Not loaded by `npm test`.
 */
import { appendFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Node } from 'constructs';
import { errorObservers } from '../../constructs/core/errors';
import type { RecordedError } from '../../scripts/lib/bad-input';

const dir = process.env.PB_RECORD_ERRORS;
const root = join(__dirname, '..', '..');
const out = dir ? join(dir, `${process.pid}.jsonl`) : undefined;

function record(entry: RecordedError): void {
  if (out) appendFileSync(out, JSON.stringify(entry) + '\n');
}

/** Library frames on a stack, innermost first, without the error module itself: their files and function names. */
function libraryFrames(stack: string): { files: string[]; functions: string[] } {
  const files: string[] = [];
  const functions: string[] = [];
  for (const m of stack.matchAll(/^\s*at (?:(.+?) \()?(\/[^():\s]+\.ts):\d+:\d+\)?$/gm)) {
    const rel = relative(root, m[2]).split(sep).join('/');
    if ((rel.startsWith('constructs/') || rel.startsWith('src/')) && rel !== 'constructs/core/errors.ts') {
      files.push(rel);
      functions.push(m[1] ?? '');
    }
  }
  return { files, functions };
}

if (out) {
  errorObservers.push((error) => {
    record({ kind: error.name === 'ConfigError' ? 'config' : 'input', message: error.message, ...libraryFrames(error.stack ?? '') });
  });
  const validate = Node.prototype.validate;
  Node.prototype.validate = function (this: Node): string[] {
    const messages = validate.call(this);
    for (const message of messages) record({ kind: 'synth', message, files: [], functions: [] });
    return messages;
  };
}
