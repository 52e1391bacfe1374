/**
 * The CDEvents vocabulary: generated from the pinned v0.5.1 schemas, complete, and typed like the schemas say.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CDEvents, CDEventsOutcome, CDEventsSeverity, CloudEventType, ServiceDeployedContent, TestSuiteRunFinishedContent } from '../../constructs';
import { CDEVENTS_SPEC_VERSION } from '../../constructs/cdevents/vocabulary';
import { cdeventsPackage, eventTypeSchemas, loadCDEventsSchemas, renderVocabulary, typeOf } from '../../scripts/lib/cdevents';
import { resolveSchemaLocation } from '../../scripts/lib/upstream';
import { cdeventsValidator } from '../support/cdevents';

const files = loadCDEventsSchemas();

describe('CDEvents vocabulary', () => {
  test('the committed module is what `npm run cdevents:generate` writes from the pinned schemas', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'constructs', 'cdevents', 'vocabulary.ts'), 'utf8');
    expect(committed).toBe(renderVocabulary(files, cdeventsPackage().version));
  });

  test('every one of the 45 v0.5.1 event types is a CloudEventType whose schema is the type\'s $id', () => {
    const schemas = eventTypeSchemas(files);
    expect(schemas).toHaveLength(45);
    const all = CDEvents.all();
    expect(all.map((t) => t.type).sort()).toEqual(schemas.map((f) => typeOf(f.schema)).sort());
    for (const f of schemas) {
      const t = all.find((x) => x.type === typeOf(f.schema))!;
      expect(CloudEventType.isCloudEventType(t)).toBe(true);
      expect(t.isExternal).toBe(false);
      expect(t.schema).toBe(f.schema.$id);
      expect(t.description).toMatch(/^CDEvents v0\.5\.1: /);
    }
    expect(new Set(all).size).toBe(45);
    expect(CDEVENTS_SPEC_VERSION).toBe('0.5.1');
    expect(CDEvents.SERVICE_DEPLOYED.type).toBe('dev.cdevents.service.deployed.0.3.0');
    expect(CDEvents.TEST_SUITE_RUN_FINISHED.type).toBe('dev.cdevents.testsuiterun.finished.0.3.0');
    expect(CDEvents.SERVICE_ROLLED_BACK.type).toBe('dev.cdevents.service.rolledback.0.3.0');
    expect(CDEvents.CHANGE_CREATED.type).toBe('dev.cdevents.change.created.0.4.0');
  });

  test('the content interfaces carry the schemas\' required fields and enums (typed content validates)', () => {
    const v = cdeventsValidator();
    const deployed: ServiceDeployedContent = { environment: { id: 'functions' }, artifactId: 'ghcr.io/example/score@sha256:' + 'a'.repeat(64) };
    const finished: TestSuiteRunFinishedContent = {
      environment: { id: 'functions', source: '/namespaces/functions' },
      outcome: CDEventsOutcome.FAILURE,
      severity: CDEventsSeverity.HIGH,
      reason: 'p95 612 ms > 500 ms',
    };
    const envelope = (type: CloudEventType, content: object) => ({
      context: { specversion: '0.5.1', id: 'x-1', source: '/test', type: type.type, timestamp: '2026-11-29T10:00:00Z' },
      subject: { id: 'score', content },
    });
    expect(v.validate(envelope(CDEvents.SERVICE_DEPLOYED, deployed))).toEqual([]);
    expect(v.validate(envelope(CDEvents.TEST_SUITE_RUN_FINISHED, finished))).toEqual([]);
    // The enums hold exactly the schema's values: one outside them is refused by the schema.
    expect(v.validate(envelope(CDEvents.TEST_SUITE_RUN_FINISHED, { ...finished, outcome: 'passed' })).join()).toMatch(/outcome must be equal to one of the allowed values/);
    expect(v.validate(envelope(CDEvents.SERVICE_DEPLOYED, { environment: { id: 'functions' } })).join()).toMatch(/must have required property 'artifactId'/);
  });

  test('the validator accepts upstream\'s conformance example of every type and refuses one with a stray field', () => {
    const v = cdeventsValidator();
    expect(v.types).toHaveLength(45);
    const dir = path.join(resolveSchemaLocation(), 'cdevents-spec', 'v0.5.1', 'conformance');
    const examples = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(examples).toHaveLength(45);
    for (const name of examples) {
      const example = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      expect({ name, problems: v.validate(example) }).toEqual({ name, problems: [] });
    }
    const one = JSON.parse(fs.readFileSync(path.join(dir, examples[0]), 'utf8'));
    expect(v.validate({ ...one, subject: { ...one.subject, content: { ...one.subject.content, stray: 1 } } }).join()).toMatch(/must NOT have additional properties/);
  });
});
