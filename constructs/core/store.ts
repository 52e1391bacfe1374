import { IConstruct } from 'constructs';
import { IWorkload } from './workload';

export interface StoreBindOptions {
  /**
   * Prefix of the environment variables the workload receives: `<P>_HOST`, `<P>_PORT`, `<P>_ADDR` (host:port) and
   * `<P>_PASSWORD` (from the Secret, never a literal).
   * @default 'REDIS'
   */
  readonly envPrefix?: string;
}

/**
 * A Redis-compatible key/value store that workloads bind to. Implemented by the in-cluster `Redis` and, for managed
 * stores, by Crossplane claims: a function does not care which one it gets.
 */
export interface IKeyValueStore extends IConstruct {
  /**
   * Gives the workload the store's address and credentials (env vars, the password by Secret reference), lets the
   * workload through the store's network policy, and records the edge in the platform graph. Idempotent per
   * workload and prefix.
   */
  bind(workload: IWorkload, options?: StoreBindOptions): void;
}
