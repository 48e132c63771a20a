import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type { VendorSource } from '../../src/complaints/complaint';
import { openDatabase } from '../../src/db/connection';
import { FRESHDESK_BODY_TEMPLATE } from '../../src/helpdesks/freshdesk/freshdesk.adapter';
import { createHttpServer } from '../../src/http/server';
import { webhookRoutes } from '../../src/http/webhook.routes';
import { createLogger } from '../../src/logger';
import { findEligibleComplaintIds } from '../../src/picks/pick.repository';
import {
  FRESHDESK_VALUES,
  helpScoutConversation,
  helpScoutHeaders,
  helpScoutLegacyConversation,
  hubSignature,
  intercomConversation,
  intercomLegacyConversation,
  intercomTicket,
  jiraIssueCreated,
  renderTemplate,
  zendeskEvent,
  zendeskHeaders,
} from '../helpdesks/payloads';
import { TEST_INGEST_TOKEN, testConfig } from '../helpers/config';
import { describeOnPostgres } from '../helpers/env';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTestDb, type TestDb } from '../helpers/test-db';

const SECRETS = {
  zendesk: 'zendesk-webhook-secret-0123',
  freshdesk: 'freshdesk-webhook-secret-0123',
  jira: 'jira-webhook-secret-0123',
  intercom: 'intercom-client-secret-0123',
  helpscout: 'helpscout-webhook-secret-0123',
} satisfies Record<VendorSource, string>;

/** The values being rotated out: listed before the current ones, as an operator mid-rotation has them. */
const OLD_SECRETS = {
  zendesk: 'zendesk-old-secret-9876',
  freshdesk: 'freshdesk-old-secret-9876',
  jira: 'jira-old-secret-9876',
  intercom: 'intercom-old-secret-9876',
  helpscout: 'helpscout-old-secret-9876',
} satisfies Record<VendorSource, string>;
const OLD_INGEST_TOKEN = 'old-ingest-token-9876543210fedcba';

const VENDOR_ENV = {
  ZENDESK_WEBHOOK_SECRET: `${OLD_SECRETS.zendesk},${SECRETS.zendesk}`,
  FRESHDESK_WEBHOOK_SECRET: `${OLD_SECRETS.freshdesk}, ${SECRETS.freshdesk}`,
  JIRA_WEBHOOK_SECRET: `${OLD_SECRETS.jira},${SECRETS.jira}`,
  INTERCOM_CLIENT_SECRET: `${OLD_SECRETS.intercom},${SECRETS.intercom}`,
  HELPSCOUT_WEBHOOK_SECRET: `${OLD_SECRETS.helpscout},${SECRETS.helpscout}`,
  INGEST_TOKEN: `${OLD_INGEST_TOKEN},${TEST_INGEST_TOKEN}`,
  JIRA_URGENT_PRIORITIES: 'P1 - Drop everything',
  INTERCOM_MAJOR_TICKET_TYPES: 'Bug report',
};

const BEARER = { authorization: `Bearer ${TEST_INGEST_TOKEN}` };
/** A JSON body whose subject holds a byte that is no UTF-8 (0xFF), the rest of it well-formed. */
const notUtf8 = (json: string) => {
  const [before, after] = json.split('__BAD__') as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]);
};

/** An HTTP answer with its JSON body parsed. */
interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** POSTs exact bytes (a string is sent as is, anything else as its JSON), as application/json unless told. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The `id` of a 201 or 200 answer, failing the test when there is none. */
function idOf(answer: Answer): number {
  const id = (answer.body as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'number')
    throw new Error(`expected an id in ${JSON.stringify(answer.body)} (HTTP ${answer.status})`);
  return id;
}

let sequence = 0;
const nextId = () => {
  sequence += 1;
  return `${70_000 + sequence}`;
};

/** A valid, major generic complaint with its own externalId. */
function complaintBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: `wh-${nextId()}`,
    subject: 'Refund never arrived',
    description: 'Promised on 3 Nov, still nothing.',
    priority: 'urgent',
    customer: { name: 'Ada Lovelace', email: 'Ada@Example.com', phone: '+44 20 7946 0018', timezone: 'Europe/London' },
    url: 'https://help.example.com/tickets/1',
    ...overrides,
  };
}

