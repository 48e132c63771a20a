import { ConfigError, loadConfig } from '../../src/config';
import { createHelpDeskClients } from '../../src/helpdesks/clients';
import { createLogger } from '../../src/logger';
import { testEnv } from '../helpers/config';

/** The problems loadConfig reports for an environment (empty when it loads). */
function problemsOf(overrides: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(testEnv(overrides), 'serve');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const ALL_VENDORS = {
  ZENDESK_SUBDOMAIN: 'acme',
  ZENDESK_EMAIL: 'agent@acme.example',
  ZENDESK_API_TOKEN: 'zd-secret-token-value',
  FRESHDESK_DOMAIN: 'acme.freshdesk.com',
  FRESHDESK_API_KEY: 'fd-secret-key-value',
  JIRA_BASE_URL: 'https://acme.atlassian.net',
  JIRA_EMAIL: 'bot@acme.example',
  JIRA_API_TOKEN: 'jira-secret-token-value',
  INTERCOM_ACCESS_TOKEN: 'ic-secret-token-value',
  INTERCOM_ADMIN_ID: '814860',
  HELPSCOUT_APP_ID: 'hs-app-id-value',
  HELPSCOUT_APP_SECRET: 'hs-secret-value',
};

describe('Config.helpDesks', () => {
  it('has no vendor and the default tag when no help-desk API setting is set', () => {
    expect(loadConfig(testEnv(), 'serve').helpDesks).toEqual({ writebackTags: ['exec-called'] });
  });

  it('builds each vendor’s API access, with each vendor’s own base URL', () => {
    const { helpDesks } = loadConfig(testEnv(ALL_VENDORS), 'serve');
    expect(helpDesks).toEqual({
      writebackTags: ['exec-called'],
      zendesk: { baseUrl: 'https://acme.zendesk.com', email: 'agent@acme.example', apiToken: 'zd-secret-token-value' },
      freshdesk: { baseUrl: 'https://acme.freshdesk.com', apiKey: 'fd-secret-key-value' },
      jira: { baseUrl: 'https://acme.atlassian.net', email: 'bot@acme.example', apiToken: 'jira-secret-token-value' },
      intercom: { baseUrl: 'https://api.intercom.io', accessToken: 'ic-secret-token-value', adminId: '814860' },
      helpscout: { baseUrl: 'https://api.helpscout.net', appId: 'hs-app-id-value', appSecret: 'hs-secret-value' },
    });
    expect(Object.isFrozen(helpDesks)).toBe(true);
    expect(Object.isFrozen(helpDesks.zendesk)).toBe(true);
  });

  it('takes a Zendesk OAuth token instead of an email and API token', () => {
    const { helpDesks } = loadConfig(
      testEnv({ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_OAUTH_TOKEN: 'oauth-value' }),
      'serve',
    );
    expect(helpDesks.zendesk).toEqual({ baseUrl: 'https://acme.zendesk.com', oauthToken: 'oauth-value' });
  });

  it('uses the base URL overrides, which need no subdomain or domain', () => {
    const { helpDesks } = loadConfig(
      testEnv({
        ZENDESK_API_URL: 'http://127.0.0.1:4001',
        ZENDESK_OAUTH_TOKEN: 'oauth-value',
        FRESHDESK_API_URL: 'http://127.0.0.1:4002',
        FRESHDESK_API_KEY: 'fd-key',
        INTERCOM_API_URL: 'https://api.eu.intercom.io',
        INTERCOM_ACCESS_TOKEN: 'ic-token',
        INTERCOM_ADMIN_ID: '1',
        HELPSCOUT_API_URL: 'http://127.0.0.1:4003',
        HELPSCOUT_APP_ID: 'id',
        HELPSCOUT_APP_SECRET: 'secret',
      }),
      'serve',
    );
    expect(helpDesks.zendesk?.baseUrl).toBe('http://127.0.0.1:4001');
    expect(helpDesks.freshdesk?.baseUrl).toBe('http://127.0.0.1:4002');
    expect(helpDesks.intercom?.baseUrl).toBe('https://api.eu.intercom.io');
    expect(helpDesks.helpscout?.baseUrl).toBe('http://127.0.0.1:4003');
  });

  it('turns nothing on, and complains about nothing, for a base URL override alone', () => {
    expect(problemsOf({ ZENDESK_API_URL: 'http://127.0.0.1:4001' })).toEqual([]);
    expect(
      loadConfig(testEnv({ ZENDESK_API_URL: 'http://127.0.0.1:4001' }), 'serve').helpDesks.zendesk,
    ).toBeUndefined();
  });

  it.each([
    [
      { ZENDESK_EMAIL: 'agent@acme.example' },
      ['ZENDESK_SUBDOMAIN is required with ZENDESK_EMAIL', 'ZENDESK_API_TOKEN is required with ZENDESK_EMAIL'],
    ],
    [
      { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_API_TOKEN: 't' },
      ['ZENDESK_EMAIL is required with ZENDESK_SUBDOMAIN and ZENDESK_API_TOKEN'],
    ],
    [{ ZENDESK_OAUTH_TOKEN: 'o' }, ['ZENDESK_SUBDOMAIN is required with ZENDESK_OAUTH_TOKEN']],
    [{ FRESHDESK_API_KEY: 'k' }, ['FRESHDESK_DOMAIN is required with FRESHDESK_API_KEY']],
    [{ FRESHDESK_DOMAIN: 'acme.freshdesk.com' }, ['FRESHDESK_API_KEY is required with FRESHDESK_DOMAIN']],
    [
      { JIRA_BASE_URL: 'https://acme.atlassian.net' },
      ['JIRA_EMAIL is required with JIRA_BASE_URL', 'JIRA_API_TOKEN is required with JIRA_BASE_URL'],
    ],
    [{ INTERCOM_ACCESS_TOKEN: 't' }, ['INTERCOM_ADMIN_ID is required with INTERCOM_ACCESS_TOKEN']],
    [{ HELPSCOUT_APP_SECRET: 's' }, ['HELPSCOUT_APP_ID is required with HELPSCOUT_APP_SECRET']],
  ])('refuses a vendor set up halfway (%o), saying what is missing', (env, expected) => {
    const problems = problemsOf(env);
    expect(problems.map((p) => p.split(':')[0])).toEqual(expected);
    for (const problem of problems) expect(problem).toMatch(/: set it to .+, or unset .+ to turn .+ write-back off$/);
  });

  it('lists a half-set vendor together with every other problem, in one error', () => {
    const problems = problemsOf({ JIRA_EMAIL: 'bot@acme.example', TIMEZONE: 'Mars/Olympus', EXECUTIVES: 'executives' });
    expect(problems.map((p) => p.split(/[: ]/)[0])).toEqual(
      expect.arrayContaining(['TIMEZONE', 'EXECUTIVES', 'JIRA_BASE_URL', 'JIRA_API_TOKEN']),
    );
  });

  it('refuses both kinds of Zendesk credentials at once', () => {
    const problems = problemsOf({ ...ALL_VENDORS, ZENDESK_OAUTH_TOKEN: 'oauth-value' });
    expect(problems).toEqual([
      'ZENDESK_OAUTH_TOKEN: set either ZENDESK_OAUTH_TOKEN or ZENDESK_EMAIL with ZENDESK_API_TOKEN, not both',
    ]);
  });

  it.each([
    ['ZENDESK_SUBDOMAIN', 'acme.zendesk.com/agent'],
    ['ZENDESK_EMAIL', 'agent'],
    ['FRESHDESK_DOMAIN', 'https://acme.freshdesk.com'],
    ['JIRA_BASE_URL', 'acme.atlassian.net'],
    ['INTERCOM_ADMIN_ID', 'Jane'],
    ['HELPSCOUT_API_URL', 'not a url'],
    ['JIRA_API_TOKEN', 'two words'],
  ])('validates %s', (name, value) => {
    expect(problemsOf({ [name]: value }).some((p) => p.startsWith(`${name}: must`))).toBe(true);
  });

  it.each([
    [undefined, ['exec-called']],
    ['', []],
    ['  ', []],
    ['Exec-Call_2', ['exec-call_2']],
  ])('WRITEBACK_TAG=%p gives the tags %p', (value, tags) => {
    expect(loadConfig(testEnv({ WRITEBACK_TAG: value }), 'serve').helpDesks.writebackTags).toEqual(tags);
  });

  it('refuses a WRITEBACK_TAG no help desk would take as one tag', () => {
    expect(problemsOf({ WRITEBACK_TAG: 'exec called' })[0]).toMatch(/^WRITEBACK_TAG: must be one tag/);
  });

  it('keeps every help-desk credential out of the logs when the config is logged', () => {
    const config = loadConfig(testEnv(ALL_VENDORS), 'serve');
    const oauth = loadConfig(testEnv({ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_OAUTH_TOKEN: 'zd-oauth-secret' }), 'serve');
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    logger.info({ config }, 'config');
    logger.info({ config: oauth }, 'config');
    logger.info({ helpDesks: config.helpDesks }, 'help desks');
    expect(lines.join('')).not.toMatch(/secret|token-value|key-value|zd-oauth/);
    expect(lines.join('')).toContain('https://acme.zendesk.com');
  });
});

describe('createHelpDeskClients', () => {
  it('has a client for each vendor whose credentials are set, and none for the others', () => {
    const none = createHelpDeskClients(loadConfig(testEnv(), 'serve'));
    expect(Object.keys(none)).toEqual([]);
    const all = createHelpDeskClients(loadConfig(testEnv(ALL_VENDORS), 'serve'));
    expect(Object.keys(all).sort()).toEqual(['freshdesk', 'helpscout', 'intercom', 'jira', 'zendesk']);
    for (const [source, client] of Object.entries(all)) expect(client.source).toBe(source);
    const jiraOnly = createHelpDeskClients(
      loadConfig(
        testEnv({ JIRA_BASE_URL: 'https://acme.atlassian.net', JIRA_EMAIL: 'bot@acme.example', JIRA_API_TOKEN: 't' }),
        'serve',
      ),
    );
    expect(Object.keys(jiraOnly)).toEqual(['jira']);
  });
});
