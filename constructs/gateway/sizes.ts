/** Request body sizes as nginx reads them (`client_max_body_size`), from cdk8s `Size` props. */
import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requirePositiveQuantity } from '../core/quantity';

/**
 * A size of whole bytes above zero (nginx reads 0 as "no limit"), written for nginx: kibibytes (`8192k`) when whole,
 * else bytes.
 */
export function nginxSize(scope: IConstruct, field: string, size: Size): string {
  const text = size && typeof (size as Size).asString === 'function' ? size.asString() : undefined;
  if (text === undefined) return invalid(scope, field, size, 'must be a cdk8s Size (e.g. Size.mebibytes(8))');
  const bytes = requirePositiveQuantity(scope, field, text);
  if (!Number.isSafeInteger(bytes)) {
    return invalid(scope, field, text, Number.isInteger(bytes) ? `is more than ${Number.MAX_SAFE_INTEGER} bytes` : 'is not a whole number of bytes');
  }
  return bytes % 1024 === 0 ? `${bytes / 1024}k` : String(bytes);
}
