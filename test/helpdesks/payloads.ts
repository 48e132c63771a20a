import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebhookRequest } from '../../src/helpdesks/adapter';

// Realistic webhook bodies, shaped after each vendor's documented payloads, and the signatures each vendor would
// put on them. Each fixture names the documentation it follows (found with the search tool; see each comment), so a
// fixture is never our own reading of a vendor: shared/reference/helpdesk-webhooks.md summarises them.

/** The clock the signature tests run at. */
export const NOW_MS = Date.parse('2026-11-23T10:00:00Z');

/** A webhook request as the HTTP layer would hand it over: exact bytes plus headers. */
export function request(body: unknown, headers: IncomingHttpHeaders = {}): WebhookRequest {
  return { headers, rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

const hmac = (algorithm: 'sha1' | 'sha256', secret: string, data: Buffer | string) =>
  createHmac(algorithm, secret).update(data);

/** Zendesk's headers: base64(HMAC-SHA256(secret, timestamp + body)). */
export function zendeskHeaders(rawBody: Buffer, secret: string, timestamp = '2026-11-23T10:00:00Z') {
  const signature = hmac('sha256', secret, Buffer.concat([Buffer.from(timestamp), rawBody])).digest('base64');
  return {
    'x-zendesk-webhook-id': '01KAQ3M9T1X4B7ZC8D2E5F6G7H',
    'x-zendesk-webhook-invocation-id': '8350205582',
    'x-zendesk-webhook-signature': signature,
    'x-zendesk-webhook-signature-timestamp': timestamp,
  };
}

/** GitHub-style `x-hub-signature: <algorithm>=<hex>`, as Jira (sha256) and Intercom (sha1) send it. */
export function hubSignature(algorithm: 'sha1' | 'sha256', rawBody: Buffer, secret: string): IncomingHttpHeaders {
  return { 'x-hub-signature': `${algorithm}=${hmac(algorithm, secret, rawBody).digest('hex')}` };
}

/** Help Scout's headers: base64(HMAC-SHA1(secret, body)) and the event name. */
export function helpScoutHeaders(rawBody: Buffer, secret: string, event = 'convo.created'): IncomingHttpHeaders {
  return { 'x-helpscout-signature': hmac('sha1', secret, rawBody).digest('base64'), 'x-helpscout-event': event };
}

/**
 * Fills a body template's `{{placeholders}}` the way a help desk does for a JSON body (values JSON-escaped), and
 * fails loudly when the template uses a placeholder the test did not supply.
 */
export function renderTemplate(template: string, values: Record<string, string>): unknown {
  const rendered = template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no test value for placeholder {{${name}}}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(rendered);
}

/** A Zendesk event-subscription envelope for ticket 5158; `detail` fields may be overridden. */
export function zendeskEvent(type = 'zen:event-type:ticket.created', detail: Record<string, unknown> = {}) {
  return {
    account_id: 22129848,
    detail: {
      actor_id: '8447388090494',
      assignee_id: null,
      brand_id: '360001837011',
      created_at: '2026-11-23T09:58:12Z',
      description:
        '<p>I was charged <strong>twice</strong>&nbsp;for order #4417.</p><p>Please call me &amp; fix it.</p>',
      external_id: null,
      form_id: '360000950572',
      group_id: '360004563611',
      id: '5158',
      is_public: true,
      organization_id: '360311437771',
      priority: 'HIGH',
      requester_id: '8447388090494',
      status: 'OPEN',
      subject: 'Charged twice for one order',
      submitter_id: '8447388090494',
      tags: ['Billing', 'VIP'],
      type: 'INCIDENT',
      updated_at: '2026-11-23T09:58:12Z',
      via: { channel: 'web_form' },
      ...detail,
    },
    event: { meta: { sequence: { id: 'b2cf8a71', position: 1, total: 1 } } },
    id: 'cbe4028c-7239-495d-b020-f22348516046',
    subject: 'zen:ticket:5158',
    time: '2026-11-23T09:58:12.641Z',
    type,
    zendesk_event_version: '2022-11-06',
  };
}

/** What Zendesk renders for ZENDESK_TRIGGER_BODY_TEMPLATE on a real ticket. */
export const ZENDESK_TRIGGER_VALUES: Record<string, string> = {
  'ticket.id': '5160',
  'ticket.title': 'Router "Pro X" dead after firmware update',
  'ticket.description':
    "----------------------------------------------\n\nAlex Moreau, 23 Nov 2026, 09:59\n\nSince last night's update the router won't boot.\nOur whole office is offline.",
  'ticket.priority': 'Urgent',
  'ticket.tags': 'hardware Exec-Callback  firmware',
  'ticket.link': 'https://acme.zendesk.com/agent/tickets/5160',
  'ticket.created_at_with_timestamp': '2026-11-23T09:59:30Z',
  // Zendesk placeholders reference: {{ticket.updated_at_with_timestamp}} renders ISO 8601, minutes only.
  'ticket.updated_at_with_timestamp': '2026-11-23T10:01Z',
  'ticket.requester.name': 'Alex Moreau',
  'ticket.requester.email': 'Alex.Moreau@Example.FR',
  'ticket.requester.phone': '+33 1 42 68 53 00',
  'ticket.organization.name': 'Moreau & Fils',
  'ticket.assignee.name': 'Sam Support',
  'ticket.assignee.email': 'Sam.Support@Acme.example',
};

/**
 * A Freshdesk ticket as its placeholders render it into FRESHDESK_BODY_TEMPLATE (Freshdesk's "simple" JSON webhook
 * wraps them in `freshdesk_webhook`, with `triggered_event` rendered like `{ticket_action:created}`).
 */
export const FRESHDESK_VALUES: Record<string, string> = {
  triggered_event: '{ticket_action:created}',
  'ticket.id': '8812',
  'ticket.subject': 'Invoice shows the wrong VAT number',
  'ticket.description':
    '<div>Hello,<br><br>Our invoice <b>INV-2291</b> shows the wrong VAT number.</div><div><ul><li>Ordered 12 Nov</li><li>Invoiced 14 Nov</li></ul></div>',
  'ticket.priority': 'High',
  'ticket.status': 'Open',
  'ticket.url': 'https://acme.freshdesk.com/helpdesk/tickets/8812',
  'ticket.tags': 'Billing, VIP,invoice',
  'ticket.company.name': 'Lindqvist AB',
  'ticket.requester.name': 'Sara Lindqvist',
  'ticket.requester.email': 'sara@lindqvist.se',
  'ticket.requester.phone': '+46 8 123 456 78',
  'ticket.agent.name': 'Lena Berg',
  'ticket.agent.email': 'lena.berg@acme.example',
};

/**
 * A flat Freshdesk body: the ticket's API fields (Freshdesk API v2 Ticket: `id`, `subject`, `description`,
 * `status`, `priority` 1–4, `source`, `type`, `requester_id`, `tags`, `created_at`, `updated_at`,
 * `custom_fields`), as some admins configure it, plus the requester placeholders.
 */
export function freshdeskFlat(overrides: Record<string, unknown> = {}) {
  return {
    id: 8813,
    subject: 'Second delivery also late',
    description: '<p>Still waiting for the replacement.</p>',
    description_text: 'Still waiting for the replacement.',
    status: 2,
    priority: 4,
    source: 2,
    type: 'Problem',
    requester_id: 43002348911,
    requester_name: 'Sara Lindqvist',
    requester_email: 'sara@lindqvist.se',
    requester_phone: 'n/a',
    tags: ['Delivery'],
    created_at: '2026-11-23T09:40:00Z',
    updated_at: '2026-11-23T09:45:00Z',
    custom_fields: { cf_order_number: 'A-55012' },
    ...overrides,
  };
}

/**
 * A Jira Service Management `jira:issue_created` webhook for SUP-12, raised by the customer on the portal.
 * Shape: Atlassian's issue webhook (`timestamp` in epoch ms, `webhookEvent`, `issue_event_type_name`, `user`,
 * `issue{id, key, self, fields}`), as in Atlassian's sample payloads and jira.js `IssueWebhookPayload`.
 */
export function jiraIssueCreated() {
  const reporter = {
    self: 'https://acme.atlassian.net/rest/api/2/user?accountId=qm%3A1a2b3c',
    accountId: 'qm:1a2b3c',
    displayName: 'Dana Whitfield',
    emailAddress: 'Dana.Whitfield@Example.com',
    active: true,
    accountType: 'customer',
  };
  return {
    timestamp: 1795427955000,
    webhookEvent: 'jira:issue_created',
    issue_event_type_name: 'issue_created',
    user: { ...reporter, timeZone: 'America/Chicago' },
    issue: {
      id: '10042',
      key: 'SUP-12',
      self: 'https://acme.atlassian.net/rest/api/2/issue/10042',
      fields: {
        summary: 'Data export has been failing for a week',
        description: {
          type: 'doc',
          version: 1,
          content: [
            {
              type: 'paragraph',
              content: [
                { type: 'text', text: 'Every nightly export fails with ' },
                { type: 'text', text: 'E502', marks: [{ type: 'code' }] },
                { type: 'text', text: '.' },
              ],
            },
            {
              type: 'bulletList',
              content: [
                {
                  type: 'listItem',
                  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Started 16 Nov' }] }],
                },
                {
                  type: 'listItem',
                  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Finance is blocked' }] }],
                },
              ],
            },
            {
              type: 'paragraph',
              content: [{ type: 'text', text: 'Thanks,' }, { type: 'hardBreak' }, { type: 'text', text: 'Dana' }],
            },
          ],
        },
        status: { name: 'Waiting for support', statusCategory: { key: 'new' } },
        priority: { self: 'https://acme.atlassian.net/rest/api/2/priority/2', id: '2', name: 'High' },
        issuetype: { id: '10003', name: 'Support request' },
        project: { id: '10000', key: 'SUP', name: 'Support' },
        reporter,
        // Jira's user object; emailAddress is present only when the agent's profile visibility allows it.
        assignee: {
          self: 'https://acme.atlassian.net/rest/api/2/user?accountId=5b10ac8d82e05b22cc7d4ef5',
          accountId: '5b10ac8d82e05b22cc7d4ef5',
          displayName: 'Support Agent',
          emailAddress: 'support.agent@acme.example',
          active: true,
          accountType: 'atlassian',
        },
        labels: ['VIP', 'exports'],
        created: '2026-11-23T09:59:15.120+0000',
        updated: '2026-11-23T09:59:15.120+0000',
        customfield_10010: { requestType: { name: 'Report a problem' } },
      },
    },
  };
}

/** An agent raising SUP-12 to Highest: `user` is the agent, and the body has a changelog. */
export function jiraIssueUpdated() {
  const created = jiraIssueCreated();
  return {
    ...created,
    timestamp: 1795428555000,
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: {
      accountId: '5b10ac8d82e05b22cc7d4ef5',
      displayName: 'Support Agent',
      timeZone: 'Europe/Berlin',
      accountType: 'atlassian',
    },
    issue: {
      ...created.issue,
      fields: {
        ...created.issue.fields,
        description: 'Plain wiki text: exports *still* failing.',
        priority: { id: '1', name: 'Highest' },
        labels: [],
        updated: '2026-11-23T10:09:15.000+0000',
      },
    },
    changelog: {
      id: '10301',
      items: [{ field: 'priority', fieldtype: 'jira', fromString: 'High', toString: 'Highest' }],
    },
  };
}

/**
 * An Intercom notification with the given topic around a conversation started by a customer.
 * Shape: Intercom's webhook notification object (developers.intercom.com, "Webhook models": `type`,
 * `topic`, `id`, `created_at`, `delivery_attempts`, `first_sent_at`, `data.item`) around an API 2.x Conversation
 * (`source{author, body}`, `contacts`, `tags`, `priority`, `updated_at`).
 */
export function intercomConversation(topic = 'conversation.user.created', item: Record<string, unknown> = {}) {
  return {
    type: 'notification_event',
    app_id: 'x7k2p9qa',
    id: 'notif_7f3c1e2a-5b6d-4c8e-9f01-23456789abcd',
    topic,
    delivery_status: 'pending',
    delivery_attempts: 1,
    delivered_at: 0,
    first_sent_at: 1795427960,
    created_at: 1795427960,
    self: null,
    data: {
      type: 'notification_event_data',
      item: {
        type: 'conversation',
        id: '215469134',
        created_at: 1795427940,
        updated_at: 1795427940,
        title: null,
        state: 'open',
        open: true,
        read: false,
        priority: 'not_priority',
        admin_assignee_id: null,
        team_assignee_id: null,
        source: {
          type: 'conversation',
          id: '2013974041',
          delivered_as: 'customer_initiated',
          subject: '',
          body: "<p>My order arrived <b>broken</b> &amp; nobody has replied in 3 days.</p><p>I'd like a call.</p>",
          author: { type: 'user', id: '6543a1b2c3', name: 'Priya Raman', email: 'Priya@Example.org' },
          attachments: [],
          url: 'https://shop.example.org/orders/991',
        },
        contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: '6543a1b2c3', external_id: 'cust_991' }] },
        tags: { type: 'tag.list', tags: [{ type: 'tag', id: '81', name: 'VIP', applied_at: 1795427941 }] },
        custom_attributes: { Plan: 'Enterprise' },
        ...item,
      },
    },
  };
}

