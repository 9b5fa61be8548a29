import { describe, expect, it } from 'vitest';
import { hostOf } from '../../src/session/issue-token-header.js';

describe('hostOf (the insecure-request warning host)', () => {
  it.each([
    'http://localhost/',
    'http://localhost:3000/path?q=1',
    'http://127.0.0.1:8080',
    'http://[::1]:3000/x',
    'http://user:pw@app.example.com:81/a#b',
    'http://APP.Example.COM/',
    'http://app.localhost?x',
    'http://example.com#frag',
    'http://example.com\\path',
  ])('agrees with new URL().hostname for %s', (url) => {
    expect(hostOf(url)).toBe(new URL(url).hostname);
  });
});
