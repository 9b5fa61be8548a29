/** An IP address as bytes: 4 for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6. */
type AddressBytes = Uint8Array;

const DECIMAL = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

function parseIpv4(text: string): AddressBytes | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!DECIMAL.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

/** The 16-bit groups of one side of `::` (a trailing dotted IPv4 counts as two). */
function parseGroups(text: string, allowIpv4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (allowIpv4Tail && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number));
      groups.push(((v4[2] as number) << 8) | (v4[3] as number));
    } else if (HEX_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): AddressBytes | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [
    ...head,
    ...new Array<number>(halves.length === 2 ? missing : 0).fill(0),
    ...tail,
  ];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  const mapped =
    bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/**
 * Parses an IP address as frameworks report it: dotted IPv4, IPv6 (compressed, with an IPv4
 * tail, in brackets, with a `%zone`), IPv4-mapped IPv6 as IPv4. `undefined` for anything else.
 */
export function parseIpAddress(text: string): AddressBytes | undefined {
  let address = text.trim().toLowerCase();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  return address.includes(':') ? parseIpv6(address) : parseIpv4(address);
}

/**
 * The network of `address` at `v4Prefix` or `v6Prefix` leading bits, as canonical text (so two
 * spellings of one address agree): `4/24:203.0.113.0`, `6/64:2001:db8:...`. Text that is not an
 * IP address is compared exactly (`raw:` prefix).
 */
export function ipNetwork(address: string, v4Prefix: number, v6Prefix: number): string {
  const bytes = parseIpAddress(address);
  if (bytes === undefined) return `raw:${address}`;
  const prefix = bytes.length === 4 ? v4Prefix : v6Prefix;
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.min(8, Math.max(0, prefix - 8 * i));
    bytes[i] = (bytes[i] as number) & ((0xff00 >> keep) & 0xff);
  }
  if (bytes.length === 4) return `4/${prefix}:${bytes.join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  }
  return `6/${prefix}:${groups.join(':')}`;
}
