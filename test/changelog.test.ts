/**
 * The changelog and the package version keep the promise the README makes (Versions → "Releases and semver"):
 * every release has a section, newest first, the top one is package.json's version, and every breaking change is
 * listed with its migration, in a release whose number allows it (0.x: a minor bump; from 1.0: a major bump).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface Release { version: [number, number, number]; text: string; heading: string; sections: Map<string, string[]> }

const KINDS = ['Breaking', 'Added', 'Changed', 'Fixed', 'Removed', 'Security'];

function parse(text: string): Release[] {
  const parts = text.split(/^## /m).slice(1);
  return parts.map((part) => {
    const heading = part.split('\n')[0];
    const m = /^(\d+)\.(\d+)\.(\d+) — (\d{4}-\d{2}-\d{2}|unreleased)$/.exec(heading);
    if (!m) throw new Error(`CHANGELOG.md: release heading "## ${heading}" is not "## X.Y.Z — YYYY-MM-DD" (or "— unreleased")`);
    const sections = new Map<string, string[]>();
    for (const sec of part.split(/^### /m).slice(1)) {
      const [title, ...body] = sec.split('\n');
      const items = body.join('\n').split(/^- /m).slice(1).map((i) => i.trim());
      sections.set(title.trim(), items);
    }
    return { version: [Number(m[1]), Number(m[2]), Number(m[3])], text: part, heading, sections };
  });
}

const releases = parse(changelog);
const name = (v: number[]) => v.join('.');
const compare = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

describe('CHANGELOG.md', () => {
  test('its newest release is the package version, and releases are listed newest first, once each', () => {
    expect(releases.length).toBeGreaterThan(0);
    expect(name(releases[0].version)).toBe(pkg.version);
    for (let i = 1; i < releases.length; i++) {
      expect({ newer: name(releases[i - 1].version), older: name(releases[i].version), ordered: compare(releases[i - 1].version, releases[i].version) > 0 })
        .toEqual({ newer: name(releases[i - 1].version), older: name(releases[i].version), ordered: true });
    }
  });

  test('every release sorts its entries under the known kinds, and lists at least one', () => {
    for (const r of releases) {
      expect({ release: r.heading, kinds: [...r.sections.keys()].filter((k) => !KINDS.includes(k)) }).toEqual({ release: r.heading, kinds: [] });
      expect({ release: r.heading, entries: [...r.sections.values()].flat().length > 0 }).toEqual({ release: r.heading, entries: true });
    }
  });

  test('every breaking change says how to migrate, in a release whose number may break (0.x: minor; then major)', () => {
    for (let i = 0; i < releases.length; i++) {
      const breaking = releases[i].sections.get('Breaking') ?? [];
      for (const entry of breaking) expect({ release: releases[i].heading, entry, migration: /\*\*Migration:\*\*/.test(entry) }).toEqual({ release: releases[i].heading, entry, migration: true });
      const previous = releases[i + 1]?.version;
      if (breaking.length === 0 || !previous) continue;
      const [major, minor] = releases[i].version;
      const allowed = major === 0 ? minor > previous[1] || major > previous[0] : major > previous[0];
      expect({ release: releases[i].heading, after: name(previous), mayBreak: allowed }).toEqual({ release: releases[i].heading, after: name(previous), mayBreak: true });
    }
  });
});