/**
 * The same kind of notification from an app on Intercom API 1.x, where the Conversation (developers.intercom.com
 * 1.0–1.4 "Conversation Model") keeps the opening message in `conversation_message{subject, body, author}` and the
 * customer in `user{type, id}`, with `customers`, `assignee`, `open`, `read` and `conversation_parts` beside them.
 * The model documents `user` as a bare reference; the deliveries reported in issue 10 also carry its name and email.
 */
export function intercomLegacyConversation(topic = 'conversation.user.created', item: Record<string, unknown> = {}) {
  const { data: _data, ...envelope } = intercomConversation(topic);
  return {
    ...envelope,
    data: {
      type: 'notification_event_data',
      item: {
        type: 'conversation',
        id: '1911149811',
        created_at: 1795427940,
        updated_at: 1795427950,
        waiting_since: 1795427950,
        snoozed_until: null,
        conversation_message: {
          type: 'conversation',
          id: '269650473',
          delivered_as: 'customer_initiated',
          subject: '',
          body: '<p>The invoice portal rejects my card for the <b>third</b> time.</p>',
          author: { type: 'user', id: '5bc8f7421ffae2d96695c18a' },
          attachments: [],
          url: 'https://billing.example.org/invoices',
        },
        user: { type: 'user', id: '5bc8f7421ffae2d96695c18a', name: 'Wei Chen', email: 'Wei.Chen@Example.org' },
        customers: [{ type: 'user', id: '5bc8f7421ffae2d96695c18a' }],
        // As in delivered 1.x notifications: the assigned admin with their name and email.
        assignee: { type: 'admin', id: '814860', name: 'Alex Admin', email: 'alex.admin@shop.example.org' },
        open: true,
        state: 'open',
        read: false,
        conversation_parts: { type: 'conversation_part.list', conversation_parts: [], total_count: 0 },
        tags: { type: 'tag.list', tags: [] },
        ...item,
      },
    },
  };
}

