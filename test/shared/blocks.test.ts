import type { ChatPostMessageArguments, ViewsOpenArguments, ViewsPublishArguments } from '@slack/web-api';
import { buildOutcomeModal } from '../../src/calls/claim.blocks';
import { buildHomeView } from '../../src/home/home.blocks';
import { buildQueue } from '../../src/picks/queue.blocks';
import type { Block, HomeTab, Modal } from '../../src/ports/slack.port';
import {
  actions,
  button,
  context,
  customerTextSection,
  fallbackText,
  fields,
  header,
  inputBlock,
  LIMITS,
  option,
  plainText,
  section,
} from '../../src/shared/blocks';
import { INPUT_ACTION_ID } from '../../src/shared/ids';
import { blockKitProblems, MESSAGE_MAX_BLOCKS } from '../helpers/block-kit';
import { INJECTION, INJECTION_ESCAPED, liveInjections } from '../helpers/customer-text';

/**
 * The compiler checks Block Kit. These lines are checked by `tsc --noEmit` (CI's typecheck), not by Jest, which
 * strips types: each `@ts-expect-error` fails the typecheck if the malformed block below it ever compiles.
 */
describe('Block Kit is typed with @slack/types', () => {
  it('refuses malformed blocks, elements and views at compile time', () => {
    const malformed: unknown[] = [
      // @ts-expect-error: no such block type
      { type: 'sectoin', text: { type: 'mrkdwn', text: 'x' } } satisfies Block,
      // @ts-expect-error: a header takes plain_text only
      { type: 'header', text: { type: 'mrkdwn', text: 'x' } } satisfies Block,
      // @ts-expect-error: a button's text is a text object, not a string
      actions('b', { type: 'button', text: 'Go', action_id: 'go' }),
      // @ts-expect-error: a section cannot sit among an actions block's elements
      actions('b', section('x')),
      // @ts-expect-error: a button style is primary or danger
      button('Go', 'go', '1', 'secondary'),
      // @ts-expect-error: an input needs an input element, not a button
      inputBlock('b', 'Label', button('Go', 'go', '1')),
      // @ts-expect-error: a modal needs a title
      { type: 'modal', blocks: [] } satisfies Modal,
      // @ts-expect-error: Pickup's views take only known blocks, though the SDK's View takes any { type: string }
      { type: 'home', blocks: [{ type: 'sectoin' }] } satisfies HomeTab,
    ];
    expect(malformed).toHaveLength(8);
  });

  it('hands the SDK what it takes without a cast', () => {
    const message: ChatPostMessageArguments = { channel: 'C1', ...buildQueue([], 0, new Date()) };
    const modal: ViewsOpenArguments = { trigger_id: 't', view: buildOutcomeModal(1, 'subject') };
    const home: ViewsPublishArguments = {
      user_id: 'U1',
      view: buildHomeView({
        userId: 'U1',
        now: new Date(),
        today: '2026-11-30',
        timezone: 'UTC',
        execChannel: undefined,
        executive: undefined,
        lead: undefined,
        askFor: undefined,
      }),
    };
    expect([message, modal, home].every(Boolean)).toBe(true);
  });
});

describe('the shared block helpers keep to Slack’s limits', () => {
  const long = `${INJECTION} `.repeat(500);

  it.each<[helper: string, build: () => Block[]]>([
    ['header', () => [header(long)]],
    ['section', () => [section(long)]],
    ['fields (more than 10, each too long)', () => [fields(Array.from({ length: 15 }, () => ['Label', long]))]],
    ['context (more than 10 elements, each too long)', () => [context(...Array.from({ length: 15 }, () => long))]],
    ['customerTextSection', () => [customerTextSection('What they said', long)]],
    ['actions with a long button', () => [actions('a', button(long, 'go', long.repeat(3), 'primary'))]],
    [
      'inputBlock with a select of long options',
      () => [
        inputBlock('b', 'Pick one', {
          type: 'static_select',
          options: [option(long, long), option('short', 'Short')],
        }),
      ],
    ],
  ])('%s', (_helper, build) => {
    expect(blockKitProblems(build(), MESSAGE_MAX_BLOCKS)).toEqual([]);
  });

  it('cuts to the limits exactly, not below them', () => {
    const text = (b: Block) => (b.type === 'header' || b.type === 'section' ? (b.text?.text ?? '') : '');
    expect(text(header('h'.repeat(1000)))).toHaveLength(LIMITS.headerText);
    expect(text(section('s'.repeat(10_000)))).toHaveLength(LIMITS.sectionText);
    const go = button('b'.repeat(100), 'go', 'v'.repeat(3000));
    expect(go.text.text).toHaveLength(LIMITS.buttonText);
    expect(go.value).toHaveLength(LIMITS.buttonValue);
    const choice = option('v'.repeat(200), 't'.repeat(100));
    expect(choice.text.text).toHaveLength(LIMITS.optionText);
    expect(choice.value).toHaveLength(LIMITS.optionValue);
  });

  it('escapes customer text where it is mrkdwn, and leaves plain text as typed', () => {
    expect(liveInjections([customerTextSection('Said', INJECTION)])).toEqual([]);
    expect(JSON.stringify(customerTextSection('Said', INJECTION))).toContain(INJECTION_ESCAPED);
    expect(fallbackText(`${INJECTION}\n\nmore`)).toBe(`${INJECTION_ESCAPED} more`);
    expect(plainText(INJECTION)).toEqual({ type: 'plain_text', text: INJECTION });
  });

  it('gives every modal input the one action_id, whatever the element says', () => {
    const input = inputBlock('b', 'Label', { type: 'plain_text_input', action_id: 'other' });
    expect(input.element.action_id).toBe(INPUT_ACTION_ID);
  });
});
