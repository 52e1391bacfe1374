/**
 * The error for a bad setting of the Pulumi program or of an install (a stack key, an install option): it names
 * the setting, the value and the rule. Its own module, so the installs the package ships can raise it without
 * loading the reference program's configuration.
 */
import * as pulumi from '@pulumi/pulumi';
import { notifyErrorObservers } from '../../constructs/core/errors';

/** Bad stack configuration: names the key, the value and the rule. A Pulumi RunError: `pulumi up` prints its message without a stack trace. */
export class ConfigError extends pulumi.RunError {
  public constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
    notifyErrorObservers(this);
  }
}
