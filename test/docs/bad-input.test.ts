import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchSite, renderCatalogue, scanCatalogue, siteKey } from '../../scripts/lib/bad-input';

const root = join(__dirname, '..', '..');
const catalogue = scanCatalogue(root);
const examples: Record<string, string> = JSON.parse(readFileSync(join(root, 'docs', 'bad-input.json'), 'utf8'));
const REGENERATE = 'run `npm run docs:bad-input` and commit docs/';

describe('bad-input catalogue (docs/bad-input.md)', () => {
  test('finds the rules of every kind in the sources', () => {
    const kinds = new Set(catalogue.sites.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['config', 'input', 'synth']);
    expect(catalogue.sites.length).toBeGreaterThan(200);
    expect(catalogue.sites).toContainEqual(expect.objectContaining({ owner: 'requireImage()', rule: 'has neither a tag nor a digest', helper: 'requireImage' }));
    expect(catalogue.uses).toContainEqual({ file: 'constructs/knative/function.ts', owner: 'KnativeFunction', field: 'image', helper: 'requireImage' });
    expect(catalogue.sites).toContainEqual(expect.objectContaining({ kind: 'synth', owner: 'Claim' }));
    // The app-level checks of the model throw at synth like construct input: a ValidationError naming the construct.
    expect(catalogue.sites).toContainEqual(expect.objectContaining({ kind: 'input', owner: 'EventCatalog._checkAtSynth', field: 'filters' }));
  });

  test('every rule has an example message the test suite produced, and it matches the rule', () => {
    const missing = catalogue.sites.filter((s) => examples[siteKey(s)] === undefined).map(siteKey);
    expect({ missing, hint: REGENERATE }).toEqual({ missing: [], hint: REGENERATE });
    for (const site of catalogue.sites) {
      const example = examples[siteKey(site)];
      expect({ site: siteKey(site), matches: new RegExp(site.pattern).test(example) }).toEqual({ site: siteKey(site), matches: true });
    }
  });

  test('no example belongs to a rule that is gone', () => {
    const keys = new Set(catalogue.sites.map(siteKey));
    expect(Object.keys(examples).filter((k) => !keys.has(k))).toEqual([]);
  });

  test('the document is what the sources and examples render', () => {
    const doc = readFileSync(join(root, 'docs', 'bad-input.md'), 'utf8');
    expect(doc === renderCatalogue(catalogue, examples) ? 'current' : `stale: ${REGENERATE}`).toBe('current');
  });

  test('a message is attributed to the most specific rule of the file that raised it', () => {
    const site = matchSite(catalogue.sites, {
      kind: 'input', files: ['constructs/core/validate.ts'], functions: ['requireImage'],
      message: 'c/f: image ("nginx") has neither a tag nor a digest; pin it, e.g. ":1.2.3" or "@sha256:..."',
    });
    expect(site).toMatchObject({ helper: 'requireImage', rule: 'has neither a tag nor a digest' });
    // The same rule text in two functions: the function on the stack decides.
    const message = 'c/f: annotations key ("bad key!") name part must be at most 63 characters; use a key such as "team" or "example.com/team" ' +
      '(an optional DNS-subdomain prefix and "/", then a name of letters, digits, "-", "_", ".")';
    for (const fn of ['requireLabels', 'requireAnnotationKeys']) {
      expect(matchSite(catalogue.sites, { kind: 'input', files: ['constructs/core/validate.ts'], functions: [fn], message })?.owner).toBe(`${fn}()`);
    }
    expect(matchSite(catalogue.sites, { kind: 'input', files: ['constructs/redis/redis.ts'], functions: ['new Redis'], message: 'c/f: image ("nginx") has neither a tag nor a digest; pin it' })).toBeUndefined();
  });
});