describe('webhooks over HTTP', () => {
  let db: TestDb;
  let slack: FakeSlack;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDb();
    slack = await startFakeSlack();
    app = await startTestApp(db, slack, { env: VENDOR_ENV });
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    await db?.close();
  });

  const rowsFor = (source: string, externalId: string) =>
    db.db
      .selectFrom('complaints')
      .selectAll()
      .where('source', '=', source)
      .where('external_id', '=', externalId)
      .execute();
  const auditFor = (complaintId: number) =>
    db.db.selectFrom('audit_log').selectAll().where('complaint_id', '=', complaintId).orderBy('id').execute();

  describe('POST /webhooks/complaints', () => {
    const url = () => `${app.baseUrl}/webhooks/complaints`;

    it('creates a complaint: 201 with its id, the mapped row, and an audit row', async () => {
      const body = complaintBody({ tags: ['Billing'], supportTried: 'Refund retried twice' });

      const res = await post(url(), body, BEARER);

      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(Number), status: 'created' });
      const id = idOf(res);
      const rows = await rowsFor('api', String(body.externalId));
      expect(rows).toEqual([
        expect.objectContaining({
          id,
          subject: 'Refund never arrived',
          description: 'Promised on 3 Nov, still nothing.',
          support_tried: 'Refund retried twice',
          priority: 'urgent',
          tags: ['billing'],
          is_major: true,
          do_not_call: false,
          customer_name: 'Ada Lovelace',
          customer_email: 'ada@example.com',
          customer_phone: '+442079460018',
          customer_timezone: 'Europe/London',
          ticket_url: 'https://help.example.com/tickets/1',
        }),
      ]);
      expect(await auditFor(id)).toEqual([
        expect.objectContaining({
          actor: 'webhook:api',
          action: 'complaint.received',
          details: { source: 'api', externalId: body.externalId },
        }),
      ]);
    });

    it('answers a repeated delivery 200 duplicate with the same id, and keeps one row', async () => {
      const body = complaintBody({ source: 'portal' });
      const first = await post(url(), body, BEARER);
      const second = await post(url(), body, BEARER);

      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ id: idOf(first), status: 'duplicate' });
      expect(await rowsFor('portal', String(body.externalId))).toHaveLength(1);
    });

    it('ignores a low-priority complaint (202, nothing stored), then creates it once raised to urgent', async () => {
      const body = complaintBody({ priority: 'low' });

      const low = await post(url(), body, BEARER);
      expect(low.status).toBe(202);
      expect(low.body).toEqual({ status: 'ignored', reason: expect.stringContaining('not major') });
      expect(await rowsFor('api', String(body.externalId))).toEqual([]);

      const urgent = await post(url(), { ...body, priority: 'urgent' }, BEARER);
      expect(urgent.status).toBe(201);
      expect(await rowsFor('api', String(body.externalId))).toEqual([
        expect.objectContaining({ id: idOf(urgent), priority: 'urgent' }),
      ]);
    });

    it('updates the stored complaint on a re-delivery with a new subject, still one row, and audits it', async () => {
      const body = complaintBody();
      const created = await post(url(), body, BEARER);
      const id = idOf(created);

      const updated = await post(url(), { ...body, subject: 'Refund never arrived (third request)' }, BEARER);

      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({ id, status: 'duplicate' });
      expect(await rowsFor('api', String(body.externalId))).toEqual([
        expect.objectContaining({ id, subject: 'Refund never arrived (third request)' }),
      ]);
      expect((await auditFor(id)).map((a) => a.action)).toEqual(['complaint.received', 'complaint.updated']);
    });

    it('stores doNotCall', async () => {
      const body = complaintBody({ doNotCall: true });
      const res = await post(url(), body, BEARER);
      expect(res.status).toBe(201);
      expect((await rowsFor('api', String(body.externalId)))[0]?.do_not_call).toBe(true);
    });

    it('answers 400 naming every bad field path, and writes nothing', async () => {
      const body = complaintBody({
        priority: 'critical',
        customer: { name: '', email: 'not-an-email', phone: '12' },
        url: 'ftp://example.com/x',
        receivedAt: 'yesterday',
      });

      const res = await post(url(), body, BEARER);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: expect.any(String) });
      const issues = (res.body as { issues: { path: string; message: string }[] }).issues;
      expect(issues.map((i) => i.path).sort()).toEqual(
        ['customer.email', 'customer.name', 'customer.phone', 'priority', 'receivedAt', 'url'].sort(),
      );
      expect(issues).toContainEqual({ path: 'customer.email', message: 'must be an email address' });
      expect(issues).toContainEqual({ path: 'priority', message: 'must be one of urgent, high, normal, low' });
      expect(await rowsFor('api', String(body.externalId))).toEqual([]);
    });

    it('answers 400 for bodies that are not a complaint object at all', async () => {
      for (const body of ['null', '[]', '"complaint"', '42', '{}']) {
        const res = await post(url(), body, BEARER);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
    });

    it('answers 401 without a bearer token, with a wrong one, or with another scheme, and writes nothing', async () => {
      const body = complaintBody();
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer not-the-token' },
        { authorization: `Bearer ${TEST_INGEST_TOKEN}x` },
        { authorization: `Basic ${Buffer.from(`x:${TEST_INGEST_TOKEN}`).toString('base64')}` },
        { authorization: TEST_INGEST_TOKEN },
      ];
      for (const headers of attempts) {
        const res = await post(url(), body, headers);
        expect({ headers, status: res.status }).toEqual({ headers, status: 401 });
      }
      expect(await rowsFor('api', String(body.externalId))).toEqual([]);
    });

    it('answers 413 for a body over 256 KiB, declared or streamed, and writes nothing', async () => {
      const body = complaintBody({ description: 'x'.repeat(257 * 1024) });
      const declared = await post(url(), body, BEARER);
      expect(declared.status).toBe(413);

      const bytes = new TextEncoder().encode(JSON.stringify(body));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.slice(i, i + 16 * 1024));
          controller.close();
        },
      });
      const streamed = await fetch(url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...BEARER },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(await rowsFor('api', String(body.externalId))).toEqual([]);
    });

    it('accepts a body just under the limit', async () => {
      const body = complaintBody({ description: 'y'.repeat(20_000), supportTried: 'z'.repeat(5_000) });
      expect((await post(url(), body, BEARER)).status).toBe(201);
    });

    it('answers 415 when the body is not sent as JSON', async () => {
      const body = complaintBody();
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const res = await post(url(), body, { ...BEARER, 'content-type': type });
        expect({ type, status: res.status }).toEqual({ type, status: 415 });
      }
      expect(await rowsFor('api', String(body.externalId))).toEqual([]);
    });

    it('accepts JSON content types with a charset or a +json suffix', async () => {
      for (const type of ['application/json; charset=utf-8', 'application/vnd.pickup+json']) {
        const res = await post(url(), complaintBody(), { ...BEARER, 'content-type': type });
        expect({ type, status: res.status }).toEqual({ type, status: 201 });
      }
    });

    it('answers 400 with issues for malformed JSON', async () => {
      const res = await post(url(), '{"externalId": "x", "subject": ', BEARER);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.any(String), issues: [expect.objectContaining({ path: '' })] });
    });

    it('keeps refusing a trailing comma (the parser stays strict), naming the problem and where it is', async () => {
      const res = await post(url(), '{\n  "externalId": "x",\n  "subject": "Lost parcel",\n}', BEARER);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'the body is not valid JSON',
        issues: [
          {
            path: '',
            message:
              'invalid JSON: Expected double-quoted property name at line 4, column 1 (a trailing comma before it?)',
          },
        ],
      });
    });

    it('names a bad token without echoing the body back', async () => {
      const res = await post(url(), '{"customer": {"name": Ada Lovelace}}', BEARER);
      expect(res.status).toBe(400);
      const message = (res.body as { issues: { message: string }[] }).issues[0]?.message;
      expect(message).toBe("invalid JSON: Unexpected token 'A'");
      expect(message).not.toContain('Lovelace');
    });

    it('accepts the old and the new INGEST_TOKEN while it is rotated, and refuses a third', async () => {
      const withToken = (token: string) => post(url(), complaintBody(), { authorization: `Bearer ${token}` });
      expect((await withToken(OLD_INGEST_TOKEN)).status).toBe(201);
      expect((await withToken(TEST_INGEST_TOKEN)).status).toBe(201);
      expect((await withToken('a-third-token-0123456789abcdef')).status).toBe(401);
      expect((await withToken(`${OLD_INGEST_TOKEN},${TEST_INGEST_TOKEN}`)).status).toBe(401);
    });

    it('answers 400 to bytes that are not UTF-8, naming the problem, and writes nothing', async () => {
      const externalId = `wh-${nextId()}`;
      const raw = notUtf8(JSON.stringify(complaintBody({ externalId, subject: 'Refund __BAD__ missing' })));

      const res = await post(url(), raw, BEARER);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'the body is not valid UTF-8', issues: [{ path: '' }] });
      expect(await rowsFor('api', externalId)).toEqual([]);
    });

    it('answers 405 for GET and 404 for an unknown webhook', async () => {
      expect((await fetch(url())).status).toBe(405);
      expect((await post(`${app.baseUrl}/webhooks/salesforce`, complaintBody(), BEARER)).status).toBe(404);
    });
  });

  /** How to talk to one help desk's route, built from the adapter tests' payloads. */
  interface VendorCase {
    source: VendorSource;
    /** A major ticket with this id, as the vendor sends it. */
    body(id: string): unknown;
    /** The external id the ticket is stored under. */
    externalId(id: string): string;
    /** The vendor's authentication headers for these exact bytes. */
    sign(raw: Buffer, secret: string): Record<string, string>;
    /** Headers the vendor always sends that are not authentication. */
    plainHeaders?: Record<string, string>;
    /** What the stored row must hold. */
    expected: Record<string, unknown>;
    /** A signed event that is not about a ticket; undefined for vendors that only send tickets. */
    ignored?: { body: unknown; headers?: Record<string, string> };
  }

  const headerRecord = (h: Record<string, string | string[] | undefined>): Record<string, string> =>
    Object.fromEntries(Object.entries(h).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));

  const VENDORS: VendorCase[] = [
    {
      source: 'zendesk',
      body: (id) => zendeskEvent('zen:event-type:ticket.created', { id }),
      externalId: (id) => id,
      // Zendesk refuses signatures more than 5 minutes old, so sign with the real clock.
      sign: (raw, secret) => zendeskHeaders(raw, secret, new Date().toISOString()),
      expected: { subject: 'Charged twice for one order', priority: 'high', tags: ['billing', 'vip'] },
      ignored: { body: zendeskEvent('zen:event-type:user.created') },
    },
    {
      source: 'freshdesk',
      body: (id) => renderTemplate(FRESHDESK_BODY_TEMPLATE, { ...FRESHDESK_VALUES, 'ticket.id': id }),
      externalId: (id) => id,
      sign: (_raw, secret) => ({ 'x-pickup-secret': secret }),
      expected: {
        subject: 'Invoice shows the wrong VAT number',
        priority: 'high',
        customer_name: 'Sara Lindqvist',
        customer_email: 'sara@lindqvist.se',
        customer_company: 'Lindqvist AB',
      },
    },
    {
      source: 'jira',
      body: (id) => {
        const event = jiraIssueCreated();
        return { ...event, issue: { ...event.issue, key: `SUP-${id}` } };
      },
      externalId: (id) => `SUP-${id}`,
      sign: (raw, secret) => headerRecord(hubSignature('sha256', raw, secret)),
      expected: {
        subject: 'Data export has been failing for a week',
        priority: 'high',
        customer_name: 'Dana Whitfield',
        customer_email: 'dana.whitfield@example.com',
      },
      ignored: { body: { ...jiraIssueCreated(), webhookEvent: 'comment_created' } },
    },
    {
      source: 'intercom',
      body: (id) => intercomConversation('conversation.user.created', { id }),
      externalId: (id) => id,
      sign: (raw, secret) => headerRecord(hubSignature('sha1', raw, secret)),
      expected: {
        priority: 'normal',
        tags: ['vip'],
        customer_name: 'Priya Raman',
        customer_email: 'priya@example.org',
      },
      ignored: { body: intercomConversation('contact.user.created') },
    },
    {
      source: 'helpscout',
      body: (id) => helpScoutConversation({ id: Number(id) }),
      externalId: (id) => id,
      sign: (raw, secret) => headerRecord(helpScoutHeaders(raw, secret, 'convo.created')),
      plainHeaders: { 'x-helpscout-event': 'convo.created' },
      expected: {
        subject: 'Refund still missing after 3 weeks',
        priority: 'normal',
        tags: ['vip'],
        customer_name: 'Marcus Okafor',
        customer_email: 'marcus.okafor@example.net',
      },
      ignored: { body: helpScoutConversation(), headers: { 'x-helpscout-event': 'customer.created' } },
    },
  ];

  describe.each(VENDORS)('POST /webhooks/$source', (vendor) => {
    const url = () => `${app.baseUrl}/webhooks/${vendor.source}`;
    const secret = SECRETS[vendor.source];

    it('stores a signed ticket (201) mapped onto the complaint model; a repeat is a duplicate', async () => {
      const id = nextId();
      const raw = Buffer.from(JSON.stringify(vendor.body(id)));

      const res = await post(url(), raw.toString(), vendor.sign(raw, secret));

      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(Number), status: 'created' });
      expect(await rowsFor(vendor.source, vendor.externalId(id))).toEqual([
        expect.objectContaining({ id: idOf(res), is_major: true, ...vendor.expected }),
      ]);
      expect((await auditFor(idOf(res)))[0]).toMatchObject({ actor: `webhook:${vendor.source}` });

      const again = await post(url(), raw.toString(), vendor.sign(raw, secret));
      expect(again.body).toEqual({ id: idOf(res), status: 'duplicate' });
    });

    it('answers 401 to a bad or missing signature, and writes nothing', async () => {
      const id = nextId();
      const raw = Buffer.from(JSON.stringify(vendor.body(id)));

      const wrongSecret = await post(url(), raw.toString(), vendor.sign(raw, `${secret}-wrong`));
      const unsigned = await post(url(), raw.toString(), vendor.plainHeaders ?? {});
      const wrongBearer = await post(url(), raw.toString(), {
        ...vendor.plainHeaders,
        authorization: 'Bearer not-the-ingest-token',
      });

      expect([wrongSecret.status, unsigned.status, wrongBearer.status]).toEqual([401, 401, 401]);
      expect(await rowsFor(vendor.source, vendor.externalId(id))).toEqual([]);
    });

    // Freshdesk cannot sign bodies: its shared secret authenticates any body, so there is no tampering to detect.
    if (vendor.source !== 'freshdesk') {
      it('answers 401 when the body was changed after signing', async () => {
        const id = nextId();
        const raw = Buffer.from(JSON.stringify(vendor.body(id)));
        const headers = vendor.sign(raw, secret);

        const res = await post(url(), raw.toString().replace(id, `${id}9`), headers);

        expect(res.status).toBe(401);
        expect(await rowsFor(vendor.source, vendor.externalId(`${id}9`))).toEqual([]);
      });
    }

    it('accepts the old and the new secret while it is rotated, and refuses a third', async () => {
      const statuses: number[] = [];
      for (const key of [OLD_SECRETS[vendor.source], secret, `third-${secret}`]) {
        const raw = Buffer.from(JSON.stringify(vendor.body(nextId())));
        statuses.push((await post(url(), raw, vendor.sign(raw, key))).status);
      }
      expect(statuses).toEqual([201, 201, 401]);
    });

    it('answers 400 to a correctly signed body holding bytes that are not UTF-8, and writes nothing', async () => {
      const id = nextId();
      const json = JSON.stringify(vendor.body(id));
      // Replace the first string value's opening with the bad bytes, so the JSON stays well-formed around them.
      const raw = notUtf8(json.replace(/":"/, '":"__BAD__'));

      const res = await post(url(), raw, vendor.sign(raw, secret));

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'the body is not valid UTF-8' });
      expect(await rowsFor(vendor.source, vendor.externalId(id))).toEqual([]);
    });

    it('accepts the INGEST_TOKEN bearer instead of a signature', async () => {
      const id = nextId();

      const res = await post(url(), vendor.body(id), { ...vendor.plainHeaders, ...BEARER });

      expect(res.status).toBe(201);
      expect(await rowsFor(vendor.source, vendor.externalId(id))).toHaveLength(1);
    });

    it('answers 415 to a non-JSON body even when authenticated', async () => {
      const res = await post(url(), 'ticket=1', { ...vendor.plainHeaders, ...BEARER, 'content-type': 'text/plain' });
      expect(res.status).toBe(415);
    });

    it('answers 400 naming the fields of a malformed ticket', async () => {
      const res = await post(
        url(),
        {
          type: 'zen:event-type:ticket.created',
          topic: 'conversation.user.created',
          webhookEvent: 'jira:issue_created',
        },
        {
          ...vendor.plainHeaders,
          ...BEARER,
        },
      );
      expect(res.status).toBe(400);
      expect((res.body as { issues?: unknown[] }).issues?.length).toBeGreaterThan(0);
    });

    const ignored = vendor.ignored;
    if (ignored) {
      it('answers 200 ignored to an event that is not about a ticket, and writes nothing', async () => {
        const before = await db.db
          .selectFrom('complaints')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const raw = Buffer.from(JSON.stringify(ignored.body));

        const res = await post(url(), raw.toString(), { ...vendor.sign(raw, secret), ...ignored.headers });

        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'ignored', reason: expect.any(String) });
        const after = await db.db
          .selectFrom('complaints')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(after.n).toBe(before.n);
      });
    }
  });

  describe('POST /webhooks/feedback', () => {
    const url = () => `${app.baseUrl}/webhooks/feedback`;

    it('answers 400 to bytes that are not UTF-8, and records nothing', async () => {
      const id = idOf(await post(`${app.baseUrl}/webhooks/complaints`, complaintBody(), BEARER));
      const raw = notUtf8(JSON.stringify({ complaintId: id, score: 9, comment: 'Great __BAD__ call' }));

      const res = await post(url(), raw, BEARER);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'the body is not valid UTF-8' });
      const evidence = await db.db.selectFrom('advocacy_evidence').selectAll().where('complaint_id', '=', id).execute();
      expect(evidence).toEqual([]);
    });

    it('accepts the old and the new INGEST_TOKEN while it is rotated, and refuses a third', async () => {
      const unknown = { complaintId: 999_999_999, score: 9 };
      const withToken = (token: string) => post(url(), unknown, { authorization: `Bearer ${token}` });
      // 404: authenticated, and the complaint does not exist.
      expect((await withToken(OLD_INGEST_TOKEN)).status).toBe(404);
      expect((await withToken(TEST_INGEST_TOKEN)).status).toBe(404);
      expect((await withToken('a-third-token-0123456789abcdef')).status).toBe(401);
    });
  });

  it('accepts Freshdesk’s shared secret as the basic-auth password too', async () => {
    const id = nextId();
    const body = renderTemplate(FRESHDESK_BODY_TEMPLATE, { ...FRESHDESK_VALUES, 'ticket.id': id });
    const basic = (password: string) => ({
      authorization: `Basic ${Buffer.from(`pickup:${password}`).toString('base64')}`,
    });

    expect((await post(`${app.baseUrl}/webhooks/freshdesk`, body, basic('wrong-password'))).status).toBe(401);
    expect((await post(`${app.baseUrl}/webhooks/freshdesk`, body, basic(SECRETS.freshdesk))).status).toBe(201);
  });

  describe('help desks as they really send (issue 10)', () => {
    const send = (source: VendorSource, body: unknown, sign: (raw: Buffer) => Record<string, string>) => {
      const raw = Buffer.from(JSON.stringify(body));
      return post(`${app.baseUrl}/webhooks/${source}`, raw.toString(), sign(raw));
    };
    const jira = (body: unknown) =>
      send('jira', body, (raw) => headerRecord(hubSignature('sha256', raw, SECRETS.jira)));
    const intercom = (body: unknown) =>
      send('intercom', body, (raw) => headerRecord(hubSignature('sha1', raw, SECRETS.intercom)));
    const helpScout = (body: unknown) =>
      send('helpscout', body, (raw) => headerRecord(helpScoutHeaders(raw, SECRETS.helpscout, 'convo.created')));
    const freshdesk = (body: unknown) => send('freshdesk', body, () => ({ 'x-pickup-secret': SECRETS.freshdesk }));
    const unix = (date: Date) => Math.floor(date.getTime() / 1000);

    /** A Jira issue with only its priority to make it major (no labels, so no major tag). */
    function jiraIssue(key: string, priority: { id: string; name: string }, overrides: Record<string, unknown> = {}) {
      const event = jiraIssueCreated();
      const fields = { ...event.issue.fields, priority, labels: [], ...overrides };
      return { ...event, timestamp: Date.now(), issue: { ...event.issue, key, fields } };
    }

    it.each([
      [{ id: '2', name: 'Critical' }, 'urgent'],
      [{ id: '1', name: 'Blocker' }, 'urgent'],
      [{ id: '3', name: 'Major' }, 'high'],
      [{ id: '10001', name: 'P1 - Drop everything' }, 'urgent'],
    ])(
      'Jira: an issue of priority %p is %s and stored (it used to be read as normal and ignored)',
      async (priority, expected) => {
        const key = `OPS-${nextId()}`;
        const res = await jira(jiraIssue(key, priority));
        expect(res.status).toBe(201);
        expect(await rowsFor('jira', key)).toEqual([expect.objectContaining({ priority: expected, is_major: true })]);
      },
    );

    it('Help Scout: the legacy conversation shape is stored too, with its customer and phone', async () => {
      const id = nextId();
      const res = await helpScout(helpScoutLegacyConversation({ id: Number(id) }));
      expect(res.status).toBe(201);
      expect(await rowsFor('helpscout', id)).toEqual([
        expect.objectContaining({ customer_name: 'Marcus Okafor', customer_phone: '+442079460018', tags: ['vip'] }),
      ]);
    });

    it('Intercom: an API 1.x conversation keeps its subject, body and customer', async () => {
      const id = nextId();
      const vip = { type: 'tag.list', tags: [{ type: 'tag', id: '81', name: 'VIP' }] };
      const res = await intercom(intercomLegacyConversation('conversation.user.created', { id, tags: vip }));
      expect(res.status).toBe(201);
      expect(await rowsFor('intercom', id)).toEqual([
        expect.objectContaining({
          subject: 'The invoice portal rejects my card for the third time.',
          description: 'The invoice portal rejects my card for the third time.',
          customer_name: 'Wei Chen',
          customer_email: 'wei.chen@example.org',
        }),
      ]);
    });

    it('Intercom: a ticket of a type in INTERCOM_MAJOR_TICKET_TYPES is major; its nested ticket.closed is read, not refused', async () => {
      const id = nextId();
      const created = await intercom(intercomTicket('ticket.created', { id }));
      expect(created.status).toBe(201);
      expect(await rowsFor('intercom', id)).toEqual([
        expect.objectContaining({ subject: 'Cannot log in since Monday', priority: 'normal', is_major: true }),
      ]);

      const closed = await intercom(intercomTicket('ticket.closed', { id, updated_at: 1795428000 }, { nested: true }));
      expect(closed.body).toEqual({ id: idOf(created), status: 'duplicate' });

      const otherType = { type: 'ticket_type', id: '8', name: 'Feature request' };
      const ignored = await intercom(intercomTicket('ticket.created', { id: nextId(), ticket_type: otherType }));
      expect(ignored.status).toBe(202);
    });

    it('Freshdesk: a note event changes neither the subject nor the priority', async () => {
      const id = nextId();
      const ticket = { ...FRESHDESK_VALUES, 'ticket.id': id };
      expect((await freshdesk(renderTemplate(FRESHDESK_BODY_TEMPLATE, ticket))).status).toBe(201);

      const note = renderTemplate(FRESHDESK_BODY_TEMPLATE, {
        ...ticket,
        triggered_event: '{note_type:private_note}',
        'ticket.subject': 'Note: called the courier',
        'ticket.priority': 'Low',
      });
      const res = await freshdesk(note);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ignored', reason: expect.stringContaining('note') });
      expect(await rowsFor('freshdesk', id)).toEqual([
        expect.objectContaining({ subject: 'Invoice shows the wrong VAT number', priority: 'high', is_major: true }),
      ]);
    });

    it('out of order: a stale conversation.read does not downgrade what a later event made major', async () => {
      const id = nextId();
      const now = new Date();
      const noTags = { type: 'tag.list', tags: [] };
      const raised = intercomConversation('conversation.priority.updated', {
        id,
        priority: 'priority',
        tags: noTags,
        updated_at: unix(now),
      });
      const staleRead = intercomConversation('conversation.read', {
        id,
        priority: 'not_priority',
        tags: noTags,
        updated_at: unix(now) - 600,
      });

      const first = await intercom(raised);
      const second = await intercom(staleRead);

      expect(first.status).toBe(201);
      expect(second.body).toEqual({ id: idOf(first), status: 'duplicate' });
      expect(await rowsFor('intercom', id)).toEqual([expect.objectContaining({ priority: 'high', is_major: true })]);
      expect((await auditFor(idOf(first))).map((a) => a.action)).toEqual(['complaint.received', 'complaint.stale']);
    });

    it('late major: a Jira issue opened 60 days ago that turns Blocker today is a major complaint today', async () => {
      const key = `OPS-${nextId()}`;
      const opened = new Date(Date.now() - 60 * 86_400_000);
      const body = jiraIssue(key, { id: '1', name: 'Blocker' }, { created: opened.toISOString() });

      const res = await jira({ ...body, webhookEvent: 'jira:issue_updated' });

      expect(res.status).toBe(201);
      const [row] = await rowsFor('jira', key);
      expect(row?.received_at).toEqual(opened);
      expect(Math.abs((row?.became_major_at?.getTime() ?? 0) - body.timestamp)).toBeLessThan(1000);
      const pool = await findEligibleComplaintIds(db.db, { now: new Date(), eligibleDays: 30, cooldownDays: 90 });
      expect(pool).toContain(idOf(res));
    });
  });

  describe('when the database fails', () => {
    /**
     * Fails every audit insert in the database itself, after the complaint row of the same delivery was written,
     * with the error a connection cut by the server reports (57P01, terminating connection): the failure lands
     * inside the delivery, whether it is one statement or several. Removed again when `run` ends.
     */
    async function withAuditInsertsFailing(run: () => Promise<void>): Promise<void> {
      await sql`CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01'; END $$`.execute(
        db.db,
      );
      await sql`CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_fail_audit()`.execute(
        db.db,
      );
      try {
        await run();
      } finally {
        await sql`DROP TRIGGER test_fail_audit ON audit_log`.execute(db.db);
        await sql`DROP FUNCTION test_fail_audit()`.execute(db.db);
      }
    }

    it('answers 503 with Retry-After when the connection drops mid-delivery, leaving nothing half-written', async () => {
      const body = complaintBody();

      await withAuditInsertsFailing(async () => {
        const res = await post(`${app.baseUrl}/webhooks/complaints`, body, BEARER);

        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(res.body).toEqual({ error: expect.stringContaining('database unavailable') });
      });
      // The complaint insert ran before the failure, in the same statement: it must have been undone with it.
      expect(await rowsFor('api', String(body.externalId))).toEqual([]);
    });

    // pg's ECONNREFUSED comes from Node's own realm (not Jest's), so this also proves the check is structural.
    it('answers 503 with Retry-After when PostgreSQL cannot be reached at all', async () => {
      const logger = createLogger('silent');
      const config = testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', SLACK_API_URL: slack.url });
      const unreachable = await openDatabase({ url: config.databaseUrl, dataDir: '', logger });
      const server = createHttpServer({
        routes: webhookRoutes({ db: unreachable.db, config, logger, kickOutbox: () => {}, now: () => new Date() }),
        logger,
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const res = await post(`http://127.0.0.1:${port}/webhooks/complaints`, complaintBody(), BEARER);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBeTruthy();
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await unreachable.close();
      }
    });
  });
});

