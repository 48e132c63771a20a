import fs from 'node:fs';
import { Cron } from 'croner';
import { z } from 'zod';
import { PickupError } from './shared/errors';
import { isHolidayCountry } from './shared/holidays';
import { isRealDate, isTimeZone } from './shared/time';

/**
 * What the process is about to do decides which settings it needs:
 * - `serve` runs the bot and needs Slack credentials (channels and people may be set in Slack after it starts);
 * - `jobs` runs a pick or digest from the CLI: channels and executives, Slack token optional;
 * - `database` only touches the database (migrate, import, export, forget).
 */
export type ConfigPurpose = 'serve' | 'jobs' | 'database';

/** Loads `.env` from the working directory into the environment, when there is one (variables already set win). */
export function loadDotEnvFile(path = '.env'): void {
  if (fs.existsSync(path)) process.loadEnvFile(path);
}

/** Where the operator is sent when the configuration is wrong. */
export const SETUP_GUIDE = 'README.md, section "Create the Slack app"';

const slackIdList = (kinds: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().regex(/^[UWS][A-Z0-9]{2,}$/, `each entry must be a ${kinds}`)).min(1, 'list at least one ID'),
    );

/** A public (C…) or private (G…) channel's ID, as Slack shows it under the channel's About tab. */
const channelId = () => z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel ID such as C0123ABCD (not a #name)');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Why croner refuses a cron expression, or undefined when it accepts it. */
function cronProblem(expr: string): string | undefined {
  try {
    new Cron(expr, { paused: true });
    return undefined;
  } catch (err) {
    // The refusal is the answer: its reason goes into the operator's list of problems instead of being dropped.
    return (err instanceof Error ? err.message : String(err)).replace(/^CronPattern: /, '');
  }
}

/** A cron expression croner accepts; a refusal names croner's reason beside an example. */
const cronExpression = (example: string) =>
  z.string().superRefine((expr, ctx) => {
    const problem = cronProblem(expr);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a cron expression such as "${example}" (${problem})` });
    }
  });

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/**
 * A secret, or several separated by commas: while one is rotated the old and the new value are both accepted,
 * so senders can switch over in any order. Each value must be at least `min` characters; the messages say which
 * value is short (by position, never by content, since they are printed).
 */
const secretList = (min: number, fix: string) =>
  csv
    .superRefine((values, ctx) => {
      if (values.length === 0) ctx.addIssue({ code: 'custom', message: 'give at least one value' });
      values.forEach((value, i) => {
        if (value.length >= min) return;
        const which = values.length === 1 ? 'the value' : `value ${i + 1} of ${values.length}`;
        ctx.addIssue({ code: 'custom', message: `${which} has ${value.length} characters; ${fix}` });
      });
    })
    .optional();

const vendorSecret = secretList(8, "use at least 8 characters, copied from the help desk's webhook settings");

/** A comma-separated list of names or ids as a help desk shows them (one may not exceed 100 characters). */
const nameList = (example: string) =>
  csv.pipe(z.array(z.string().max(100, `each entry must be a name or id of at most 100 characters, e.g. ${example}`)));

/** An Intercom ticket attribute that makes a ticket major: its name, and the value it must have (absent: true). */
export interface TicketAttributeRule {
  name: string;
  value: string | undefined;
}

const ticketAttributeRules = csv.pipe(
  z.array(
    z
      .string()
      .max(200)
      .regex(
        /^[^=]+(=[^=]+)?$/,
        'each entry must be an attribute name, or name=value (e.g. Escalated,Severity=Critical)',
      )
      .transform((entry): TicketAttributeRule => {
        const [name = '', value] = entry.split('=').map((part) => part.trim());
        return { name, value: value || undefined };
      }),
  ),
);

/**
 * Where outcome events may be sent: https, or plain http to this machine only (a receiver beside Pickup, or a
 * tunnel's local end), since the events, though free of contact details, describe customers' complaints.
 */
const isOutcomeWebhookUrl = (value: string) => {
  // Zod runs this check even after the URL check failed; that one already reported it.
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname));
};

/**
 * The themes an action may have (ACTION_THEMES): up to 100 (a select's limit), each at most 50 characters, none
 * twice. Empty when unset: the domain then offers its defaults (actions/action.ts DEFAULT_ACTION_THEMES).
 */
const themeList = csv
  .pipe(z.array(z.string().max(50, 'each theme must be at most 50 characters')).max(100, 'list at most 100 themes'))
  .refine(
    (themes) => new Set(themes.map((t) => t.toLowerCase())).size === themes.length,
    'each theme must appear once (themes are compared ignoring case)',
  );

// ── Help-desk API access: write-back notes and the ticket thread ─────────────────────────────────────────────────
// A vendor's client exists only when its credentials are set. A vendor half set up (an email without its token) is a
// configuration error, not a silently disabled write-back.

/** The tag Pickup adds with each note when WRITEBACK_TAG is unset. */
export const DEFAULT_WRITEBACK_TAG = 'exec-called';

/** Zendesk: an agent's email with an API token, or an OAuth access token. */
export type ZendeskApiConfig = { baseUrl: string } & ({ email: string; apiToken: string } | { oauthToken: string });
/** Freshdesk: an agent's API key. */
export interface FreshdeskApiConfig {
  baseUrl: string;
  apiKey: string;
}
/** Jira Cloud / Jira Service Management: an Atlassian account's email with an API token. */
export interface JiraApiConfig {
  baseUrl: string;
  email: string;
  apiToken: string;
}
/** Intercom: an access token, and the admin notes and tags are written as. */
export interface IntercomApiConfig {
  baseUrl: string;
  accessToken: string;
  adminId: string;
}
/** Help Scout: an OAuth2 app's id and secret, exchanged for a token (client credentials). */
export interface HelpScoutApiConfig {
  baseUrl: string;
  appId: string;
  appSecret: string;
}

/** Each help desk's API access; a vendor whose credentials are unset is absent. */
export interface HelpDesksConfig {
  /** The tags added with each note: WRITEBACK_TAG (default `exec-called`), or none when it is set empty. */
  writebackTags: readonly string[];
  zendesk?: ZendeskApiConfig;
  freshdesk?: FreshdeskApiConfig;
  jira?: JiraApiConfig;
  intercom?: IntercomApiConfig;
  helpscout?: HelpScoutApiConfig;
}

const apiCredential = (what: string) =>
  z.string().regex(/^\S+$/, `must be the ${what} as copied, without spaces`).optional();
const apiBaseUrl = (example: string) =>
  z.url(`must be a URL such as ${example} (scheme and host; Pickup adds the API paths)`).optional();

const helpDeskEnv = {
  ZENDESK_SUBDOMAIN: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be the part before .zendesk.com, e.g. acme for acme.zendesk.com')
    .optional(),
  ZENDESK_EMAIL: z.email('must be the email the Zendesk agent signs in with').optional(),
  ZENDESK_API_TOKEN: apiCredential('Zendesk API token'),
  ZENDESK_OAUTH_TOKEN: apiCredential('Zendesk OAuth access token'),
  FRESHDESK_DOMAIN: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be the help desk host without https://, e.g. acme.freshdesk.com')
    .optional(),
  FRESHDESK_API_KEY: apiCredential('Freshdesk API key'),
  JIRA_BASE_URL: z.url('must be the site URL, e.g. https://acme.atlassian.net').optional(),
  JIRA_EMAIL: z.email('must be the email of the Atlassian account the API token belongs to').optional(),
  JIRA_API_TOKEN: apiCredential('Atlassian API token'),
  INTERCOM_ACCESS_TOKEN: apiCredential('Intercom access token'),
  INTERCOM_ADMIN_ID: z
    .string()
    .regex(/^\d+$/, "must be the admin's numeric id (Intercom API: GET /admins, or the number in the teammate's URL)")
    .optional(),
  HELPSCOUT_APP_ID: apiCredential('Help Scout app ID'),
  HELPSCOUT_APP_SECRET: apiCredential('Help Scout app secret'),
  ZENDESK_API_URL: apiBaseUrl('https://acme.zendesk.com'),
  FRESHDESK_API_URL: apiBaseUrl('https://acme.freshdesk.com'),
  INTERCOM_API_URL: apiBaseUrl('https://api.eu.intercom.io'),
  HELPSCOUT_API_URL: apiBaseUrl('https://api.helpscout.net'),
  WRITEBACK_TAG: z
    .string()
    .max(50, 'must be at most 50 characters')
    .regex(
      /^[a-z0-9][a-z0-9_-]*$/i,
      'must be one tag of letters, digits, - or _ (every help desk accepts those), e.g. exec-called; set it empty to add no tag',
    )
    .transform((tag) => tag.toLowerCase())
    .optional(),
};

type HelpDeskEnv = Pick<Env, keyof typeof helpDeskEnv>;

/** A variable that must come with the others of its group; `or` names a setting that can stand in for it. */
interface CredentialSlot {
  name: keyof HelpDeskEnv;
  or?: keyof HelpDeskEnv;
  fix: string;
}

/** The variables each vendor needs together; Zendesk takes an email with a token, or an OAuth token. */
const CREDENTIAL_GROUPS: readonly { vendor: string; slots: readonly CredentialSlot[] }[] = [
  {
    vendor: 'Freshdesk',
    slots: [
      { name: 'FRESHDESK_DOMAIN', or: 'FRESHDESK_API_URL', fix: 'the help desk host, e.g. acme.freshdesk.com' },
      { name: 'FRESHDESK_API_KEY', fix: "the agent's API key (Profile settings → View API key)" },
    ],
  },
  {
    vendor: 'Jira',
    slots: [
      { name: 'JIRA_BASE_URL', fix: 'the site URL, e.g. https://acme.atlassian.net' },
      { name: 'JIRA_EMAIL', fix: 'the email of the Atlassian account the token belongs to' },
      { name: 'JIRA_API_TOKEN', fix: 'a token from id.atlassian.com → Security → API tokens' },
    ],
  },
  {
    vendor: 'Intercom',
    slots: [
      { name: 'INTERCOM_ACCESS_TOKEN', fix: "the app's access token (Developer Hub → your app → Authentication)" },
      { name: 'INTERCOM_ADMIN_ID', fix: 'the numeric id of the admin notes are written as' },
    ],
  },
  {
    vendor: 'Help Scout',
    slots: [
      { name: 'HELPSCOUT_APP_ID', fix: 'the App ID of a Help Scout app (Your Profile → My Apps)' },
      { name: 'HELPSCOUT_APP_SECRET', fix: 'the App Secret of the same app' },
    ],
  },
  {
    vendor: 'Zendesk',
    slots: [
      { name: 'ZENDESK_SUBDOMAIN', or: 'ZENDESK_API_URL', fix: 'the part before .zendesk.com, e.g. acme' },
      { name: 'ZENDESK_EMAIL', or: 'ZENDESK_OAUTH_TOKEN', fix: 'the email of the agent the API token belongs to' },
      {
        name: 'ZENDESK_API_TOKEN',
        or: 'ZENDESK_OAUTH_TOKEN',
        fix: 'a token from Admin Center → Apps and integrations → Zendesk API',
      },
    ],
  },
];

/**
 * Help desks set up halfway: one problem per variable missing from a group where another is set, with its fix. Only
 * presence counts, so these are listed beside any invalid value. A base URL override alone turns nothing on, so it
 * never makes a group count as started.
 */
function helpDeskCredentialProblems(e: Partial<Record<keyof HelpDeskEnv, unknown>>): string[] {
  const problems: string[] = [];
  if (e.ZENDESK_OAUTH_TOKEN !== undefined && (e.ZENDESK_EMAIL !== undefined || e.ZENDESK_API_TOKEN !== undefined)) {
    problems.push(
      'ZENDESK_OAUTH_TOKEN: set either ZENDESK_OAUTH_TOKEN or ZENDESK_EMAIL with ZENDESK_API_TOKEN, not both',
    );
  }
  for (const { vendor, slots } of CREDENTIAL_GROUPS) {
    const started = slots
      .flatMap((s) => [s.name, s.or])
      .filter((n): n is keyof HelpDeskEnv => n !== undefined && !n.endsWith('_API_URL'));
    const set = [...new Set(started)].filter((name) => e[name] !== undefined);
    if (set.length === 0) continue;
    for (const slot of slots) {
      if (e[slot.name] !== undefined || (slot.or !== undefined && e[slot.or] !== undefined)) continue;
      const others = set.join(' and ');
      problems.push(
        `${slot.name} is required with ${others}: set it to ${slot.fix}${slot.or ? ` (or set ${slot.or})` : ''}, or unset ${others} to turn ${vendor} write-back off`,
      );
    }
  }
  return problems;
}

/** The API access of every vendor whose credentials are complete (helpDeskCredentialProblems vouched for the rest). */
function helpDesksConfig(e: HelpDeskEnv, env: NodeJS.ProcessEnv): HelpDesksConfig {
  // Blank values count as unset everywhere else; here a blank WRITEBACK_TAG is the documented way to add no tag.
  const tag = e.WRITEBACK_TAG ?? (env.WRITEBACK_TAG === undefined ? DEFAULT_WRITEBACK_TAG : undefined);
  const zendeskBase = e.ZENDESK_API_URL ?? (e.ZENDESK_SUBDOMAIN && `https://${e.ZENDESK_SUBDOMAIN}.zendesk.com`);
  const freshdeskBase = e.FRESHDESK_API_URL ?? (e.FRESHDESK_DOMAIN && `https://${e.FRESHDESK_DOMAIN}`);
  const zendeskAuth = e.ZENDESK_OAUTH_TOKEN
    ? { oauthToken: e.ZENDESK_OAUTH_TOKEN }
    : e.ZENDESK_EMAIL && e.ZENDESK_API_TOKEN && { email: e.ZENDESK_EMAIL, apiToken: e.ZENDESK_API_TOKEN };
  return Object.freeze({
    writebackTags: Object.freeze(tag ? [tag] : []),
    zendesk: zendeskBase && zendeskAuth ? Object.freeze({ baseUrl: zendeskBase, ...zendeskAuth }) : undefined,
    freshdesk:
      freshdeskBase && e.FRESHDESK_API_KEY
        ? Object.freeze({ baseUrl: freshdeskBase, apiKey: e.FRESHDESK_API_KEY })
        : undefined,
    jira:
      e.JIRA_BASE_URL && e.JIRA_EMAIL && e.JIRA_API_TOKEN
        ? Object.freeze({ baseUrl: e.JIRA_BASE_URL, email: e.JIRA_EMAIL, apiToken: e.JIRA_API_TOKEN })
        : undefined,
    intercom:
      e.INTERCOM_ACCESS_TOKEN && e.INTERCOM_ADMIN_ID
        ? Object.freeze({
            baseUrl: e.INTERCOM_API_URL ?? 'https://api.intercom.io',
            accessToken: e.INTERCOM_ACCESS_TOKEN,
            adminId: e.INTERCOM_ADMIN_ID,
          })
        : undefined,
    helpscout:
      e.HELPSCOUT_APP_ID && e.HELPSCOUT_APP_SECRET
        ? Object.freeze({
            baseUrl: e.HELPSCOUT_API_URL ?? 'https://api.helpscout.net',
            appId: e.HELPSCOUT_APP_ID,
            appSecret: e.HELPSCOUT_APP_SECRET,
          })
        : undefined,
  });
}
// ── end of help-desk API access ───────────────────────────────────────────────────────────────────────────────────

// ── The front line: where the support team hears that an executive called, and is thanked ──────────────────────
const frontlineEnv = {
  SUPPORT_CHANNEL: channelId().optional(),
};
// ── end of the front line ─────────────────────────────────────────────────────────────────────────────────────────

/** Environment variables, their validation and their fixes. The keys are the contract's names. */
const envSchema = z.object({
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: secretList(8, 'copy it from Basic Information → App Credentials'),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'must be an app-level token starting with xapp-').optional(),
  SLACK_API_URL: z.url('must be a URL such as https://slack.com/api/').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (or unset it to use the embedded database)')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  EXEC_CHANNEL: channelId(),
  LEADERSHIP_CHANNEL: channelId(),
  EXECUTIVES: slackIdList('user ID (U…) or user group ID (S…)'),
  SUPPORT_LEADS: slackIdList('user ID (U…) or user group ID (S…)'),
  INGEST_TOKEN: secretList(16, 'use at least 16 random characters, e.g. `openssl rand -hex 24`'),
  TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA zone such as Europe/Paris').default('UTC'),
  PICK_SCHEDULE: cronExpression('0 10 * * 1-5').default('0 10 * * 1-5'),
  DIGEST_SCHEDULE: cronExpression('0 9 * * 1').default('0 9 * * 1'),
  HOLIDAYS: csv.pipe(z.array(z.string().refine(isRealDate, 'each date must be YYYY-MM-DD'))).default([]),
  HOLIDAY_COUNTRY: z
    .string()
    .transform((code) => code.toUpperCase())
    .refine(isHolidayCountry, 'must be a country code such as FR, or country-region such as US-CA')
    .optional(),
  PICKUP_ADMINS: slackIdList('user ID (U…) or user group ID (S…)').optional(),
  ZENDESK_WEBHOOK_SECRET: vendorSecret,
  FRESHDESK_WEBHOOK_SECRET: vendorSecret,
  JIRA_WEBHOOK_SECRET: vendorSecret,
  INTERCOM_CLIENT_SECRET: vendorSecret,
  HELPSCOUT_WEBHOOK_SECRET: vendorSecret,
  MAJOR_PRIORITIES: csv.pipe(z.array(z.enum(['urgent', 'high', 'normal', 'low'])).min(1)).default(['urgent', 'high']),
  MAJOR_TAGS: csv.default(['exec-callback', 'vip']),
  JIRA_URGENT_PRIORITIES: nameList('P1').default([]),
  JIRA_HIGH_PRIORITIES: nameList('P2').default([]),
  INTERCOM_MAJOR_TICKET_TYPES: nameList('Escalation').default([]),
  INTERCOM_MAJOR_TICKET_ATTRIBUTES: ticketAttributeRules.default([]),
  ...helpDeskEnv,
  ...frontlineEnv,
  ELIGIBLE_DAYS: positiveInt(30),
  COOLDOWN_DAYS: z.coerce.number().int().min(0).default(90),
  CLAIM_REMINDER_HOURS: positiveInt(4),
  FOLLOWUP_DAYS: positiveInt(14),
  RETENTION_DAYS: positiveInt(365),
  OUTBOX_LEASE_SECONDS: positiveInt(120),
  ACTION_THEMES: themeList.default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTCOME_WEBHOOK_URL: z
    .url('must be a URL such as https://crm.example.com/hooks/pickup')
    .refine(isOutcomeWebhookUrl, 'must be an https:// URL (plain http:// only to localhost or 127.0.0.1)')
    .optional(),
  OUTCOME_WEBHOOK_SECRET: secretList(16, 'use at least 16 random characters, e.g. `openssl rand -hex 32`'),
});

type Env = z.infer<typeof envSchema>;

/** The name of every environment variable Pickup reads. */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** The text of a variable's default value ("0 10 * * 1-5"), or undefined when it has none. */
export function defaultOf(name: string): string | undefined {
  if (!Object.hasOwn(envSchema.shape, name)) return undefined;
  const parsed = envSchema.shape[name as keyof Env].safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  return Array.isArray(parsed.data) ? parsed.data.join(',') : String(parsed.data);
}

/** The validated, frozen configuration. Nothing else in Pickup reads process.env. */
export interface Config {
  slack: {
    botToken: string | undefined;
    /** Every accepted signing secret (more than one while it is rotated); empty in Socket Mode. */
    signingSecrets: readonly string[];
    appToken: string | undefined;
    apiUrl: string | undefined;
  };
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  execChannel: string;
  leadershipChannel: string;
  executives: readonly string[];
  supportLeads: readonly string[];
  /** Every accepted webhook bearer token (more than one while it is rotated); empty when unset. */
  ingestTokens: readonly string[];
  timezone: string;
  pickSchedule: string;
  digestSchedule: string;
  holidays: readonly string[];
  /** A public-holiday calendar (FR, US-CA) whose holidays have no pick, besides `holidays`. */
  holidayCountry: string | undefined;
  /** Who may change settings in Slack besides the workspace's admins and owners (user and user group IDs). */
  pickupAdmins: readonly string[];
  /** Each help desk's accepted webhook secrets (more than one while one is rotated); empty when unset. */
  vendorSecrets: {
    zendesk: readonly string[];
    freshdesk: readonly string[];
    jira: readonly string[];
    intercom: readonly string[];
    helpscout: readonly string[];
  };
  majorPriorities: readonly string[];
  majorTags: readonly string[];
  /** Help-desk specifics the adapters read: priority names and ticket rules beyond each vendor's defaults. */
  vendorRules: {
    jira: { urgentPriorities: readonly string[]; highPriorities: readonly string[] };
    intercom: { majorTicketTypes: readonly string[]; majorTicketAttributes: readonly TicketAttributeRule[] };
  };
  eligibleDays: number;
  cooldownDays: number;
  claimReminderHours: number;
  followupDays: number;
  retentionDays: number;
  /** How long a delivery in flight stays reserved; a worker that dies mid-call is retried after it. */
  outboxLeaseSeconds: number;
  /** The themes of actions, as configured; empty means the defaults (see actions/action.ts actionThemes). */
  actionThemes: readonly string[];
  logLevel: Env['LOG_LEVEL'];
  /** Help-desk API access for write-back notes and the ticket thread. */
  helpDesks: HelpDesksConfig;
  /** Where the support team hears that an executive called a customer, and is thanked; none when unset. */
  supportChannel: string | undefined;
  /** Where signed outcome events go, and every secret that signs them (several while one is rotated); unset: none. */
  outcomeWebhook: { url: string; secrets: readonly string[] } | undefined;
}

/** Thrown when the environment is unusable; `message` is the whole guide for the operator. */
export class ConfigError extends PickupError<'config_invalid'> {
  constructor(readonly problems: readonly string[]) {
    super(
      'config_invalid',
      [
        `Pickup cannot start: ${problems.length} setting${problems.length === 1 ? ' is' : 's are'} missing or invalid.`,
        ...problems.map((p) => `  - ${p}`),
        '',
        `Set them in the environment or in a .env file (see .env.example). To create the Slack app and get its tokens, follow ${SETUP_GUIDE}.`,
      ].join('\n'),
    );
  }
}

const HINTS: Record<string, string> = {
  SLACK_BOT_TOKEN: 'the Bot User OAuth Token (xoxb-…) from OAuth & Permissions',
  SLACK_SIGNING_SECRET:
    'the Signing Secret from Basic Information → App Credentials (or set SLACK_APP_TOKEN for Socket Mode)',
  EXEC_CHANNEL: "the executives' channel ID (channel details → bottom of the About tab)",
  LEADERSHIP_CHANNEL: 'the leadership channel ID for the weekly digest',
  SUPPORT_CHANNEL: "the support team's channel ID, where they hear about calls and are thanked",
  EXECUTIVES: 'comma-separated user IDs (U…) or user group IDs (S…) of the executives who call',
  SUPPORT_LEADS: 'comma-separated user IDs (U…) or user group IDs (S…) of the support leads who escalate',
};

/**
 * What Pickup cannot post without: the channels and the people. They may be set in Slack instead (settings/), so the
 * bot starts without them and guides an admin through setup; a CLI job, which runs once and posts, needs them.
 */
export const ESSENTIAL_SETTINGS = ['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS'] as const;

const REQUIRED_BY_PURPOSE: Record<ConfigPurpose, readonly (keyof Env)[]> = {
  serve: [],
  jobs: ESSENTIAL_SETTINGS,
  database: [],
};

/** A Jira priority listed as both urgent and high is a typo that would silently pick one; say so instead. */
function conflictingJiraPriorities(e: Pick<Env, 'JIRA_URGENT_PRIORITIES' | 'JIRA_HIGH_PRIORITIES'>): string[] {
  const urgent = new Set(e.JIRA_URGENT_PRIORITIES.map((p) => p.toLowerCase()));
  return e.JIRA_HIGH_PRIORITIES.filter((p) => urgent.has(p.toLowerCase())).map(
    (p) => `JIRA_HIGH_PRIORITIES: "${p}" is also in JIRA_URGENT_PRIORITIES; list each priority in one of them only`,
  );
}

/** A webhook URL without a secret would send unsigned events that any receiver must refuse: say so at start-up. */
function outcomeWebhookProblems(e: Pick<Env, 'OUTCOME_WEBHOOK_URL' | 'OUTCOME_WEBHOOK_SECRET'>): string[] {
  if (e.OUTCOME_WEBHOOK_URL && !e.OUTCOME_WEBHOOK_SECRET) {
    return [
      'OUTCOME_WEBHOOK_SECRET is required when OUTCOME_WEBHOOK_URL is set: set it to a random value of at least 16 characters (`openssl rand -hex 32`) and give the same value to the receiver',
    ];
  }
  return [];
}

function outcomeWebhookOf(e: Pick<Env, 'OUTCOME_WEBHOOK_URL' | 'OUTCOME_WEBHOOK_SECRET'>): Config['outcomeWebhook'] {
  if (!e.OUTCOME_WEBHOOK_URL || !e.OUTCOME_WEBHOOK_SECRET) return undefined;
  return Object.freeze({ url: e.OUTCOME_WEBHOOK_URL, secrets: Object.freeze(e.OUTCOME_WEBHOOK_SECRET) });
}

// Fields that are only required for some purposes are validated when present, and skipped otherwise.
const purposeSchema = envSchema.partial({
  EXEC_CHANNEL: true,
  LEADERSHIP_CHANNEL: true,
  EXECUTIVES: true,
  SUPPORT_LEADS: true,
});

/** The environment as validated for some purpose: the purpose-dependent fields may be absent. */
type ParsedEnv = z.infer<typeof purposeSchema>;

/**
 * Validates the environment for a purpose and returns a frozen Config.
 * Every problem is collected and reported at once in a ConfigError.
 */
export function loadConfig(env: NodeJS.ProcessEnv, purpose: ConfigPurpose): Config {
  const checked = checkConfig(env, purpose);
  if (!checked.ok) throw new ConfigError(checked.problems);
  return checked.config;
}

/** One problem with the configuration: the variable it is about, and the whole sentence that names it. */
export interface ConfigProblem {
  name: string;
  message: string;
}

/**
 * Validates an environment for a purpose without throwing: the Config, or every problem. The settings an admin
 * saves in Slack are checked with it too (merged over the environment), so both are held to the same rules.
 */
export function checkConfig(
  env: NodeJS.ProcessEnv,
  purpose: ConfigPurpose,
): { ok: true; config: Config } | { ok: false; problems: string[] } {
  // Blank values count as unset, as they do in most .env tooling.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') cleaned[k] = v.trim();

  const parsed = purposeSchema.safeParse(cleaned);
  const problems = configProblems(cleaned, parsed, purpose);
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, config: toConfig(parsed.data, env) };
}

