/**
 * Secrets without secret values in the manifests.
 *
 * A construct that needs a credential either references a Secret the user already manages
 * (`PasswordSource.fromSecret`) or declares a `DeployTimeSecret`: a Secret whose values are generated when the
 * platform is deployed. cdk8s synthesis never writes a DeployTimeSecret into the YAML (it is not an ApiObject); the
 * Pulumi bridge creates it with generated values held as Pulumi secrets; GitOps users create it once by hand or with
 * their secret manager (the synthesized dist/README.md lists each one with a command that does so).
 */
import { Construct, IConstruct } from 'constructs';
import { invalid } from './errors';
import { requireInteger, requireName } from './validate';

/** A key of a Kubernetes Secret. */
export interface SecretKeyReference {
  readonly secretName: string;
  readonly key: string;
}

export interface DeployTimeSecretProps {
  /** Name of the Secret. */
  readonly name: string;
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** Keys that receive a generated random value. */
  readonly keys: string[];
  /**
   * Length of each generated value (characters from [A-Za-z0-9]).
   * @default 32
   */
  readonly length?: number;
  /** What the secret is for (shown in dist/README.md and the Pulumi resource). */
  readonly purpose: string;
}

const DEPLOY_TIME_SECRET = Symbol.for('platform-blueprints.DeployTimeSecret');

export class DeployTimeSecret extends Construct {
  public static isDeployTimeSecret(x: unknown): x is DeployTimeSecret {
    return typeof x === 'object' && x !== null && (x as any)[DEPLOY_TIME_SECRET] === true;
  }

  /** Every DeployTimeSecret under a construct, in tree order. */
  public static findAll(root: IConstruct): DeployTimeSecret[] {
    return root.node.findAll().filter(DeployTimeSecret.isDeployTimeSecret);
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly keys: string[];
  public readonly length: number;
  public readonly purpose: string;

  public constructor(scope: Construct, id: string, props: DeployTimeSecretProps) {
    super(scope, id);
    Object.defineProperty(this, DEPLOY_TIME_SECRET, { value: true });
    this.name = requireName(this, 'name', props.name, 'dns1123-subdomain');
    this.namespace = requireName(this, 'namespace', props.namespace);
    if (props.keys.length === 0) invalid(this, 'keys', props.keys, 'must name at least one key');
    props.keys.forEach((k, i) => {
      if (!/^[-._a-zA-Z0-9]+$/.test(k)) invalid(this, `keys[${i}]`, k, 'must consist of alphanumerics, "-", "_" or "."');
    });
    this.keys = [...props.keys];
    this.length = requireInteger(this, 'length', props.length ?? 32, { min: 16, max: 256 });
    this.purpose = props.purpose;
  }

  public keyRef(key: string): SecretKeyReference {
    if (!this.keys.includes(key)) invalid(this, 'key', key, `is not one of this secret's keys (${this.keys.join(', ')})`);
    return { secretName: this.name, key };
  }
}

/** Where a password comes from. */
export abstract class PasswordSource {
  /**
   * Generate a random password at deploy time (Pulumi: a RandomPassword held as a secret; GitOps: created once,
   * see dist/README.md). Never written into synthesized YAML.
   */
  public static generate(options: GeneratedPasswordOptions = {}): PasswordSource {
    return new GeneratedPassword(options.length);
  }

  /** Use a key of a Secret that already exists in the namespace (managed by you or your secret operator). */
  public static fromSecret(secretName: string, key: string = 'password'): PasswordSource {
    return new ExistingSecretPassword(secretName, key);
  }

  /**
   * Resolves the source for a construct: returns the Secret key reference, creating the DeployTimeSecret when the
   * password is generated.
   * @internal
   */
  public abstract _bind(scope: Construct, options: { name: string; namespace: string; purpose: string }): SecretKeyReference;
}

export interface GeneratedPasswordOptions {
  /**
   * Password length.
   * @default 32
   */
  readonly length?: number;
}

class GeneratedPassword extends PasswordSource {
  public constructor(private readonly length?: number) {
    super();
  }

  public _bind(scope: Construct, options: { name: string; namespace: string; purpose: string }): SecretKeyReference {
    const secret = new DeployTimeSecret(scope, 'Password', {
      name: options.name,
      namespace: options.namespace,
      keys: ['password'],
      length: this.length,
      purpose: options.purpose,
    });
    return secret.keyRef('password');
  }
}

class ExistingSecretPassword extends PasswordSource {
  public constructor(private readonly secretName: string, private readonly key: string) {
    super();
  }

  public _bind(scope: Construct): SecretKeyReference {
    requireName(scope, 'password.secretName', this.secretName, 'dns1123-subdomain');
    if (!/^[-._a-zA-Z0-9]+$/.test(this.key)) invalid(scope, 'password.key', this.key, 'must consist of alphanumerics, "-", "_" or "."');
    return { secretName: this.secretName, key: this.key };
  }
}

