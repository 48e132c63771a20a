import { malformedSlackPayload, slackBodyCheck } from '../../src/slack/payload-guard';
import { TEST_SIGNING_SECRET } from '../helpers/config';
import { buttonClickPayload, signSlackRequest, viewSubmissionPayload } from '../helpers/slack-requests';

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

describe('slackBodyCheck', () => {
  const check = slackBodyCheck(TEST_SIGNING_SECRET);

  it('passes any body that decodes to an object, signed or not (Bolt verifies it next)', () => {
    expect(check(form({ type: 'block_actions' }), FORM)).toBe(undefined);
    expect(check(Buffer.from('command=%2Fpickup'), FORM)).toBe(undefined);
  });

  it('refuses a body that decodes to no object: 400 when correctly signed, 401 otherwise', () => {
    const body = form(null);
    expect(check(body, { ...FORM, ...signSlackRequest(body.toString(), TEST_SIGNING_SECRET) })).toEqual({
      status: 400,
      error: 'malformed Slack payload',
    });
    expect(check(body, { ...FORM, ...signSlackRequest(body.toString(), 'another-secret') })).toMatchObject({
      status: 401,
    });
    const json = Buffer.from('7');
    expect(
      check(json, { 'content-type': 'application/json', ...signSlackRequest('7', TEST_SIGNING_SECRET) }),
    ).toMatchObject({ status: 400 });
  });
});