/**
 * An Intercom ticket notification. The item is the Ticket object (Intercom API reference "Tickets": `type: ticket`,
 * `id`, `ticket_id`, `category`, `ticket_attributes{_default_title_, _default_description_, ...}`, `ticket_state`,
 * `ticket_type{id, name, ...}`, `contacts`, `created_at`, `updated_at`, `open`). Intercom's webhook topics page says
 * `ticket.closed` wraps the ticket in `data.item.ticket` instead; `nested` builds that shape.
 */
export function intercomTicket(
  topic = 'ticket.created',
  ticket: Record<string, unknown> = {},
  { nested = false }: { nested?: boolean } = {},
) {
  const { data: _data, ...envelope } = intercomConversation(topic);
  const item = {
    type: 'ticket',
    id: '664',
    ticket_id: '31',
    category: 'Customer',
    ticket_attributes: {
      _default_title_: 'Cannot log in since Monday',
      _default_description_: '<p>SSO loops back to the login page for our whole team.</p>',
      Severity: 'Critical',
      'Customer impact': ['Billing', 'Login'],
      'Exec escalation': false,
    },
    ticket_state: 'submitted',
    ticket_state_internal_label: 'Submitted',
    ticket_state_external_label: 'Submitted',
    ticket_type: {
      type: 'ticket_type',
      id: '7',
      name: 'Bug report',
      description: 'Something is broken',
      icon: '🐞',
      workspace_id: 'x7k2p9qa',
      archived: false,
      category: 'Customer',
      created_at: 1790000000,
      updated_at: 1790000000,
      is_internal: false,
    },
    contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: '6543a1b2c3', external_id: 'cust_991' }] },
    admin_assignee_id: '0',
    team_assignee_id: '0',
    created_at: 1795427940,
    updated_at: 1795427945,
    open: true,
    is_shared: true,
    ...ticket,
  };
  return {
    ...envelope,
    data: { type: 'notification_event_data', item: nested ? { ticket: item } : item },
  };
}

