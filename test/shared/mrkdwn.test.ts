import fc from 'fast-check';
import { escapeAndTruncate, escapeMrkdwn, truncate } from '../../src/shared/mrkdwn';

/** Text built from the pieces that matter to mrkdwn: markup, entity fragments, astral characters, plain letters. */
const tricky = fc.oneof(
  fc.string({
    unit: fc.constantFrom('<', '>', '&', 'amp;', 'lt;', 'gt;', '!', '@', '|', '#', 'a', ' ', '\n', '😀', 'é', '…'),
    maxLength: 60,
  }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
);

/** Limits from 1 up to a bit past the longest escaped text the generators make. */
const limit = fc.integer({ min: 1, max: 300 });

const ENTITY_OR_AMPERSAND = /&(amp;|lt;|gt;)?/g;
/** True when every `&` starts one of the three entities escapeMrkdwn writes. */
const onlyWholeEntities = (text: string) => [...text.matchAll(ENTITY_OR_AMPERSAND)].every((m) => m[1] !== undefined);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unescapeMrkdwn = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('escapeMrkdwn', () => {
  it('escapes mentions, broadcasts and links so they show literally', () => {
    expect(escapeMrkdwn('<!channel> <@U1> <https://x|y>')).toBe('&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt;');
    expect(escapeMrkdwn('<!here|here> <#C123> <!subteam^S1>')).toBe(
      '&lt;!here|here&gt; &lt;#C123&gt; &lt;!subteam^S1&gt;',
    );
  });

  it('escapes & first, so text that looks like an entity stays what the customer typed', () => {
    expect(escapeMrkdwn('Fish & chips')).toBe('Fish &amp; chips');
    expect(escapeMrkdwn('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('leaves text without markup alone', () => {
    expect(escapeMrkdwn('Refund *still* missing after 3 weeks 😀')).toBe('Refund *still* missing after 3 weeks 😀');
  });

  it('never leaves a raw < or >, so nothing can ping or link; every & starts a whole entity; nothing is lost', () => {
    fc.assert(
      fc.property(tricky, (text) => {
        const escaped = escapeMrkdwn(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped).not.toContain('<!');
        expect(onlyWholeEntities(escaped)).toBe(true);
        expect(unescapeMrkdwn(escaped)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('escapeAndTruncate', () => {
  it('returns the escaped text untouched when it fits', () => {
    expect(escapeAndTruncate('<@U1> said hi', 20)).toBe('&lt;@U1&gt; said hi');
    expect(escapeAndTruncate('<@U1> said hi', 19)).toBe('&lt;@U1&gt; said hi');
  });

  it('cuts with an ellipsis, dropping an entity the cut would split', () => {
    expect(escapeAndTruncate('<<<<', 5)).toBe('&lt;…');
    expect(escapeAndTruncate('a<b', 4)).toBe('a…');
    expect(escapeAndTruncate('a&b', 5)).toBe('a…');
    expect(escapeAndTruncate('ab&cd', 8)).toBe('ab&amp;…');
    expect(escapeAndTruncate('ab&cd', 7)).toBe('ab…');
    expect(escapeAndTruncate('<!channel>', 1)).toBe('…');
  });

  it('never splits an astral character', () => {
    expect(escapeAndTruncate('😀😀😀', 4)).toBe('😀…');
    expect(escapeAndTruncate('😀😀😀', 5)).toBe('😀😀…');
  });

  it('stays within the limit, never ends in a partial entity, and keeps a prefix of the escaped text', () => {
    fc.assert(
      fc.property(tricky, limit, (text, max) => {
        const out = escapeAndTruncate(text, max);
        const escaped = escapeMrkdwn(text);

        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/[<>]/);
        expect(onlyWholeEntities(out)).toBe(true);
        if (escaped.length <= max) {
          expect(out).toBe(escaped);
        } else {
          expect(out.endsWith('…')).toBe(true);
          expect(escaped.startsWith(out.slice(0, -1))).toBe(true);
        }
        if (!LONE_SURROGATE.test(text)) expect(out).not.toMatch(LONE_SURROGATE);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('truncate', () => {
  it('keeps text that fits and cuts the rest to exactly the limit, ellipsis included', () => {
    expect(truncate('short', 5)).toBe('short');
    expect(truncate('longer text', 6)).toBe('longe…');
  });

  it('stays within any limit of at least 1 without splitting a surrogate pair', () => {
    fc.assert(
      fc.property(tricky, limit, (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        if (!LONE_SURROGATE.test(text)) expect(out).not.toMatch(LONE_SURROGATE);
      }),
      { numRuns: 500 },
    );
  });
});