/** A problem sentence split into the variable it starts with and the rest ("EXECUTIVES: must …" → must …). */
export function nameOfProblem(problem: string): ConfigProblem {
  const name = /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0] ?? '';
  return { name, message: problem.slice(name.length).replace(/^:\s*/, '').trim() };
}

/** Every problem with the environment for `purpose`: invalid values, then missing ones, then conflicts. */
function configProblems(
  cleaned: Readonly<Record<string, string>>,
  parsed: z.ZodSafeParseResult<ParsedEnv>,
  purpose: ConfigPurpose,
): string[] {
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      problems.push(`${key}: ${issue.message}${HINTS[key] ? ` (${HINTS[key]})` : ''}`);
    }
  }
  for (const key of REQUIRED_BY_PURPOSE[purpose]) {
    if (cleaned[key] === undefined) problems.push(`${key} is required: set it to ${HINTS[key] ?? 'a value'}`);
  }
  if (purpose === 'serve') {
    if (!cleaned.SLACK_BOT_TOKEN) problems.push(`SLACK_BOT_TOKEN is required: set it to ${HINTS.SLACK_BOT_TOKEN}`);
    if (!cleaned.SLACK_APP_TOKEN && !cleaned.SLACK_SIGNING_SECRET) {
      problems.push(`SLACK_SIGNING_SECRET is required in HTTP mode: set it to ${HINTS.SLACK_SIGNING_SECRET}`);
    }
  }
  if (parsed.success) problems.push(...conflictingJiraPriorities(parsed.data), ...outcomeWebhookProblems(parsed.data));
  problems.push(...helpDeskCredentialProblems(cleaned));
  return problems;
}

