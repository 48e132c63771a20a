import type { Migration } from 'kysely';
import * as core from './20261123_0001_core';
import * as reachedAttemptsIndex from './20261123_0002_reached_attempts_index';
import * as phoneE164 from './20261129_0003_phone_e164';
import * as complaintEventTimes from './20261129_0004_complaint_event_times';
import * as drawCommitments from './20261129_0005_draw_commitments';
import * as installation from './20261129_0006_installation';
import * as complaintAssignee from './20261207_0007_complaint_assignee';
import * as actions from './20261207_0009_actions';
import * as actionMessages from './20261207_0010_action_messages';
import * as customerEmailLower from './20261207_0011_customer_email_lower';
import * as workspaceSettings from './20261207_0012_workspace_settings';
import * as eligibilityStatistics from './20261208_0013_eligibility_statistics';

/**
 * Every migration, by name. Listed statically (not read from disk) so the same list works from
 * source under Jest and from the compiled build. Names sort in the order they run; never edit a released one.
 */
export const migrations: Record<string, Migration> = {
  '20261123_0001_core': core,
  '20261123_0002_reached_attempts_index': reachedAttemptsIndex,
  '20261129_0003_phone_e164': phoneE164,
  '20261129_0004_complaint_event_times': complaintEventTimes,
  '20261129_0005_draw_commitments': drawCommitments,
  '20261129_0006_installation': installation,
  '20261207_0007_complaint_assignee': complaintAssignee,
  '20261207_0009_actions': actions,
  '20261207_0010_action_messages': actionMessages,
  '20261207_0011_customer_email_lower': customerEmailLower,
  '20261207_0012_workspace_settings': workspaceSettings,
  '20261208_0013_eligibility_statistics': eligibilityStatistics,
};
