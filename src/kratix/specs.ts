/**
 * The bundle specs the published pipeline image serves (the `kratix-pipeline` command of the `platform-blueprints`
 * bin): one entry per Promise the package generates — the reference platform's Promises are made from this list. A team with bundles of its own builds its own image around
 * `runPipeline({ specs })` instead.
 */
import { IBundleSpec } from '../../constructs/kratix/bundle-spec';
import { FunctionsPlatformSpec } from '../../constructs/kratix/specs/functions-platform';
import { MessageBrokerSpec } from '../../constructs/kratix/specs/message-broker';

export const PIPELINE_SPECS: IBundleSpec[] = [new FunctionsPlatformSpec(), new MessageBrokerSpec()];
