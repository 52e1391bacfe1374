/* eslint-disable @typescript-eslint/no-require-imports -- the cdk8s CLI loads plugins with require */
// The platform policy plugin for `cdk8s synth` in this repository (cdk8s.yaml `validations:`). The cdk8s CLI loads
// plugins with plain `require`, so this shim registers tsx and loads the plugin from source; projects that depend on
// the package use `package: platform-blueprints` instead (the compiled class is exported there).
require('tsx/cjs');
module.exports = require('../constructs/policy/plugin.ts');
