/**
 * The diff as people read it: plain text for a terminal, Markdown for a pull-request comment. A Secret's values are
 * never printed, only that they changed.
 */
import { formatPath } from '../../constructs/core/immutable-fields';
import { ChangeAction, DiffResult, FieldChange, ObjectChange, destructive } from './compare';

/** How many field changes are listed per object. */
const MAX_FIELDS = 12;
const MAX_VALUE = 80;

function value(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function describeField(f: FieldChange): string {
  const path = formatPath(f.path) || '(object)';
  if (f.hidden) return `${path}: ${!f.hasBefore ? 'added' : !f.hasAfter ? 'removed' : 'changed'} (Secret value not shown)`;
  if (!f.hasBefore) return `${path}: added ${value(f.after)}`;
  if (!f.hasAfter) return `${path}: removed (was ${value(f.before)})`;
  return `${path}: ${value(f.before)} → ${value(f.after)}`;
}

function fieldLines(c: ObjectChange): string[] {
  const shown = c.fields.slice(0, MAX_FIELDS).map(describeField);
  return c.fields.length > MAX_FIELDS ? [...shown, `… and ${c.fields.length - MAX_FIELDS} more fields`] : shown;
}

const VERB: { [a in ChangeAction]: string } = {
  [ChangeAction.ADD]: 'added',
  [ChangeAction.DELETE]: 'deleted',
  [ChangeAction.REPLACE]: 'replaced',
  [ChangeAction.UPDATE]: 'changed in place',
};

/** `2 replaced (1 losing data), 1 changed in place, 3 unchanged`. */
export function summary(result: DiffResult): string {
  const losing = destructive(result);
  const parts = Object.values(ChangeAction).flatMap((a) => {
    const n = result.changes.filter((c) => c.action === a).length;
    const lost = losing.filter((c) => c.action === a).length;
    return n ? [`${n} ${VERB[a]}${lost ? ` (${lost} losing data)` : ''}`] : [];
  });
  return `${parts.length ? parts.join(', ') : 'no changes'}, ${result.unchanged} unchanged`;
}

const MARK: { [a in ChangeAction]: string } = { [ChangeAction.ADD]: '+', [ChangeAction.DELETE]: '-', [ChangeAction.REPLACE]: '±', [ChangeAction.UPDATE]: '~' };

/** The diff as plain text. */
export function renderText(result: DiffResult, labels: { before: string; after: string }, allowDestructive: boolean): string {
  const lines = [`platform-blueprints diff ${labels.before} → ${labels.after}: ${summary(result)}`];
  for (const c of result.changes) {
    lines.push('', `${MARK[c.action]} ${c.action.padEnd(7)} ${c.object}${c.losesData && c.action !== ChangeAction.UPDATE ? '  [LOSES DATA]' : ''}`);
    if (c.losesData && c.action !== ChangeAction.UPDATE) lines.push(`    data: ${c.losesData}`);
    for (const r of c.reasons) lines.push(`    why: ${r}`);
    for (const f of fieldLines(c)) lines.push(`    ${f}`);
  }
  lines.push('', verdict(result, allowDestructive));
  return `${lines.join('\n')}\n`;
}

function verdict(result: DiffResult, allowDestructive: boolean): string {
  const losing = destructive(result);
  if (!losing.length) return 'No stateful object is deleted or replaced.';
  const what = `${losing.length} stateful object${losing.length > 1 ? 's' : ''} would be deleted or replaced, losing data: ${losing.map((c) => c.renamedFrom ?? c.object).join(', ')}`;
  return allowDestructive ? `${what} (allowed by --allow-destructive).` : `${what}. Pass --allow-destructive to accept it.`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The diff as Markdown, for a pull-request comment. */
export function renderMarkdown(result: DiffResult, labels: { before: string; after: string }, allowDestructive: boolean): string {
  const lines = [`### platform-blueprints diff: \`${labels.before}\` → \`${labels.after}\``, '', `**${summary(result)}**`, ''];
  const losing = destructive(result);
  lines.push(losing.length ? `> [!WARNING]\n> ${verdict(result, allowDestructive)}` : `${verdict(result, allowDestructive)}`, '');
  if (result.changes.length) {
    lines.push('| Change | Object | Why | Data |', '| --- | --- | --- | --- |');
    for (const c of result.changes) {
      const data = c.losesData && c.action !== ChangeAction.UPDATE ? `**loses data**: ${c.losesData}` : '';
      lines.push(`| ${c.action} | \`${cell(c.object)}\` | ${cell(c.reasons.join('; '))} | ${cell(data)} |`);
    }
    const detailed = result.changes.filter((c) => c.fields.length && c.action !== ChangeAction.ADD);
    if (detailed.length) {
      lines.push('', '<details><summary>Field changes</summary>', '');
      for (const c of detailed) {
        lines.push(`**${c.action}** \`${c.object}\``, '', '```', ...fieldLines(c), '```', '');
      }
      lines.push('</details>');
    }
  }
  return `${lines.join('\n')}\n`;
}
