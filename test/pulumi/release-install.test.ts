/**
 * Release files read as Kubernetes reads them: sigs.k8s.io/yaml turns YAML into JSON through go-yaml v2, whose plain
 * scalars follow YAML 1.1 (go.yaml.in/yaml/v2 resolve.go and decode.go), not the YAML 1.2 core schema.
 */
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { eventingManifestUrls } from '../../src/pulumi/knative-eventing';
import { KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION, knativeServingManifestUrls } from '../../src/pulumi/knative-serving';
import { parseManifests } from '../../src/pulumi/release-install';
import { releaseFileOf, sharedReleaseFile } from '../support/knative-release';

const one = (yaml: string) => parseManifests(`kind: ConfigMap\n${yaml}`, 'test.yaml')[0];

describe('parseManifests reads plain scalars as go-yaml v2 resolves them', () => {
  test.each([
    // Octal: YAML 1.1's leading zero (a file mode), and Go's `0o` (strconv.ParseInt with base 0); a quoted one stays text.
    ['mode: 0644', { mode: 420 }],
    ['mode: -0644', { mode: -420 }],
    ['mode: 0o644', { mode: 420 }],
    ['mode: "0644"', { mode: '0644' }],
    // `08` is no octal: ParseInt fails, and the float pattern takes it.
    ['num: 08', { num: 8 }],
    // Booleans, in all three spellings of each word; YAML 1.2 would keep every one of these as text.
    ['a: [y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE]', { a: Array(11).fill(true) }],
    ['a: [n, N, no, No, NO, off, Off, OFF, false, False, FALSE]', { a: Array(11).fill(false) }],
    ['a: [yEs, oN, "yes"]', { a: ['yEs', 'oN', 'yes'] }],
    // A key is a scalar too: `on:` is the key "true" (sigs.k8s.io/yaml writes a boolean key as true/false).
    ['data:\n  on: x\n  n: y', { data: { true: 'x', false: true } }],
    // Other bases and underscores (removed before parsing).
    ['a: [0x1F, 0X1F, 0b101, 0B101, 1_000, +12]', { a: [31, 31, 5, 5, 1000, 12] }],
    // Nulls and floats.
    ['a: [~, null, Null, NULL, 1e3, .5, 0.]', { a: [null, null, null, null, 1000, 0.5, 0] }],
    // Timestamps stay the text (decoded into interface{} as a string), and base-60 numbers were never supported.
    ['a: [2001-12-14, 2001-12-14T21:59:43.10Z, 1:30, 190:20:30]', { a: ['2001-12-14', '2001-12-14T21:59:43.10Z', '1:30', '190:20:30'] }],
  ])('%s', (yaml, expected) => {
    expect(one(yaml)).toEqual({ kind: 'ConfigMap', ...expected });
  });

  test('a number JSON cannot hold is refused, as sigs.k8s.io/yaml refuses it (json: unsupported value)', () => {
    expect(() => parseManifests('kind: ConfigMap\ndata:\n  limits: [1, .inf]\n', 'inf.yaml')).toThrow(
      'inf.yaml: document 0: data.limits[1] is not a finite number, which JSON (and so Kubernetes) cannot hold');
    expect(() => parseManifests('---\nkind: A\n---\nkind: B\nx: .NaN\n', 'nan.yaml')).toThrow(/^nan\.yaml: document 1: x is not a finite number/);
  });
});

describe('the release files', () => {
  const urls = { ...knativeServingManifestUrls(KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION), ...eventingManifestUrls() };

  test('parse to the same objects as with YAML 1.2: no scalar in them reads differently (the real Knative files and the fixtures)', () => {
    const real = Object.values(urls).filter((u) => sharedReleaseFile(u));
    expect(real).toHaveLength(7);
    for (const url of Object.values(urls)) {
      const text = fs.readFileSync(releaseFileOf(url), 'utf8');
      const yaml12 = parseAllDocuments(text).map((d) => d.toJS()).filter((o) => o && typeof o === 'object' && o.kind);
      expect({ url, objects: parseManifests(text, url) }).toEqual({ url, objects: yaml12 });
    }
  });
});
