/**
 * `npm run cdevents:generate`: writes constructs/cdevents/vocabulary.ts from the pinned CDEvents JSON Schemas
 * (upstream.yaml package `cdevents-spec`, read from the schema location like every other pinned schema).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cdeventsPackage, eventTypeSchemas, loadCDEventsSchemas, renderVocabulary } from './lib/cdevents';

const files = loadCDEventsSchemas();
const out = join(__dirname, '..', 'constructs', 'cdevents', 'vocabulary.ts');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, renderVocabulary(files, cdeventsPackage().version));
console.log(`cdevents: ${eventTypeSchemas(files).length} event types written to ${out}`);
