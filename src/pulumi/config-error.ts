/**
 * The error for a bad setting of the Pulumi program or of an install (a stack key, an install option): it names
 * the setting, the value and the rule. Its own module, so the installs the package ships can raise it without
 * loading the reference program's configuration.
 */
import { notifyErrorObservers } from '../../constructs/core/errors';

/** Bad stack configuration: names the key, the value and the rule. */
export class ConfigError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
    notifyErrorObservers(this);
  }
}