/**
 * A Help Scout conversation as every convo.* webhook now sends it: the Mailbox API v2 Conversation (Help Scout's
 * webhooks page: "v2 Request Body: v2 Conversation object"; payloadVersion V2 is the default and only option when
 * creating a webhook). Field by field from developer.helpscout.com "Get Conversation" with embed=threads: `threads`
 * is a count, the customer is `primaryCustomer{id, type, first, last, email}` (no phone), tags are
 * `{id, color, tag}`, `userUpdatedAt` and `customerWaitingSince{time, friendly}` date the activity, and the threads
 * (List Threads: `type`, `body`, `customer`, `createdBy`, `createdAt`) sit in `_embedded.threads`, newest first.
 */
export function helpScoutConversation(overrides: Record<string, unknown> = {}) {
  return {
    id: 2391938111,
    number: 349,
    threads: 2,
    type: 'email',
    folderId: 1234,
    status: 'active',
    state: 'published',
    subject: 'Refund still missing after 3 weeks',
    preview: 'I was promised a refund on 3 Nov. Still nothing.',
    mailboxId: 85,
    assignee: { id: 99, type: 'user', first: 'Sam', last: 'Support', email: 'sam@shop.example.net' },
    createdBy: { id: 29418, type: 'customer', email: 'Marcus.Okafor@Example.net' },
    createdAt: '2026-11-23T09:57:00Z',
    closedBy: 0,
    closedAt: null,
    userUpdatedAt: '2026-11-23T09:58:00Z',
    customerWaitingSince: { time: '2026-11-23T09:57:00Z', friendly: '1 min ago' },
    source: { type: 'email', via: 'customer' },
    tags: [{ id: 9150, color: '#929499', tag: 'VIP' }],
    cc: [],
    bcc: [],
    primaryCustomer: {
      id: 29418,
      type: 'customer',
      first: 'Marcus',
      last: 'Okafor',
      email: 'Marcus.Okafor@Example.net',
    },
    customFields: [{ id: 8, name: 'Plan', value: 'Enterprise', text: 'Enterprise' }],
    _embedded: {
      threads: [
        {
          id: 9001,
          type: 'note',
          status: 'active',
          state: 'published',
          body: '<p>Internal: refund approved by finance</p>',
          source: { type: 'web', via: 'user' },
          createdBy: { id: 99, type: 'user', first: 'Sam', last: 'Support', email: 'sam@shop.example.net' },
          createdAt: '2026-11-23T09:58:00Z',
        },
        {
          id: 9000,
          type: 'customer',
          status: 'active',
          state: 'published',
          body: '<div>I was promised a refund on <b>3 Nov</b>.<br>Still nothing.</div>',
          source: { type: 'email', via: 'customer' },
          customer: { id: 29418, first: 'Marcus', last: 'Okafor', email: 'Marcus.Okafor@Example.net' },
          createdBy: {
            id: 29418,
            type: 'customer',
            first: 'Marcus',
            last: 'Okafor',
            email: 'Marcus.Okafor@Example.net',
          },
          createdAt: '2026-11-23T09:57:00Z',
        },
      ],
    },
    _links: {
      self: { href: 'https://api.helpscout.net/v2/conversations/2391938111' },
      web: { href: 'https://secure.helpscout.net/conversation/2391938111/349' },
    },
    ...overrides,
  };
}

