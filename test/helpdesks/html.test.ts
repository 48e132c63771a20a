import fc from 'fast-check';
import { collapseWhitespace, htmlToText, textToHtml } from '../../src/helpdesks/html';

describe('htmlToText', () => {
  it.each([
    ['plain text stays as it is', 'Charged twice', 'Charged twice'],
    ['inline tags go', 'My <b>order</b> arrived <em class="x">broken</em>', 'My order arrived broken'],
    ['<br> in every spelling is a line break', 'one<br>two<BR/>three<br />four', 'one\ntwo\nthree\nfour'],
    ['paragraphs and divs end lines', '<p>First</p><p>Second</p><div>Third</div>', 'First\nSecond\nThird'],
    [
      'list items become "- " lines',
      '<ul><li>Ordered 12 Nov</li><li>Invoiced 14 Nov</li></ul>',
      '- Ordered 12 Nov\n- Invoiced 14 Nov',
    ],
    [
      'pretty-printed lists keep the bullet on its text',
      '<ul>\n  <li>\n    <p>One</p>\n  </li>\n  <li>Two</li>\n</ul>',
      '- One\n- Two',
    ],
    ['named entities', '&amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39; a&nbsp;b &apos;', "& <tag> \"q\" 's' a b '"],
    ['decimal and hex entities', '&#233;t&#xE9; &#x1F600; &#8364;5', 'été 😀 €5'],
    ['entities decode once only', '&amp;lt;b&amp;gt;', '&lt;b&gt;'],
    ['escaped markup is text, not a tag', '&lt;script&gt;alert(1)&lt;/script&gt;', '<script>alert(1)</script>'],
    ['unknown entities are kept', '&bogus; &#0; &#x110000;', '&bogus; &#0; &#x110000;'],
    ['a lone "<" in text survives', 'if a < b and c > d', 'if a < b and c > d'],
    [
      'scripts, styles and comments vanish with their content',
      '<style>p{x:1}</style><script>var a=1</script>Hi<!-- note -->!',
      'Hi!',
    ],
    ['whitespace runs collapse and ends are trimmed', '  lots\t of   space \n\n\n  here  ', 'lots of space\nhere'],
    [
      'a Freshdesk description',
      '<div>Hello,<br><br>Our invoice <b>INV-2291</b>&nbsp;is wrong.</div>',
      'Hello,\nOur invoice INV-2291 is wrong.',
    ],
    ['empty', '', ''],
    ['tags only', '<div><br></div>', ''],
  ])('%s', (_, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  it('never leaves a tag, runs of spaces or outer whitespace behind', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('<p>', '</p>', '<br>', '<li>', 'word', ' ', '\n', '&amp;', '<b>', '</div>')),
        (parts) => {
          const text = htmlToText(parts.join(''));
          expect(text).not.toMatch(/<\/?[a-z]+>/i);
          expect(text).not.toMatch(/\s\s/);
          expect(text).toBe(text.trim());
        },
      ),
    );
  });
});

describe('collapseWhitespace', () => {
  it('keeps one line break where a run spans lines, one space elsewhere', () => {
    expect(collapseWhitespace(' a \t b \n \n c ')).toBe('a b\nc');
  });
});

describe('textToHtml', () => {
  it('escapes the text and keeps its paragraphs and line breaks', () => {
    expect(textToHtml('Tom & <Jerry> said "hi"\nit\'s done\n\n\nNext')).toBe(
      '<p>Tom &amp; &lt;Jerry&gt; said &quot;hi&quot;<br>it&#39;s done</p><p>Next</p>',
    );
  });

  it('reads back as the same text through htmlToText', () => {
    const text = 'a < b && c > d\nsecond line';
    expect(htmlToText(textToHtml(text))).toBe(text);
  });

  it('gives nothing for blank text', () => {
    expect(textToHtml(' \n\n ')).toBe('');
  });
});
