/**
 * Text helpers for the plan report: every piece of plan text (addresses, values, keys,
 * diagnostics) comes from configuration or the cloud and may hold Markdown, HTML,
 * mentions, control or bidirectional-override characters. Each helper makes text safe
 * for one context of the comment.
 */

/**
 * Characters that reorder or hide text (Unicode bidi controls, zero-width joiners and
 * marks, byte order mark): shown as `\u202e` so that a reviewer reads what is really there
 * (the "Trojan Source" class, CVE-2021-42574).
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One line of plain text: newlines, tabs and invisible or reordering characters made visible. */
export function visible(text: string): string {
  // Most plan text has nothing to escape: one test instead of three replacements.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/\r\n|\r|\n/g, '\\n').replace(/\t/g, '\\t').replace(INVISIBLE, hex4);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  // Not HTML specials, but GitHub parses Markdown between inline HTML tags (emphasis,
  // links, code spans) and links @mentions and #123: entities keep them literal.
  '`': '&#96;', '@': '&#64;', '#': '&#35;', '*': '&#42;', _: '&#95;', '[': '&#91;', ']': '&#93;', '|': '&#124;', '\\': '&#92;',
};

/**
 * Plan text as inline code, in Markdown or HTML: a `<code>` element with every special
 * character as an entity. A Markdown code span cannot be used safely, since a backtick in
 * the text would end it and let the rest render as Markdown.
 */
export function code(text: string): string {
  return `<code>${plain(text)}</code>`;
}

/** Plan text as literal prose in Markdown or HTML: every special character as an entity. */
export function plain(text: string): string {
  return visible(text).replace(/[&<>"'`@#*_[\]|\\]/g, (c) => HTML_ENTITIES[c]);
}

/**
 * Plan text inside a fenced code block: one line (so no line can close the fence, as our
 * lines never start with a fence) with invisible characters made visible. Mentions, links
 * and HTML are not rendered inside a fence.
 */
export const fenced = visible;

/**
 * The largest prefix of `text` of at most `max` UTF-16 units that does not split a
 * character: not between the two halves of a surrogate pair, nor inside a grapheme
 * (an emoji with modifiers or joiners, a letter with combining marks).
 */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (plainBoundary(text, max)) return text.slice(0, max);
  // Only the few characters before the cut can hold the grapheme it would split.
  const from = Math.max(0, max - 64);
  let end = from;
  for (const { index, segment } of segmenter().segment(text.slice(from, max + 64))) {
    if (from + index + segment.length > max) break;
    end = from + index + segment.length;
  }
  // A grapheme longer than the look-back (rare): at least never split a surrogate pair.
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/** `cut` from the end: the largest suffix of at most `max` units that splits no character. */
export function cutEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  const start = text.length - max;
  if (plainBoundary(text, start)) return text.slice(start);
  const from = Math.max(0, start - 64);
  for (const { index } of segmenter().segment(text.slice(from, start + 64))) {
    if (from + index >= start) return text.slice(from + index);
  }
  return '';
}

/**
 * Between two characters below U+0300 (Latin, no combining marks, joiners, variation
 * selectors or surrogates) there is always a grapheme boundary (CR LF aside, and plan
 * text is made `visible` first): the common case needs no segmenter, which is slow.
 */
const plainBoundary = (text: string, at: number) => text.charCodeAt(at - 1) < 0x300 && text.charCodeAt(at) < 0x300 && text.charCodeAt(at - 1) !== 13;

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

let cachedSegmenter: Intl.Segmenter | undefined;
function segmenter(): Intl.Segmenter {
  cachedSegmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return cachedSegmenter;
}

/** `text` shortened to at most `max` units with an ellipsis, never splitting a character. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${cut(text, max - 1)}…`;
}

/**
 * Before and after shortened to `max` units each around the part that differs, so that a
 * change past the first `max` characters is still visible: the common prefix and suffix
 * are elided (`…`) keeping a little context.
 */
export function window(before: string, after: string, max: number): [string, string] {
  if (before.length <= max && after.length <= max) return [before, after];
  let prefix = 0;
  const shortest = Math.min(before.length, after.length);
  while (prefix < shortest && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  const context = 16;
  const one = (text: string): string => {
    const start = Math.max(0, prefix - context);
    const head = start > 0 ? `…${cutEnd(text.slice(0, prefix), prefix - start)}` : text.slice(0, prefix);
    const middleAndTail = text.slice(prefix);
    const room = max - head.length;
    if (middleAndTail.length <= room) return head + middleAndTail;
    // The differing middle first, then as much of the common tail as fits.
    const middle = middleAndTail.slice(0, middleAndTail.length - suffix);
    if (middle.length + 1 >= room) return `${head}${cut(middle, room - 1)}…`;
    return `${head}${middle}${cut(middleAndTail.slice(middle.length), room - middle.length - 1)}…`;
  };
  return [one(before), one(after)];
}