/**
 * The same conversation in the legacy webhook shape (Help Scout "Webhooks > Conversation Object", Mailbox API 1.0
 * objects): `customer` is a Person `{id, firstName, lastName, email, phone, type}`, `threads` is the list itself
 * next to `threadCount`, tags are plain strings, and `modifiedAt`/`userModifiedAt` date the last change.
 */
export function helpScoutLegacyConversation(overrides: Record<string, unknown> = {}) {
  return {
    id: 2391938111,
    type: 'email',
    folderId: 1234,
    isDraft: false,
    number: 349,
    owner: null,
    mailbox: { id: 85, name: 'Support' },
    customer: {
      id: 29418,
      firstName: 'Marcus',
      lastName: 'Okafor',
      email: 'Marcus.Okafor@Example.net',
      phone: '+44 20 7946 0018',
      type: 'customer',
    },
    threadCount: 1,
    status: 'active',
    subject: 'Refund still missing after 3 weeks',
    preview: 'I was promised a refund on 3 Nov. Still nothing.',
    createdBy: {
      id: 29418,
      firstName: 'Marcus',
      lastName: 'Okafor',
      email: 'Marcus.Okafor@Example.net',
      type: 'customer',
    },
    createdAt: '2026-11-23T09:57:00Z',
    modifiedAt: '2026-11-23T09:58:30Z',
    userModifiedAt: '2026-11-23T09:58:30Z',
    closedAt: null,
    closedBy: null,
    source: { type: 'email', via: 'customer' },
    cc: [],
    bcc: [],
    tags: ['vip'],
    threads: [
      {
        id: 9000,
        type: 'customer',
        createdBy: { id: 29418, firstName: 'Marcus', lastName: 'Okafor', type: 'customer' },
        body: '<div>I was promised a refund on <b>3 Nov</b>.<br>Still nothing.</div>',
        createdAt: '2026-11-23T09:57:00Z',
      },
    ],
    ...overrides,
  };
}