/** The frozen Config from a valid environment. */
function toConfig(e: ParsedEnv, env: NodeJS.ProcessEnv): Config {
  const config: Config = {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecrets: Object.freeze(e.SLACK_SIGNING_SECRET ?? []),
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL ? (e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`) : undefined,
    },
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    port: e.PORT,
    execChannel: e.EXEC_CHANNEL ?? '',
    leadershipChannel: e.LEADERSHIP_CHANNEL ?? '',
    executives: Object.freeze(e.EXECUTIVES ?? []),
    supportLeads: Object.freeze(e.SUPPORT_LEADS ?? []),
    ingestTokens: Object.freeze(e.INGEST_TOKEN ?? []),
    timezone: e.TIMEZONE,
    pickSchedule: e.PICK_SCHEDULE,
    digestSchedule: e.DIGEST_SCHEDULE,
    holidays: Object.freeze(e.HOLIDAYS),
    holidayCountry: e.HOLIDAY_COUNTRY,
    pickupAdmins: Object.freeze(e.PICKUP_ADMINS ?? []),
    vendorSecrets: Object.freeze({
      zendesk: Object.freeze(e.ZENDESK_WEBHOOK_SECRET ?? []),
      freshdesk: Object.freeze(e.FRESHDESK_WEBHOOK_SECRET ?? []),
      jira: Object.freeze(e.JIRA_WEBHOOK_SECRET ?? []),
      intercom: Object.freeze(e.INTERCOM_CLIENT_SECRET ?? []),
      helpscout: Object.freeze(e.HELPSCOUT_WEBHOOK_SECRET ?? []),
    }),
    majorPriorities: Object.freeze(e.MAJOR_PRIORITIES),
    majorTags: Object.freeze(e.MAJOR_TAGS.map((t) => t.toLowerCase())),
    vendorRules: Object.freeze({
      jira: Object.freeze({
        urgentPriorities: Object.freeze(e.JIRA_URGENT_PRIORITIES),
        highPriorities: Object.freeze(e.JIRA_HIGH_PRIORITIES),
      }),
      intercom: Object.freeze({
        majorTicketTypes: Object.freeze(e.INTERCOM_MAJOR_TICKET_TYPES),
        majorTicketAttributes: Object.freeze(e.INTERCOM_MAJOR_TICKET_ATTRIBUTES),
      }),
    }),
    eligibleDays: e.ELIGIBLE_DAYS,
    cooldownDays: e.COOLDOWN_DAYS,
    claimReminderHours: e.CLAIM_REMINDER_HOURS,
    followupDays: e.FOLLOWUP_DAYS,
    retentionDays: e.RETENTION_DAYS,
    outboxLeaseSeconds: e.OUTBOX_LEASE_SECONDS,
    actionThemes: Object.freeze(e.ACTION_THEMES),
    logLevel: e.LOG_LEVEL,
    helpDesks: helpDesksConfig(e, env),
    supportChannel: e.SUPPORT_CHANNEL,
    outcomeWebhook: outcomeWebhookOf(e),
  };
  return Object.freeze({ ...config, slack: Object.freeze(config.slack) });
}
