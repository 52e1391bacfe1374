/** Reading the rendered nginx configuration in tests: the directives of one block. */

/** The trimmed lines inside the block that opens with `head {` (e.g. `location /api/`), up to its closing brace. */
export function block(config: string, head: string): string[] {
  const lines = config.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${head} {`);
  if (start < 0) throw new Error(`no block "${head} {" in the configuration`);
  const end = lines.findIndex((l, i) => i > start && l === lines[start].replace(/\S.*$/, '}'));
  return lines.slice(start + 1, end).map((l) => l.trim());
}
