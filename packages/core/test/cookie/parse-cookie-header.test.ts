import { describe, expect, it } from 'vitest';
import { parseCookieHeader, readCookieValues } from '../../src/cookie/parse-cookie-header.js';

describe('parseCookieHeader', () => {
  it('returns every pair in order', () => {
    expect(parseCookieHeader('a=1; b=2; c=3')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('returns nothing for an empty or blank header', () => {
    expect(parseCookieHeader('')).toEqual([]);
    expect(parseCookieHeader('   ')).toEqual([]);
    expect(parseCookieHeader(';;,, ;')).toEqual([]);
  });

  it('keeps duplicates in the order sent', () => {
    expect(parseCookieHeader('sid=a; x=1; sid=b')).toEqual([
      ['sid', 'a'],
      ['x', '1'],
      ['sid', 'b'],
    ]);
  });

  it('splits on commas as well as semicolons', () => {
    expect(parseCookieHeader('a=1, b=2;c=3,d=4')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ]);
  });

  it('keeps "=" inside values (splits on the first "=")', () => {
    expect(parseCookieHeader('a=b=c; d===; e=x=')).toEqual([
      ['a', 'b=c'],
      ['d', '=='],
      ['e', 'x='],
    ]);
  });

  it('ignores pieces without "=" and pieces with an empty name', () => {
    expect(parseCookieHeader('flag; =v; a=1;  = w ; b; c=3')).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
  });

  it('keeps an empty value', () => {
    expect(parseCookieHeader('a=; b= ;c')).toEqual([
      ['a', ''],
      ['b', ''],
    ]);
  });

  it('trims SP and HTAB around names and values, not inside them', () => {
    expect(parseCookieHeader(' \ta \t= \t1 x \t;\tb=2\t')).toEqual([
      ['a', '1 x'],
      ['b', '2'],
    ]);
  });

  it('does not trim other whitespace', () => {
    expect(parseCookieHeader('a=\n1\r; b=\u00a02')).toEqual([
      ['a', '\n1\r'],
      ['b', '\u00a02'],
    ]);
  });

  it('strips one pair of surrounding double quotes', () => {
    expect(parseCookieHeader('a="1"; b=""; c=""x""; d="; e="x; f=x"')).toEqual([
      ['a', '1'],
      ['b', ''],
      ['c', '"x"'],
      ['d', '"'],
      ['e', '"x'],
      ['f', 'x"'],
    ]);
  });

  it('keeps the quotes when the quoted text has edge whitespace', () => {
    expect(parseCookieHeader('a=" x"; b="x "; c="x y"')).toEqual([
      ['a', '" x"'],
      ['b', '"x "'],
      ['c', 'x y'],
    ]);
  });

  it('returns values raw, without percent-decoding, and does not throw on bad escapes', () => {
    expect(parseCookieHeader('a=%E0%A4%A; b=%; c=%zz; d=%41%42')).toEqual([
      ['a', '%E0%A4%A'],
      ['b', '%'],
      ['c', '%zz'],
      ['d', '%41%42'],
    ]);
  });

  it('compares nothing case-insensitively (names are kept as sent)', () => {
    expect(parseCookieHeader('SID=1; sid=2')).toEqual([
      ['SID', '1'],
      ['sid', '2'],
    ]);
  });

  it('parses a 64 KiB header', () => {
    const value = 'v'.repeat(64 * 1024);
    expect(parseCookieHeader(`big=${value}; sid=abc`)).toEqual([
      ['big', value],
      ['sid', 'abc'],
    ]);
    const noEquals = ';'.repeat(64 * 1024);
    expect(parseCookieHeader(`${noEquals}a=1`)).toEqual([['a', '1']]);
    const equalsAtEnd = `${'x;'.repeat(32 * 1024)}=1`;
    expect(parseCookieHeader(equalsAtEnd)).toEqual([]);
  });

  it('handles 1 MiB adversarial headers (separators, "=", quotes, blanks) correctly', () => {
    const mib = 1 << 20;
    expect(parseCookieHeader(`${';'.repeat(mib)}a=1`)).toEqual([['a', '1']]);
    expect(parseCookieHeader(`${','.repeat(mib)}a=1`)).toEqual([['a', '1']]);
    expect(parseCookieHeader(`${'x;'.repeat(mib / 2)}=1`)).toEqual([]);
    expect(parseCookieHeader('='.repeat(mib))).toEqual([]);
    expect(parseCookieHeader('"'.repeat(mib))).toEqual([]);
    expect(parseCookieHeader(`a=${' '.repeat(mib)}b`)).toEqual([['a', 'b']]);
    expect(parseCookieHeader(`${' '.repeat(mib)}=b`)).toEqual([]);
    expect(parseCookieHeader('a=,'.repeat(mib / 4))).toHaveLength(mib / 4);
    expect(readCookieValues(`${'k=v; '.repeat(mib / 8)}sid=x`, 'sid')).toEqual(['x']);
  });

  it('parses a 10,000-pair header', () => {
    const parts: string[] = [];
    for (let i = 0; i < 10_000; i++) parts.push(`k${i}=v${i}`);
    const pairs = parseCookieHeader(parts.join('; '));
    expect(pairs).toHaveLength(10_000);
    expect(pairs[0]).toEqual(['k0', 'v0']);
    expect(pairs[9_999]).toEqual(['k9999', 'v9999']);
  });

  it('returns nothing for a non-string (JS callers)', () => {
    expect(parseCookieHeader(undefined as unknown as string)).toEqual([]);
    expect(parseCookieHeader(42 as unknown as string)).toEqual([]);
  });
});

describe('readCookieValues', () => {
  it('reads one value', () => {
    expect(readCookieValues('a=1; sid=abc; b=2', 'sid')).toEqual(['abc']);
  });

  it('returns nothing when the name is absent, or for a missing header', () => {
    expect(readCookieValues('a=1; b=2', 'sid')).toEqual([]);
    expect(readCookieValues('', 'sid')).toEqual([]);
    expect(readCookieValues(null, 'sid')).toEqual([]);
    expect(readCookieValues(undefined, 'sid')).toEqual([]);
    expect(readCookieValues([], 'sid')).toEqual([]);
  });

  it('returns nothing for an empty name', () => {
    expect(readCookieValues('=x; a=1', '')).toEqual([]);
  });

  it('keeps duplicates in both orders', () => {
    expect(readCookieValues('sid=a; sid=b', 'sid')).toEqual(['a', 'b']);
    expect(readCookieValues('sid=b; sid=a', 'sid')).toEqual(['b', 'a']);
    expect(readCookieValues('sid=a; x=1; sid=a', 'sid')).toEqual(['a', 'a']);
  });

  it('reads every line of an array of Cookie lines', () => {
    expect(readCookieValues(['a=1; sid=one', 'b=2', 'sid=two; c=3'], 'sid')).toEqual([
      'one',
      'two',
    ]);
  });

  it('reads lines from any iterable', () => {
    function* lines(): Generator<string> {
      yield 'sid=one';
      yield 'sid=two';
    }
    expect(readCookieValues(lines(), 'sid')).toEqual(['one', 'two']);
    expect(readCookieValues(new Set(['sid=x']), 'sid')).toEqual(['x']);
  });

  it('reads lines joined with ", " or "; "', () => {
    expect(readCookieValues('a=1; sid=one, b=2; sid=two', 'sid')).toEqual(['one', 'two']);
    expect(readCookieValues('a=1; sid=one; b=2; sid=two', 'sid')).toEqual(['one', 'two']);
    expect(readCookieValues('sid=one,sid=two', 'sid')).toEqual(['one', 'two']);
  });

  it('compares names exactly', () => {
    const header = 'SID=1; Sid=2; sid=3; sid =4; sidx=5; xsid=6; s=7';
    expect(readCookieValues(header, 'sid')).toEqual(['3', '4']);
    expect(readCookieValues(header, 'SID')).toEqual(['1']);
  });

  it('strips quotes and keeps "=" in values', () => {
    expect(readCookieValues('sid="abc"; sid=a=b', 'sid')).toEqual(['abc', 'a=b']);
  });

  it('returns raw values for bad percent escapes', () => {
    expect(readCookieValues('sid=%; sid=%G1; sid=%E0%A4%A', 'sid')).toEqual([
      '%',
      '%G1',
      '%E0%A4%A',
    ]);
  });

  it('handles whitespace variants', () => {
    expect(readCookieValues('sid=a;sid=b;  sid  =  c  ;\tsid\t=\td\t', 'sid')).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('finds the value in a 64 KiB header', () => {
    const filler = 'x'.repeat(64 * 1024);
    expect(readCookieValues(`big=${filler}; sid=abc; other=${filler}`, 'sid')).toEqual(['abc']);
    expect(readCookieValues(`sid=${filler}`, 'sid')).toEqual([filler]);
  });

  it('finds the values in a 10,000-pair header', () => {
    const parts: string[] = [];
    for (let i = 0; i < 10_000; i++) parts.push(i % 2_500 === 0 ? `sid=s${i}` : `k${i}=v${i}`);
    expect(readCookieValues(parts.join('; '), 'sid')).toEqual(['s0', 's2500', 's5000', 's7500']);
  });

  it('skips non-string lines and non-iterables (JS callers)', () => {
    expect(readCookieValues([1, 'sid=a', null] as unknown as string[], 'sid')).toEqual(['a']);
    expect(readCookieValues({} as unknown as string, 'sid')).toEqual([]);
    expect(readCookieValues('sid=a', 5 as unknown as string)).toEqual([]);
  });
});
