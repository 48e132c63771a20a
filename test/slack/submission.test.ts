import { z } from 'zod';
import { createLogger } from '../../src/logger';
import { DomainError } from '../../src/shared/errors';
import { parsePrivateMetadata, submitThenAck } from '../../src/slack/submission';

const schema = z.object({ claimId: z.number().int().positive() });
const STALE = 'This form is out of date.';

describe('parsePrivateMetadata', () => {
  it.each([
    ['what Pickup wrote', '{"claimId":7}', { claimId: 7 }],
    ['extra keys from a newer release', '{"claimId":7,"more":true}', { claimId: 7 }],
  ])('reads %s', (_name, text, expected) => {
    expect(parsePrivateMetadata(schema, text, STALE)).toEqual(expected);
  });

  it('reads empty metadata as an empty object, for schemas whose keys are optional', () => {
    expect(parsePrivateMetadata(z.object({ channelId: z.string().optional() }), '', STALE)).toEqual({});
  });

  it.each([
    ['not JSON', '{claimId:7'],
    ['the wrong shape', '{"claimId":"seven"}'],
    ['JSON that is not an object', '7'],
    ['empty, when a key is required', ''],
  ])('refuses %s as a stale form', (_name, text) => {
    expect(() => parsePrivateMetadata(schema, text, STALE)).toThrow(new DomainError('invalid_input', STALE));
  });
});

describe('submitThenAck', () => {
  const logger = createLogger('silent');
  const failure = { errorBlock: 'subject', logger, context: {} };

  it('acks empty after the work succeeds, and hands back its result', async () => {
    const acks: unknown[] = [];
    const result = await submitThenAck(
      async (r) => void acks.push(r),
      failure,
      async () => 42,
    );
    expect(result).toEqual({ ok: true, value: 42 });
    expect(acks).toEqual([undefined]);
  });

  it('shows a known failure in the modal, under the named input', async () => {
    const acks: unknown[] = [];
    const result = await submitThenAck(
      async (r) => void acks.push(r),
      failure,
      async () => {
        throw new DomainError('not_your_claim', 'This call belongs to <@U1>.');
      },
    );
    expect(result).toEqual({ ok: false });
    expect(acks).toEqual([{ response_action: 'errors', errors: { subject: 'This call belongs to <@U1>.' } }]);
  });

  it('shows an unknown failure with a reference, never its message', async () => {
    const acks: { errors?: Record<string, string> }[] = [];
    await submitThenAck(
      async (r) => void acks.push(r ?? {}),
      failure,
      async () => {
        throw new Error('relation "claims" does not exist');
      },
    );
    expect(acks[0]?.errors?.subject).toMatch(/reference [0-9a-f]{8}/);
    expect(acks[0]?.errors?.subject).not.toContain('claims');
  });
});
