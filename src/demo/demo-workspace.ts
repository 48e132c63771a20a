import type { z } from 'zod';
import type { genericComplaintSchema } from '../complaints/complaint';
import type { ThreadMessage } from '../ports/helpdesk.port';

/** A delivery's body, as a help desk posts it to POST /webhooks/complaints. */
type Delivery = z.input<typeof genericComplaintSchema>;

/** Someone in the demo's Slack workspace, as users.info and users.lookupByEmail would answer for them. */
export interface DemoPerson {
  id: string;
  name: string;
  title: string;
  email: string;
  /** A workspace admin or owner (users.info), who may change Pickup's settings. */
  workspaceAdmin?: boolean;
}

/**
 * The people of the demo: two executives, the support lead who escalates, the agent who had the ticket, an owner,
 * the workspace admin who changes Pickup's settings, and the executive they add.
 */
export const PEOPLE = {
  ceo: { id: 'UDEMOCEO1', name: 'Maya Chen', title: 'CEO', email: 'maya.chen@acme.example' },
  cto: { id: 'UDEMOCTO1', name: 'Sam Okafor', title: 'CTO', email: 'sam.okafor@acme.example' },
  lead: { id: 'UDEMOLEAD', name: 'Priya Shah', title: 'Support lead', email: 'priya.shah@acme.example' },
  agent: { id: 'UDEMOAGENT', name: 'Jordan Lee', title: 'Support agent', email: 'jordan.lee@acme.example' },
  product: { id: 'UDEMOPROD1', name: 'Leo Martins', title: 'VP Product', email: 'leo.martins@acme.example' },
  admin: {
    id: 'UDEMOADMIN',
    name: 'Ana Ruiz',
    title: 'Head of Operations',
    email: 'ana.ruiz@acme.example',
    workspaceAdmin: true,
  },
  coo: { id: 'UDEMOCOO1', name: 'Ines Duarte', title: 'COO', email: 'ines.duarte@acme.example' },
} as const satisfies Record<string, DemoPerson>;

/** The demo's Slack workspace: its settings are saved under this team id, as a real workspace's are under its own. */
export const DEMO_TEAM = 'TDEMO0001';

/** The channels of the demo workspace. */
export const CHANNELS = {
  exec: 'CEXECUTIVES',
  leadership: 'CLEADERSHIP',
  support: 'CSUPPORT',
} as const;

/** The help desk the demo's tickets come from; its API credentials are set, against the demo's printing fake. */
export const DEMO_HELPDESK = { source: 'zendesk', subdomain: 'acme' } as const;

const ticketUrl = (id: string) => `https://${DEMO_HELPDESK.subdomain}.zendesk.com/agent/tickets/${id}`;

/** Sample deliveries, as the help desk would post them to POST /webhooks/complaints. */
export const SAMPLES: readonly Delivery[] = [
  {
    externalId: '1042',
    source: DEMO_HELPDESK.source,
    subject: 'Charged three times for one order and nobody answers',
    description: 'I have written four times. My card was charged $1,290 three times. I want a human.',
    supportTried: 'Refund of one charge issued; the other two are stuck with the payment provider.',
    priority: 'urgent',
    tags: ['billing'],
    customer: {
      name: 'Ada Lovelace',
      company: 'Analytical Engines Ltd',
      phone: '+44 20 7946 0958',
      email: 'ada@example.com',
      timezone: 'Europe/London',
    },
    url: ticketUrl('1042'),
  },
  {
    externalId: '1043',
    source: DEMO_HELPDESK.source,
    subject: 'Outage lost a day of orders <!channel>',
    priority: 'high',
    customer: { name: 'Grace Hopper', company: 'Compiler Co', phone: '+1 202 555 0147', timezone: 'America/New_York' },
    url: ticketUrl('1043'),
  },
  {
    externalId: '1044',
    source: DEMO_HELPDESK.source,
    subject: 'Export button is slightly misaligned',
    priority: 'low',
    customer: { name: 'Alan Turing', company: 'Bletchley Analytics' },
    url: ticketUrl('1044'),
  },
];

/** The ticket the support lead escalates: assigned to the demo's agent, with the customer's phone and email. */
export const ESCALATED_TICKET = {
  externalId: '2001',
  source: DEMO_HELPDESK.source,
  subject: 'Hospital cannot print discharge papers since the update',
  supportTried: 'Rolled back the print driver on two machines; still failing on the rest.',
  priority: 'urgent',
  tags: ['escalated'],
  customer: {
    name: 'Dr. Mary Seacole',
    company: 'St. Thomas Clinic',
    phone: '+44 20 7188 7188',
    email: 'mary.seacole@clinic.example.org',
    timezone: 'Europe/London',
  },
  url: ticketUrl('2001'),
  assignee: { name: PEOPLE.agent.name, email: PEOPLE.agent.email },
} as const satisfies Delivery;

/** The public thread of the escalated ticket, as the help desk's API returns it (newest last), hours before. */
export function escalatedThread(before: Date): ThreadMessage[] {
  const hoursBefore = (h: number) => new Date(before.getTime() - h * 3_600_000);
  return [
    {
      author: 'customer',
      text: 'Since Tuesday’s update none of our ward printers print discharge papers. Patients wait for hours.',
      at: hoursBefore(20),
    },
    {
      author: 'agent',
      text: 'I am sorry. I rolled back the print driver on two machines; could you try printing from those?',
      at: hoursBefore(18),
    },
    {
      author: 'customer',
      text: 'Those two work, the other forty do not. This is the third time an update broke printing. Call me.',
      at: hoursBefore(2),
    },
  ];
}
