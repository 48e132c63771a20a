import fs from 'node:fs';
import { Cron } from 'croner';
import { z } from 'zod';
import { isRealDate, isTimeZone } from './shared/time';

/**
 * What the process is about to do decides which settings it needs:
 * - `serve` runs the bot and needs Slack credentials and channels;
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

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const isCron = (expr: string) => {
  try {
    new Cron(expr, { paused: true });
    return true;
  } catch {
    return false;
  }
};

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
  EXEC_CHANNEL: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel ID such as C0123ABCD (not a #name)'),
  LEADERSHIP_CHANNEL: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel ID such as C0123ABCD (not a #name)'),
  EXECUTIVES: slackIdList('user ID (U…) or user group ID (S…)'),
  SUPPORT_LEADS: slackIdList('user ID (U…) or user group ID (S…)'),
  INGEST_TOKEN: secretList(16, 'use at least 16 random characters, e.g. `openssl rand -hex 24`'),
  TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA zone such as Europe/Paris').default('UTC'),
  PICK_SCHEDULE: z.string().refine(isCron, 'must be a cron expression such as "0 10 * * 1-5"').default('0 10 * * 1-5'),
  DIGEST_SCHEDULE: z.string().refine(isCron, 'must be a cron expression such as "0 9 * * 1"').default('0 9 * * 1'),
  HOLIDAYS: csv.pipe(z.array(z.string().refine(isRealDate, 'each date must be YYYY-MM-DD'))).default([]),
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
  ELIGIBLE_DAYS: positiveInt(30),
  COOLDOWN_DAYS: z.coerce.number().int().min(0).default(90),
  CLAIM_REMINDER_HOURS: positiveInt(4),
  FOLLOWUP_DAYS: positiveInt(14),
  RETENTION_DAYS: positiveInt(365),
  OUTBOX_LEASE_SECONDS: positiveInt(120),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTCOME_WEBHOOK_URL: z
    .url('must be a URL such as https://crm.example.com/hooks/pickup')
    .refine(isOutcomeWebhookUrl, 'must be an https:// URL (plain http:// only to localhost or 127.0.0.1)')
    .optional(),
  OUTCOME_WEBHOOK_SECRET: secretList(16, 'use at least 16 random characters, e.g. `openssl rand -hex 32`'),
  WRITEBACK_TAG: z
    .string()
    .regex(/^[^\s,]{1,80}$/, 'must be one tag of at most 80 characters, without spaces or commas')
    .default('exec-called'),
});

type Env = z.infer<typeof envSchema>;

/** The name of every environment variable Pickup reads. */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

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
  logLevel: Env['LOG_LEVEL'];
  /** Where signed outcome events go, and every secret that signs them (several while one is rotated); unset: none. */
  outcomeWebhook: { url: string; secrets: readonly string[] } | undefined;
  /** The tag a write-back note adds to the ticket, where the help desk has tags. */
  writebackTag: string;
}

/** Thrown when the environment is unusable; `message` is the whole guide for the operator. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      [
        `Pickup cannot start: ${problems.length} setting${problems.length === 1 ? ' is' : 's are'} missing or invalid.`,
        ...problems.map((p) => `  - ${p}`),
        '',
        `Set them in the environment or in a .env file (see .env.example). To create the Slack app and get its tokens, follow ${SETUP_GUIDE}.`,
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const HINTS: Record<string, string> = {
  SLACK_BOT_TOKEN: 'the Bot User OAuth Token (xoxb-…) from OAuth & Permissions',
  SLACK_SIGNING_SECRET:
    'the Signing Secret from Basic Information → App Credentials (or set SLACK_APP_TOKEN for Socket Mode)',
  EXEC_CHANNEL: "the executives' channel ID (channel details → bottom of the About tab)",
  LEADERSHIP_CHANNEL: 'the leadership channel ID for the weekly digest',
  EXECUTIVES: 'comma-separated user IDs (U…) or user group IDs (S…) of the executives who call',
  SUPPORT_LEADS: 'comma-separated user IDs (U…) or user group IDs (S…) of the support leads who escalate',
};

const REQUIRED_BY_PURPOSE: Record<ConfigPurpose, readonly (keyof Env)[]> = {
  serve: ['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS'],
  jobs: ['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS'],
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

/**
 * Validates the environment for a purpose and returns a frozen Config.
 * Every problem is collected and reported at once in a ConfigError.
 */
export function loadConfig(env: NodeJS.ProcessEnv, purpose: ConfigPurpose): Config {
  // Blank values count as unset, as they do in most .env tooling.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') cleaned[k] = v.trim();

  const required = new Set<string>(REQUIRED_BY_PURPOSE[purpose]);
  // Fields that are only required for some purposes are validated when present, and skipped otherwise.
  const schema = envSchema.partial({
    EXEC_CHANNEL: true,
    LEADERSHIP_CHANNEL: true,
    EXECUTIVES: true,
    SUPPORT_LEADS: true,
  });
  const problems: string[] = [];
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      problems.push(`${key}: ${issue.message}${HINTS[key] ? ` (${HINTS[key]})` : ''}`);
    }
  }
  for (const key of required) {
    if (cleaned[key] === undefined) problems.push(`${key} is required: set it to ${HINTS[key] ?? 'a value'}`);
  }
  if (purpose === 'serve') {
    if (!cleaned.SLACK_BOT_TOKEN) problems.push(`SLACK_BOT_TOKEN is required: set it to ${HINTS.SLACK_BOT_TOKEN}`);
    if (!cleaned.SLACK_APP_TOKEN && !cleaned.SLACK_SIGNING_SECRET) {
      problems.push(`SLACK_SIGNING_SECRET is required in HTTP mode: set it to ${HINTS.SLACK_SIGNING_SECRET}`);
    }
  }
  if (parsed.success) problems.push(...conflictingJiraPriorities(parsed.data), ...outcomeWebhookProblems(parsed.data));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
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
    logLevel: e.LOG_LEVEL,
    outcomeWebhook: outcomeWebhookOf(e),
    writebackTag: e.WRITEBACK_TAG,
  };
  return Object.freeze({ ...config, slack: Object.freeze(config.slack) });
}