describeOnPostgres(
  'webhook races (real PostgreSQL only: PGlite runs one transaction at a time, so this race cannot happen there)',
  () => {
    let db: TestDb;
    let slack: FakeSlack;
    let app: TestApp;

    beforeAll(async () => {
      db = await createTestDb({ poolSize: 20 });
      slack = await startFakeSlack();
      app = await startTestApp(db, slack);
    });
    afterAll(async () => {
      await app?.stop();
      await slack?.close();
      await db?.close();
    });

    it('20 identical concurrent deliveries: exactly one 201, nineteen 200 duplicates with its id, one row', async () => {
      const body = complaintBody();

      const answers = await Promise.all(
        Array.from({ length: 20 }, () => post(`${app.baseUrl}/webhooks/complaints`, body, BEARER)),
      );

      expect(answers.map((a) => a.status).sort()).toEqual([...Array<number>(19).fill(200), 201]);
      const statuses = answers.map((a) => (a.body as { status?: unknown }).status);
      expect(statuses.filter((s) => s === 'created')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
      const ids = new Set(answers.map(idOf));
      expect(ids.size).toBe(1);
      const rows = await db.db
        .selectFrom('complaints')
        .select('id')
        .where('external_id', '=', String(body.externalId))
        .execute();
      expect(rows).toEqual([{ id: [...ids][0] }]);
    });
  },
);
