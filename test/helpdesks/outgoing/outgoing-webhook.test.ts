import {
  computeSignature,
  createOutgoingWebhook,
  parseRetryAfter,
  signatureHeader,
  verifyPickupSignature,
  WEBHOOK_USER_AGENT,
} from '../../../src/helpdesks/outgoing/outgoing-webhook';
import { type PickupEvent, WebhookDeliveryError } from '../../../src/ports/events.port';
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from '../../helpers/fake-webhook-receiver';

const SECRET = 'whsec-0123456789abcdef';
const NOW_MS = Date.parse('2026-12-07T10:00:00Z');
const T = NOW_MS / 1000;
const BODY = '{"id":"evt_1","type":"complaint.picked"}';

const event: PickupEvent = {
  id: 'evt_3b1f0f5e-0000-4000-8000-000000000001',
  type: 'action.changed',
  occurredAt: '2026-12-07T10:00:00.000Z',
  data: { action: { id: 1, complaintId: 2, status: 'open', theme: 'billing', owner: 'U1', dueDate: null } },
};

describe('the Pickup-Signature scheme (t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">)', () => {
  it('signs as Stripe does, and verifies what it signed', () => {
    const header = signatureHeader([SECRET], T, BODY);
    expect(header).toBe(`t=${T},v1=${computeSignature(SECRET, T, BODY)}`);
    expect(header).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
    expect(verifyPickupSignature(SECRET, header, BODY, NOW_MS, 300_000)).toBe(true);
    expect(verifyPickupSignature(SECRET, header, Buffer.from(BODY), NOW_MS + 299_000, 300_000)).toBe(true);
  });

  it.each([
    ['a tampered body', signatureHeader([SECRET], T, BODY), `${BODY} `, NOW_MS],
    ['another secret', signatureHeader(['another-secret-0123456'], T, BODY), BODY, NOW_MS],
    ['a stale timestamp', signatureHeader([SECRET], T, BODY), BODY, NOW_MS + 301_000],
    ['a timestamp from the future', signatureHeader([SECRET], T, BODY), BODY, NOW_MS - 301_000],
    [
      'a timestamp moved to look fresh',
      signatureHeader([SECRET], T, BODY).replace(`t=${T}`, `t=${T + 60}`),
      BODY,
      NOW_MS,
    ],
    ['no header', undefined, BODY, NOW_MS],
    ['no timestamp', `v1=${computeSignature(SECRET, T, BODY)}`, BODY, NOW_MS],
    ['no v1', `t=${T}`, BODY, NOW_MS],
    ['a v0 scheme only', `t=${T},v0=${computeSignature(SECRET, T, BODY)}`, BODY, NOW_MS],
    ['a truncated signature', signatureHeader([SECRET], T, BODY).slice(0, -2), BODY, NOW_MS],
    ['garbage', 't=abc,v1=zz', BODY, NOW_MS],
  ])('refuses %s', (_what, header, body, nowMs) => {
    expect(verifyPickupSignature(SECRET, header, body, nowMs, 300_000)).toBe(false);
  });

  it('signs with every secret while one is rotated, so a receiver holding either verifies it', () => {
    const header = signatureHeader(['old-secret-0123456789', 'new-secret-0123456789'], T, BODY);
    expect(header.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(2);
    expect(verifyPickupSignature('old-secret-0123456789', header, BODY, NOW_MS)).toBe(true);
    expect(verifyPickupSignature('new-secret-0123456789', header, BODY, NOW_MS)).toBe(true);
    expect(verifyPickupSignature('third-secret-012345678', header, BODY, NOW_MS)).toBe(false);
  });
});

describe('Retry-After', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Mon, 07 Dec 2026 10:00:30 GMT', 30_000],
    ['Mon, 07 Dec 2026 09:00:00 GMT', 0],
    ['99999999', 24 * 60 * 60_000],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('reads %j as %j ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW_MS)).toBe(ms);
  });
});

describe('sending an event to the receiver', () => {
  let receiver: FakeWebhookReceiver;
  const sender = (timeoutMs?: number) =>
    createOutgoingWebhook({
      url: receiver.url,
      secrets: [SECRET],
      now: () => new Date(),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  const refusalOf = async (timeoutMs?: number): Promise<WebhookDeliveryError> => {
    const err = await sender(timeoutMs)
      .send(event)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    if (!(err instanceof WebhookDeliveryError)) throw new Error(`expected a WebhookDeliveryError, got ${String(err)}`);
    return err;
  };

  beforeAll(async () => {
    receiver = await startFakeWebhookReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('POSTs the event as JSON with its id, type, user agent and a signature over the exact body', async () => {
    await sender().send(event);
    const [got] = receiver.received;
    expect(got?.event).toEqual(event);
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'pickup-event-id': event.id,
      'pickup-event-type': 'action.changed',
    });
    const signature = String(got?.headers['pickup-signature']);
    expect(verifyPickupSignature(SECRET, signature, got?.rawBody ?? '', Date.now(), 300_000)).toBe(true);
  });

  it.each([200, 201, 202, 204])('counts HTTP %i as delivered', async (status) => {
    receiver.answerNext(1, { status });
    await expect(sender().send(event)).resolves.toBeUndefined();
  });

  it.each([
    [410, 'Gone'],
    [400, 'bad request'],
    [401, 'invalid signature'],
    [403, ''],
    [404, 'no such hook'],
    [422, 'unknown event type'],
  ])('refuses for good on HTTP %i, with the status and what the receiver said', async (status, body) => {
    receiver.answerNext(1, { status, body });
    const err = await refusalOf();
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(status);
    expect(err.message).toBe(`the webhook receiver answered HTTP ${status}${body ? `: ${body}` : ''}`);
  });

  it.each([408, 429, 500, 502, 503])('retries HTTP %i, after Retry-After when given', async (status) => {
    receiver.answerNext(1, { status, retryAfter: '7' });
    const err = await refusalOf();
    expect(err).toMatchObject({ retryable: true, status, retryAfterMs: 7_000 });
  });

  it('does not follow a redirect: a permanent refusal that names where it points', async () => {
    receiver.answerNext(1, { status: 301, location: 'https://crm.example.com/new-hook' });
    const err = await refusalOf();
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('HTTP 301 (a redirect to https://crm.example.com/new-hook)');
    expect(receiver.received).toHaveLength(1);
  });

  it('retries a receiver that does not answer within the time-out', async () => {
    receiver.answerNext(1, { hold: true });
    const err = await refusalOf(300);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe('the webhook receiver did not answer within 0.3 s');
  });

  it('retries a dropped connection, and a receiver that is not there, naming the network error', async () => {
    receiver.answerNext(1, { reset: true });
    expect((await refusalOf()).retryable).toBe(true);
    const closed = await startFakeWebhookReceiver();
    await closed.close();
    const gone = createOutgoingWebhook({ url: closed.url, secrets: [SECRET], now: () => new Date() });
    const err = await gone.send(event).catch((e: unknown) => e);
    if (!(err instanceof WebhookDeliveryError)) throw new Error(`expected a WebhookDeliveryError, got ${String(err)}`);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^could not reach the webhook receiver: ECONNREFUSED/);
  });
});
