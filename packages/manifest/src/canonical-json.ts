/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation: object keys sorted by UTF-16 code units,
 * no whitespace, numbers in ECMAScript shortest round-trip form, strings with the minimal JSON
 * escapes. Properties whose value is `undefined` are omitted (as JSON.stringify does); anything
 * JSON cannot represent (NaN, Infinity, bigint, functions, lone surrogates) throws a TypeError.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, '');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serialiseString(s: string, at: string): string {
  if (LONE_SURROGATE.test(s)) throw new TypeError(`canonicalJson: lone surrogate in string at ${at || '/'}`);
  // JSON.stringify applies exactly RFC 8785's escaping rules (\b \t \n \f \r \" \\, other C0 as \u00xx).
  return JSON.stringify(s);
}

function serialise(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${at || '/'}`);
      // ECMAScript Number.prototype.toString is the RFC 8785 number form; -0 serialises as 0.
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return serialiseString(value, at);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => (v === undefined ? 'null' : serialise(v, `${at}/${i}`))).join(',')}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      const parts = keys.map((k) => `${serialiseString(k, at)}:${serialise(obj[k], `${at}/${k}`)}`);
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise a ${typeof value} at ${at || '/'}`);
  }
}
