/**
 * Media types (a CloudEvent's `datacontenttype`, a PingSource's `contentType`) as RFC 9110 §8.3.1 defines them:
 * `type "/" subtype *( OWS ";" OWS [ parameter ] )`. Type, subtype and parameter names are case-insensitive tokens,
 * so `Application/JSON` is `application/json`; parameter values keep their case.
 */

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"';
const MEDIA_TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})((?:[ \\t]*;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|${QUOTED}))?)*)$`);

export interface MediaType {
  /** `type/subtype` in lowercase: what two spellings of one media type share. */
  readonly essence: string;
}

/** The media type of a Content-Type value, or undefined when it is not one. */
export function parseMediaType(text: string): MediaType | undefined {
  const m = MEDIA_TYPE.exec(text);
  return m ? { essence: `${m[1]}/${m[2]}`.toLowerCase() } : undefined;
}
