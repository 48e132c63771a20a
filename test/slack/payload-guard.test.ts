import { malformedSlackPayload, slackBodyCheck } from '../../src/slack/payload-guard';
import { buttonClickPayload, viewSubmissionPayload } from '../helpers/slack-requests';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function form(payload: unknown): Buffer {
  return Buffer.from(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
}

describe('malformedSlackPayload', () => {
  it('accepts what Slack sends', () => {
    expect(malformedSlackPayload(buttonClickPayload({ actionId: 'claim_complaint', value: '1', userId: 'U1' }))).toBe(
      undefined,
    );
    expect(
      malformedSlackPayload(viewSubmissionPayload({ callbackId: 'outcome_modal', userId: 'U1', values: {} })),
    ).toBe(undefined);
    expect(
      malformedSlackPayload({ command: '/pickup', user_id: 'U1', channel_id: 'C1', text: '', trigger_id: 't' }),
    ).toBe(undefined);
  });

  it('names what a payload lacks', () => {
    expect(
      malformedSlackPayload({ type: 'view_submission', view: { callback_id: 'escalate_modal', state: 7 } }),
    ).toEqual(expect.arrayContaining(['user', 'view.state']));
    expect(malformedSlackPayload({ type: 'block_actions', user: { id: 'U1' }, actions: 'x' })).toEqual(['actions']);
    expect(malformedSlackPayload(null)).toEqual(['(not an object)']);
  });

  it('leaves kinds it does not know to Bolt', () => {
    expect(malformedSlackPayload({ type: 'something_new' })).toBe(undefined);
  });
});

describe('slackBodyCheck (after the server verified the signature)', () => {
  it('passes any body that decodes to an object', () => {
    expect(slackBodyCheck(form({ type: 'block_actions' }), FORM)).toBe(undefined);
    expect(slackBodyCheck(Buffer.from('command=%2Fpickup'), FORM)).toBe(undefined);
  });

  it('refuses a body that decodes to no object with 400', () => {
    expect(slackBodyCheck(form(null), FORM)).toEqual({ status: 400, error: 'malformed Slack payload' });
    expect(slackBodyCheck(Buffer.from('7'), { 'content-type': 'application/json' })).toMatchObject({ status: 400 });
  });
});
