/**
 * `platform-blueprints diff OLD NEW [--format text|markdown] [--allow-destructive]`: what applying the manifests in
 * NEW over those in OLD does (see compare.ts). Exit status: 0 when no stateful object is deleted or replaced, 2 when
 * one is (unless --allow-destructive), 1 on bad input.
 */
import * as path from 'path';
import { destructive, diffObjects } from './compare';
import { DiffInputError, loadFolder } from './load';
import { renderMarkdown, renderText } from './render';

export const DIFF_USAGE = 'platform-blueprints diff <old folder> <new folder> [--format text|markdown] [--allow-destructive]';

/** Output formats. */
export enum DiffFormat {
  TEXT = 'text',
  MARKDOWN = 'markdown',
}

interface DiffArgs {
  readonly before: string;
  readonly after: string;
  readonly format: DiffFormat;
  readonly allowDestructive: boolean;
}

function parseArgs(args: string[]): DiffArgs {
  const folders: string[] = [];
  let format = DiffFormat.TEXT;
  let allowDestructive = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--allow-destructive') {
      allowDestructive = true;
    } else if (a === '--format' || a.startsWith('--format=')) {
      const v = a === '--format' ? args[++i] : a.slice('--format='.length);
      if (!Object.values(DiffFormat).includes(v as DiffFormat)) {
        throw new DiffInputError(`--format ${JSON.stringify(v ?? '')} is not a format; use ${Object.values(DiffFormat).join(' or ')}`);
      }
      format = v as DiffFormat;
    } else if (a.startsWith('-')) {
      throw new DiffInputError(`unknown option ${JSON.stringify(a)}`);
    } else {
      folders.push(a);
    }
  }
  if (folders.length !== 2) throw new DiffInputError(`two folders are needed (old, then new), got ${folders.length}${folders.length ? `: ${folders.join(' ')}` : ''}`);
  return { before: folders[0], after: folders[1], format, allowDestructive };
}

/** Runs the command; returns the exit status, writing the report to `out` and problems to `err`. */
export function runDiff(args: string[], out: (s: string) => void, err: (s: string) => void, cwd = process.cwd()): number {
  try {
    const parsed = parseArgs(args);
    const before = loadFolder(path.resolve(cwd, parsed.before), 'OLD', parsed.before);
    const after = loadFolder(path.resolve(cwd, parsed.after), 'NEW', parsed.after);
    const result = diffObjects(before, after);
    const labels = { before: parsed.before, after: parsed.after };
    out(parsed.format === DiffFormat.MARKDOWN ? renderMarkdown(result, labels, parsed.allowDestructive) : renderText(result, labels, parsed.allowDestructive));
    return destructive(result).length && !parsed.allowDestructive ? 2 : 0;
  } catch (e) {
    if (e instanceof DiffInputError) {
      err(`platform-blueprints diff: ${e.message}\nusage: ${DIFF_USAGE}\n`);
      return 1;
    }
    throw e;
  }
}
