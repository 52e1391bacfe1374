/**
 * The bundle specs the published pipeline image serves (the `kratix-pipeline` command of the `platform-blueprints`
 * bin): one entry per Promise the package generates. A team with bundles of its own builds its own image around
 * `runPipeline({ specs })` instead.
 */
import { IBundleSpec } from '../../constructs/kratix/bundle-spec';

export const PIPELINE_SPECS: IBundleSpec[] = [];
