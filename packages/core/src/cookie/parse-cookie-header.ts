/** One `name=value` pair from a `Cookie` request header, exactly as sent (value not decoded). */
export type CookiePair = readonly [name: string, value: string];

/** Receives one pair's bounds in the scanned header: `[nameStart, nameEnd)`, `[valueStart, valueEnd)`. */
type PairVisitor = (
  nameStart: number,
  nameEnd: number,
  valueStart: number,
  valueEnd: number,
) => void;

const SEMICOLON = 0x3b;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SPACE = 0x20;
const HTAB = 0x09;

function isBlank(code: number): boolean {
  return code === SPACE || code === HTAB;
}

/**
 * Walks every `name=value` piece of `header` in order, in one linear pass and without allocating.
 *
 * Pieces are separated by `;` or `,` (runtimes join several `Cookie` lines with either) and split
 * at their first `=`. SP/HTAB around names and values is skipped; pieces without `=` or with an
 * empty name are skipped; one pair of surrounding DQUOTEs is dropped from a value unless the
 * quoted text itself starts or ends with SP/HTAB (then the quotes stay, so no reported value has
 * edge whitespace). A plain `charCodeAt` scan: every character is read once by the main loop and
 * at most once more by the trimming loops, whatever the input.
 */
function scanCookieHeader(header: string, visit: PairVisitor): void {
  const length = header.length;
  let index = 0;

  while (index < length) {
    const start = index;
    let equals = -1;
    for (; index < length; index++) {
      const code = header.charCodeAt(index);
      if (code === SEMICOLON || code === COMMA) break;
      if (code === EQUALS && equals === -1) equals = index;
    }
    const end = index;
    index++; // Skip the separator.
    if (equals === -1) continue;

    let nameStart = start;
    let nameEnd = equals;
    while (nameStart < nameEnd && isBlank(header.charCodeAt(nameStart))) nameStart++;
    while (nameEnd > nameStart && isBlank(header.charCodeAt(nameEnd - 1))) nameEnd--;
    if (nameEnd === nameStart) continue;

    let valueStart = equals + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && isBlank(header.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isBlank(header.charCodeAt(valueEnd - 1))) valueEnd--;
    if (
      valueEnd - valueStart >= 2 &&
      header.charCodeAt(valueStart) === DQUOTE &&
      header.charCodeAt(valueEnd - 1) === DQUOTE &&
      (valueEnd - valueStart === 2 ||
        (!isBlank(header.charCodeAt(valueStart + 1)) && !isBlank(header.charCodeAt(valueEnd - 2))))
    ) {
      valueStart++;
      valueEnd--;
    }
    visit(nameStart, nameEnd, valueStart, valueEnd);
  }
}

/**
 * Parses one `Cookie` header into every `name=value` pair, in order, duplicates kept. Values are
 * returned raw (no percent-decoding). Splits on both `;` and `,`; never throws; linear time.
 */
export function parseCookieHeader(header: string): CookiePair[] {
  const pairs: CookiePair[] = [];
  if (typeof header !== 'string') return pairs;
  scanCookieHeader(header, (nameStart, nameEnd, valueStart, valueEnd) => {
    pairs.push([header.slice(nameStart, nameEnd), header.slice(valueStart, valueEnd)]);
  });
  return pairs;
}

function collectValues(header: string, name: string, into: string[]): void {
  const nameLength = name.length;
  scanCookieHeader(header, (nameStart, nameEnd, valueStart, valueEnd) => {
    if (nameEnd - nameStart === nameLength && header.startsWith(name, nameStart)) {
      into.push(header.slice(valueStart, valueEnd));
    }
  });
}

/**
 * Every raw value of cookie `name` (compared case-sensitively) across all given `Cookie` header
 * lines, in order, duplicates kept. Accepts one header string (possibly several lines joined with
 * `", "` or `"; "`), an iterable of lines, or nothing. Never throws for any header content
 * (non-string lines are skipped); an exception thrown by a caller-supplied iterator propagates.
 */
export function readCookieValues(
  header: string | Iterable<string> | null | undefined,
  name: string,
): string[] {
  const values: string[] = [];
  if (typeof name !== 'string' || name.length === 0 || header == null) return values;
  if (typeof header === 'string') {
    collectValues(header, name, values);
    return values;
  }
  if (typeof (header as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') return values;
  for (const line of header as Iterable<unknown>) {
    if (typeof line === 'string') collectValues(line, name, values);
  }
  return values;
}
