import type { VendorSource } from '../complaints/complaint';
import type { HelpDeskAdapter } from './adapter';
import { freshdeskAdapter } from './freshdesk/freshdesk.adapter';
import { helpScoutAdapter } from './helpscout/helpscout.adapter';
import { intercomAdapter } from './intercom/intercom.adapter';
import { jiraAdapter } from './jira/jira.adapter';
import { zendeskAdapter } from './zendesk/zendesk.adapter';

/** Every vendor's adapter, keyed by the source name used in routes and stored complaints. */
export const ADAPTERS: Record<VendorSource, HelpDeskAdapter> = {
  zendesk: zendeskAdapter,
  freshdesk: freshdeskAdapter,
  jira: jiraAdapter,
  intercom: intercomAdapter,
  helpscout: helpScoutAdapter,
};
