/**
 * Pulumi entry (Pulumi.yaml `main`): `pulumi up` installs Knative Serving and deploys the reference platform.
 * The returned values are the stack outputs.
 */
import { runProgram } from './program';

export = () => runProgram();
