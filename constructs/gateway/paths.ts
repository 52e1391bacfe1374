/**
 * Route paths as nginx matches them. nginx normalises a request's path before it picks a `location`: it decodes
 * percent-encoding, resolves "." and ".." segments and merges slashes (`merge_slashes on`). A location written
 * with any of those can never be chosen for the request it was meant for.
 */
import { posix } from 'path';

const PATH_RULE = /^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/;

/** The path nginx would match instead, as a suggestion, when it is a valid route path. */
function suggest(path: string): string {
  const normalised = path.startsWith('/') ? posix.normalize(path) : path;
  return PATH_RULE.test(normalised) ? `; e.g. ${JSON.stringify(normalised)}` : '';
}

/**
 * Why a route path cannot be an nginx location prefix that requests reach, or undefined: `/` or `/a/b` of
 * [A-Za-z0-9._~-] segments, none of them "." or "..", no empty segment, no trailing "/", no percent-encoding.
 */
export function routePathProblem(path: string): string | undefined {
  if (path.includes('%')) {
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      decoded = undefined;
    }
    return 'is percent-encoded, but nginx decodes a request\'s path before it matches: only requests that encode "%" itself (as %25) ' +
      `would reach it; write the characters themselves${decoded !== undefined ? suggest(decoded) : ''}`;
  }
  // Relative paths and trailing slashes: the general rule (isRoutePath) says what to write.
  if (!path.startsWith('/') || path.endsWith('/')) return undefined;
  const segments = path.slice(1).split('/');
  if (segments.includes('')) {
    return `has an empty segment, but nginx merges slashes before it matches: no request can reach it${suggest(path)}`;
  }
  if (segments.some((s) => s === '.' || s === '..')) {
    return `has a "." or ".." segment, but nginx resolves those before it matches: no request can reach it${suggest(path)}`;
  }
  return undefined;
}

/** Whether a path is "/" or an absolute path of [A-Za-z0-9._~-] segments without a trailing "/". */
export function isRoutePath(path: string): boolean {
  return PATH_RULE.test(path);
}
