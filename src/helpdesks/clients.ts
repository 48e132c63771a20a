import type { Config } from '../config';
import type { Logger } from '../logger';
import type { HelpDeskClients } from '../ports/helpdesk.port';
import type { HelpDeskClientOptions } from './client.helpers';
import { createFreshdeskClient } from './freshdesk/freshdesk.client';
import { createHelpScoutClient } from './helpscout/helpscout.client';
import { createIntercomClient } from './intercom/intercom.client';
import { createJiraClient } from './jira/jira.client';
import { createZendeskClient } from './zendesk/zendesk.client';

/**
 * The API client of every help desk whose credentials are set (Config.helpDesks); the others are absent, so a
 * caller that finds no client for a complaint's source skips the write-back.
 */
export function createHelpDeskClients(
  config: Pick<Config, 'helpDesks'>,
  logger?: Logger,
  options: Omit<HelpDeskClientOptions, 'logger'> = {},
): HelpDeskClients {
  const shared: HelpDeskClientOptions = { ...options, logger: logger?.child({ component: 'helpdesk-api' }) };
  const { zendesk, freshdesk, jira, intercom, helpscout } = config.helpDesks;
  const clients: HelpDeskClients = {};
  if (zendesk) clients.zendesk = createZendeskClient(zendesk, shared);
  if (freshdesk) clients.freshdesk = createFreshdeskClient(freshdesk, shared);
  if (jira) clients.jira = createJiraClient(jira, shared);
  if (intercom) clients.intercom = createIntercomClient(intercom, shared);
  if (helpscout) clients.helpscout = createHelpScoutClient(helpscout, shared);
  return Object.freeze(clients);
}
