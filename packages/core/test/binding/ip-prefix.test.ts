import { describe, expect, it } from 'vitest';
import { ipNetwork, parseIpAddress } from '../../src/binding/ip-prefix.js';

const bytes = (text: string) => {
  const parsed = parseIpAddress(text);
  return parsed === undefined ? undefined : [...parsed];
};

describe('parseIpAddress', () => {
  it('reads dotted IPv4', () => {
    expect(bytes('203.0.113.7')).toEqual([203, 0, 113, 7]);
    expect(bytes(' 0.0.0.0 ')).toEqual([0, 0, 0, 0]);
  });

  it('reads IPv6 in every spelling frameworks report', () => {
    const loopback = [...new Array(15).fill(0), 1];
    expect(bytes('::1')).toEqual(loopback);
    expect(bytes('[::1]')).toEqual(loopback);
    expect(bytes('0:0:0:0:0:0:0:1')).toEqual(loopback);
    expect(bytes('fe80::1%eth0')).toEqual([0xfe, 0x80, ...new Array(13).fill(0), 1]);
    expect(bytes('2001:DB8::8:800:200C:417A')).toEqual(bytes('2001:db8:0:0:8:800:200c:417a'));
    expect(bytes('::')).toEqual(new Array(16).fill(0));
    expect(bytes('64:ff9b::192.0.2.33')?.slice(12)).toEqual([192, 0, 2, 33]);
  });

  it('reads IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(bytes('::ffff:192.0.2.1')).toEqual([192, 0, 2, 1]);
    expect(bytes('::ffff:c000:201')).toEqual([192, 0, 2, 1]);
    expect(bytes('0:0:0:0:0:ffff:192.0.2.1')).toEqual([192, 0, 2, 1]);
  });

  it('rejects anything that is not an IP literal', () => {
    for (const text of [
      '',
      'unknown',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.-4',
      '1::2::3',
      ':1',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::',
      'g::1',
      '::1.2.3',
      '1.2.3.4::',
      '/var/run/app.sock',
    ]) {
      expect(parseIpAddress(text), text).toBeUndefined();
    }
  });
});

describe('ipNetwork', () => {
  it('keeps the prefix bits and zeroes the rest', () => {
    expect(ipNetwork('203.0.113.77', 24, 64)).toBe('4/24:203.0.113.0');
    expect(ipNetwork('203.0.113.77', 32, 128)).toBe('4/32:203.0.113.77');
    expect(ipNetwork('203.0.113.77', 0, 128)).toBe('4/0:0.0.0.0');
    expect(ipNetwork('203.0.255.77', 20, 64)).toBe('4/20:203.0.240.0');
    expect(ipNetwork('2001:db8:1:2:3:4:5:6', 32, 64)).toBe('6/64:2001:db8:1:2:0:0:0:0');
    expect(ipNetwork('2001:db8:1:2:3:4:5:6', 32, 52)).toBe('6/52:2001:db8:1:0:0:0:0:0');
  });

  it('gives one network for every spelling of an address', () => {
    const spellings = ['::ffff:198.51.100.9', '198.51.100.9', '[::ffff:c633:6409]'];
    const networks = new Set(spellings.map((address) => ipNetwork(address, 24, 64)));
    expect([...networks]).toEqual(['4/24:198.51.100.0']);
  });

  it('compares text that is not an address exactly', () => {
    expect(ipNetwork('unix:/tmp/socket', 24, 64)).toBe('raw:unix:/tmp/socket');
  });
});
