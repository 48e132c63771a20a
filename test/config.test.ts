import fs from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  checkConfig,
  defaultOf,
  ENV_VARIABLES,
  ESSENTIAL_SETTINGS,
  loadConfig,
  nameOfProblem,
} from '../src/config';
import { createLogger } from '../src/logger';
import { TEST_SIGNING_SECRET, testEnv } from './helpers/config';

describe('loadConfig', () => {
  it('returns a frozen config with defaults from a valid environment', () => {
    const config = loadConfig(testEnv({ HOLIDAYS: '2026-12-25, 2027-01-01', EXECUTIVES: 'U1AAA,S2BBB' }), 'serve');
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.executives).toEqual(['U1AAA', 'S2BBB']);
    expect(config.holidays).toEqual(['2026-12-25', '2027-01-01']);
    expect(config.pickSchedule).toBe('0 10 * * 1-5');
    expect(config.digestSchedule).toBe('0 9 * * 1');
    expect(config.dataDir).toBe('./data');
    expect(config.majorPriorities).toEqual(['urgent', 'high']);
    expect(config.majorTags).toEqual(['exec-callback', 'vip']);
    expect(config.eligibleDays).toBe(30);
    expect(config.cooldownDays).toBe(90);
    expect(config.vendorRules).toEqual({
      jira: { urgentPriorities: [], highPriorities: [] },
      intercom: { majorTicketTypes: [], majorTicketAttributes: [] },
    });
  });

  it('reads the help-desk rules: Jira priority names and Intercom major ticket types and attributes', () => {
    const config = loadConfig(
      testEnv({
        JIRA_URGENT_PRIORITIES: 'P1 - Drop everything, 10002',
        JIRA_HIGH_PRIORITIES: 'P2',
        INTERCOM_MAJOR_TICKET_TYPES: 'Escalation, 7',
        INTERCOM_MAJOR_TICKET_ATTRIBUTES: 'Severity = Critical, Exec escalation',
      }),
      'serve',
    );
    expect(config.vendorRules).toEqual({
      jira: { urgentPriorities: ['P1 - Drop everything', '10002'], highPriorities: ['P2'] },
      intercom: {
        majorTicketTypes: ['Escalation', '7'],
        majorTicketAttributes: [
          { name: 'Severity', value: 'Critical' },
          { name: 'Exec escalation', value: undefined },
        ],
      },
    });
    expect(Object.isFrozen(config.vendorRules.jira)).toBe(true);
  });

  it('reads the outcome webhook: https, or http to this machine, with its secrets', () => {
    expect(loadConfig(testEnv(), 'serve').outcomeWebhook).toBeUndefined();
    const on = loadConfig(
      testEnv({
        OUTCOME_WEBHOOK_URL: 'https://crm.example.com/hooks/pickup',
        OUTCOME_WEBHOOK_SECRET: 'old-secret-0123456789,new-secret-0123456789',
      }),
      'serve',
    );
    expect(on.outcomeWebhook).toEqual({
      url: 'https://crm.example.com/hooks/pickup',
      secrets: ['old-secret-0123456789', 'new-secret-0123456789'],
    });
    for (const url of ['http://localhost:4000/hook', 'http://127.0.0.1/hook']) {
      const local = loadConfig(testEnv({ OUTCOME_WEBHOOK_URL: url, OUTCOME_WEBHOOK_SECRET: 'x'.repeat(16) }), 'serve');
      expect(local.outcomeWebhook?.url).toBe(url);
    }
  });

  it('refuses an outcome webhook that would leak or go unsigned, saying how to fix it', () => {
    const attempt = (env: Record<string, string>) => () => loadConfig(testEnv(env), 'serve');
    const secret = { OUTCOME_WEBHOOK_SECRET: 'x'.repeat(16) };
    expect(attempt({ OUTCOME_WEBHOOK_URL: 'http://crm.example.com/hook', ...secret })).toThrow(
      /OUTCOME_WEBHOOK_URL: must be an https:\/\/ URL \(plain http:\/\/ only to localhost or 127\.0\.0\.1\)/,
    );
    expect(attempt({ OUTCOME_WEBHOOK_URL: 'crm.example.com', ...secret })).toThrow(
      /OUTCOME_WEBHOOK_URL: must be a URL/,
    );
    expect(attempt({ OUTCOME_WEBHOOK_URL: 'https://crm.example.com/hook' })).toThrow(
      /OUTCOME_WEBHOOK_SECRET is required when OUTCOME_WEBHOOK_URL is set/,
    );
    expect(attempt({ OUTCOME_WEBHOOK_URL: 'https://crm.example.com/hook', OUTCOME_WEBHOOK_SECRET: 'short' })).toThrow(
      /OUTCOME_WEBHOOK_SECRET: the value has 5 characters/,
    );
  });

  it('refuses malformed help-desk rules, saying how to write them', () => {
    const attempt = (env: Record<string, string>) => () => loadConfig(testEnv(env), 'serve');
    expect(attempt({ INTERCOM_MAJOR_TICKET_ATTRIBUTES: 'Severity=Critical=High' })).toThrow(
      /INTERCOM_MAJOR_TICKET_ATTRIBUTES: each entry must be an attribute name, or name=value/,
    );
    expect(attempt({ INTERCOM_MAJOR_TICKET_ATTRIBUTES: '=Critical' })).toThrow(/INTERCOM_MAJOR_TICKET_ATTRIBUTES/);
    expect(attempt({ JIRA_URGENT_PRIORITIES: 'x'.repeat(101) })).toThrow(/JIRA_URGENT_PRIORITIES: each entry/);
    expect(attempt({ JIRA_URGENT_PRIORITIES: 'P1,Sev 2', JIRA_HIGH_PRIORITIES: 'sev 2' })).toThrow(
      /JIRA_HIGH_PRIORITIES: "sev 2" is also in JIRA_URGENT_PRIORITIES/,
    );
  });

  it('lists every missing and invalid setting in one message, each with its fix', () => {
    let error: unknown;
    try {
      loadConfig(
        { TIMEZONE: 'Mars/Olympus', PICK_SCHEDULE: 'every day', EXEC_CHANNEL: '#execs', HOLIDAYS: '2026-13-01' },
        'serve',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'TIMEZONE',
      'PICK_SCHEDULE',
      'EXEC_CHANNEL',
      'HOLIDAYS',
    ]) {
      expect(message).toContain(name);
    }
    // Channels and people may be set in Slack once the bot runs: serving needs only the Slack credentials.
    for (const name of ['LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS']) expect(message).not.toContain(name);
    expect(message).toContain('Create the Slack app');
    expect(problems.length).toBe(6);
  });

  it('serves with only the Slack credentials: channels and people are required unless set in Slack', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET }, 'serve');
    expect(config).toMatchObject({ execChannel: '', leadershipChannel: '', executives: [], supportLeads: [] });
    expect(config.pickupAdmins).toEqual([]);
    expect(config.holidayCountry).toBeUndefined();
    // Set in the environment, they are still checked.
    expect(() => loadConfig(testEnv({ EXECUTIVES: 'ceo@acme.example' }), 'serve')).toThrow(
      /EXECUTIVES: each entry must be a user ID \(U…\) or user group ID \(S…\)/,
    );
  });

  it('needs the channels and people for a job run from the CLI, each named with its fix', () => {
    const checked = checkConfig({}, 'jobs');
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems).toEqual([
      expect.stringMatching(/^EXEC_CHANNEL is required: set it to the executives' channel ID/),
      expect.stringMatching(/^LEADERSHIP_CHANNEL is required: set it to the leadership channel ID/),
      expect.stringMatching(/^EXECUTIVES is required: set it to comma-separated user IDs/),
      expect.stringMatching(/^SUPPORT_LEADS is required: set it to comma-separated user IDs/),
    ]);
    expect(ESSENTIAL_SETTINGS).toEqual(['EXEC_CHANNEL', 'LEADERSHIP_CHANNEL', 'EXECUTIVES', 'SUPPORT_LEADS']);
    expect(checkConfig(testEnv(), 'jobs').ok).toBe(true);
  });

  it.each([
    ['FR', 'FR'],
    ['fr', 'FR'],
    ['US-CA', 'US-CA'],
    ['de-by', 'DE-BY'],
  ])('reads HOLIDAY_COUNTRY %s as the calendar %s', (value, calendar) => {
    expect(loadConfig(testEnv({ HOLIDAY_COUNTRY: value }), 'serve').holidayCountry).toBe(calendar);
  });

  it.each(['Atlantis', 'XX', 'US-XX', 'FR-IDF-PARIS', 'France'])(
    'refuses HOLIDAY_COUNTRY %s, saying what it takes',
    (value) => {
      expect(() => loadConfig(testEnv({ HOLIDAY_COUNTRY: value }), 'serve')).toThrow(
        /HOLIDAY_COUNTRY: must be a country code such as FR, or country-region such as US-CA/,
      );
    },
  );

  it('reads PICKUP_ADMINS as user and user group IDs, and refuses anything else', () => {
    expect(loadConfig(testEnv({ PICKUP_ADMINS: 'U1ADMIN, S2ADMINS' }), 'serve').pickupAdmins).toEqual([
      'U1ADMIN',
      'S2ADMINS',
    ]);
    expect(Object.isFrozen(loadConfig(testEnv({ PICKUP_ADMINS: 'U1ADMIN' }), 'serve').pickupAdmins)).toBe(true);
    for (const value of ['@ops', 'U1ADMIN,#ops', 'C0123ABCD']) {
      expect(() => loadConfig(testEnv({ PICKUP_ADMINS: value }), 'serve')).toThrow(
        /PICKUP_ADMINS: each entry must be a user ID \(U…\) or user group ID \(S…\)/,
      );
    }
  });

  it('checks without throwing: the config, or every problem as a sentence that starts with its variable', () => {
    const ok = checkConfig(testEnv({ TIMEZONE: 'Europe/Paris' }), 'serve');
    expect(ok.ok && ok.config.timezone).toBe('Europe/Paris');
    const bad = checkConfig(testEnv({ TIMEZONE: 'Mars/Olympus', ELIGIBLE_DAYS: '0' }), 'serve');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => nameOfProblem(p).name)).toEqual(['TIMEZONE', 'ELIGIBLE_DAYS']);
  });

  it.each([
    ['EXECUTIVES: each entry must be a user ID', { name: 'EXECUTIVES', message: 'each entry must be a user ID' }],
    [
      'EXEC_CHANNEL is required: set it to a channel',
      { name: 'EXEC_CHANNEL', message: 'is required: set it to a channel' },
    ],
    ['PICK_SCHEDULE:   must be a cron expression', { name: 'PICK_SCHEDULE', message: 'must be a cron expression' }],
    ['something odd', { name: '', message: 'something odd' }],
  ])('nameOfProblem splits "%s" into its variable and the rest', (problem, expected) => {
    expect(nameOfProblem(problem)).toEqual(expected);
  });

  it.each([
    ['PICK_SCHEDULE', '0 10 * * 1-5'],
    ['DIGEST_SCHEDULE', '0 9 * * 1'],
    ['TIMEZONE', 'UTC'],
    ['MAJOR_PRIORITIES', 'urgent,high'],
    ['MAJOR_TAGS', 'exec-callback,vip'],
    ['ELIGIBLE_DAYS', '30'],
    ['COOLDOWN_DAYS', '90'],
    ['DATA_DIR', './data'],
    ['HOLIDAYS', ''],
    ['EXEC_CHANNEL', undefined],
    ['HOLIDAY_COUNTRY', undefined],
    ['PICKUP_ADMINS', undefined],
    ['NOT_A_VARIABLE', undefined],
  ])("defaultOf(%s) is the default's text: %p", (name, expected) => {
    expect(defaultOf(name)).toBe(expected);
  });

  it('takes comma-separated lists for every rotatable secret, so old and new both work during a change', () => {
    const config = loadConfig(
      testEnv({
        SLACK_SIGNING_SECRET: 'old-signing-secret, new-signing-secret',
        INGEST_TOKEN: 'old-ingest-token-0123,new-ingest-token-0123',
        ZENDESK_WEBHOOK_SECRET: 'zendesk-old,zendesk-new',
        JIRA_WEBHOOK_SECRET: 'jira-only-one',
      }),
      'serve',
    );
    expect(config.slack.signingSecrets).toEqual(['old-signing-secret', 'new-signing-secret']);
    expect(config.ingestTokens).toEqual(['old-ingest-token-0123', 'new-ingest-token-0123']);
    expect(config.vendorSecrets.zendesk).toEqual(['zendesk-old', 'zendesk-new']);
    expect(config.vendorSecrets.jira).toEqual(['jira-only-one']);
    expect(config.vendorSecrets.intercom).toEqual([]);
    expect(Object.isFrozen(config.ingestTokens)).toBe(true);
  });

  it('checks the length of every value in a secret list, naming each short one by position, never its content', () => {
    let error: unknown;
    try {
      loadConfig(
        testEnv({
          INGEST_TOKEN: 'long-enough-token-0123,short',
          SLACK_SIGNING_SECRET: 'tiny',
          HELPSCOUT_WEBHOOK_SECRET: 'abc,helpscout-secret,xy',
          FRESHDESK_WEBHOOK_SECRET: ' , ',
        }),
        'serve',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET: the value has 4 characters; copy it from Basic Information/),
      expect.stringMatching(/^INGEST_TOKEN: value 2 of 2 has 5 characters; use at least 16 random characters/),
      expect.stringMatching(/^FRESHDESK_WEBHOOK_SECRET: give at least one value/),
      expect.stringMatching(/^HELPSCOUT_WEBHOOK_SECRET: value 1 of 3 has 3 characters; use at least 8/),
      expect.stringMatching(/^HELPSCOUT_WEBHOOK_SECRET: value 3 of 3 has 2 characters; use at least 8/),
    ]);
    for (const secret of ['short', 'tiny', 'abc', 'xy']) expect(message).not.toContain(`${secret};`);
  });

  it('needs no signing secret in Socket Mode', () => {
    const config = loadConfig(testEnv({ SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1-abc' }), 'serve');
    expect(config.slack.appToken).toBe('xapp-1-abc');
  });

  it('needs nothing but the database for database commands', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://localhost/x' }, 'database');
    expect(config.databaseUrl).toBe('postgres://localhost/x');
  });

  it('still validates optional settings for database commands', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' }, 'database')).toThrow(/DATABASE_URL/);
  });

  it('treats blank values as unset', () => {
    const config = loadConfig(testEnv({ SLACK_API_URL: '  ', TIMEZONE: '' }), 'serve');
    expect(config.slack.apiUrl).toBeUndefined();
    expect(config.timezone).toBe('UTC');
  });

  it('documents every variable it reads in .env.example and in the README', () => {
    const root = path.resolve(__dirname, '..');
    const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(ENV_VARIABLES.filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example))).toEqual([]);
    expect(ENV_VARIABLES.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('keeps every secret out of the logs when a config is logged', () => {
    const config = loadConfig(
      testEnv({
        SLACK_SIGNING_SECRET: 'old-signing-secret,new-signing-secret',
        INGEST_TOKEN: 'old-ingest-token-0123,new-ingest-token-0123',
        JIRA_WEBHOOK_SECRET: 'jira-secret-old,jira-secret-new',
        OUTCOME_WEBHOOK_URL: 'https://crm.example.com/hooks/pickup',
        OUTCOME_WEBHOOK_SECRET: 'outcome-secret-0123456789',
      }),
      'serve',
    );
    const lines: string[] = [];
    createLogger('info', { write: (line: string) => lines.push(line) }).info({ config }, 'config');
    expect(lines.join('')).not.toMatch(/signing-secret|ingest-token|jira-secret|outcome-secret|xoxb-test-token/);
  });
});
