import { code, cut, cutEnd, shorten, visible, window } from '../../../tools/plan-report/text';

describe('plan report text helpers', () => {
  const family = '👩🏽‍💻'; // woman, skin tone, zero-width joiner, laptop: 7 UTF-16 units, one character

  it('cuts only between characters: never inside a surrogate pair or a joined emoji', () => {
    expect(family).toHaveLength(7);
    for (let max = 1; max < 7; max++) expect(cut(`a${family}b`, max)).toBe('a');
    expect(cut(`a${family}b`, 8)).toBe(`a${family}`);
    expect(cut('e\u0301tude', 1)).toBe(''); // a letter and its combining accent stay together
    expect(cutEnd(`a${family}b`, 7)).toBe('b');
    expect(cutEnd(`a${family}b`, 8)).toBe(`${family}b`);
    expect(shorten('abcdef', 4)).toBe('abc…');
  });

  it('shows where two long values differ, even past the first characters', () => {
    const before = `${'x'.repeat(300)}OLD${'y'.repeat(300)}`;
    const after = `${'x'.repeat(300)}NEW${'y'.repeat(300)}`;
    const [b, a] = window(before, after, 60);
    expect(b).toMatch(/^…x+OLDy+…$/);
    expect(a).toMatch(/^…x+NEWy+…$/);
    expect(b.length).toBeLessThanOrEqual(60);
    expect(window('short', 'other', 60)).toEqual(['short', 'other']);
  });

  it('makes control and bidirectional characters visible, and escapes inline code for HTML and Markdown', () => {
    expect(visible('a\nb\u202ec\u2066d\u200be')).toBe('a\\nb\\u202ec\\u2066d\\u200be');
    expect(code('a`b</code>@x #1 *y* [l](u) _z_')).toBe('<code>a&#96;b&lt;/code&gt;&#64;x &#35;1 &#42;y&#42; &#91;l&#93;(u) &#95;z&#95;</code>');
  });
});
