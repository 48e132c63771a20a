// The domain builds Block Kit, so it takes the Slack SDK's Block Kit types. @slack/types is declarations only (no
// runtime code, nothing that reaches Slack), so this couples the domain to Slack's published schema, which it renders
// to anyway, and not to a client: the compiler then refuses a malformed block where it is built, rather than Slack
// answering invalid_blocks in production.
import type { HomeView, KnownBlock, ModalView } from '@slack/types';
import { PickupError } from '../shared/errors';

/** A Block Kit block of a type Slack knows (section, actions, input, …), as the Slack SDK types it. */
export type Block = KnownBlock;

/** An App Home tab. The SDK's HomeView also takes any `{ type: string }` as a block; this one only known blocks. */
export interface HomeTab extends HomeView {
  blocks: Block[];
}

/** A modal. The SDK's ModalView also takes any `{ type: string }` as a block; this one only known blocks. */
export interface Modal extends ModalView {
  blocks: Block[];
}

/** A message to a channel, thread or user (a user ID as channel means a DM from the bot). */
export interface OutgoingMessage {
  channel: string;
  text: string;
  blocks?: Block[];
  threadTs?: string;
}

/** Where a posted message lives, so it can be edited later. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

/** A file upload (the digest chart). */
export interface OutgoingFile {
  channel: string;
  filename: string;
  title: string;
  altText: string;
  /** base64, so the outbox can keep it as JSON. */
  contentBase64: string;
  threadTs?: string;
}

/** Who a Slack user is, as their profile says; either may be missing. */
export interface UserProfile {
  /** Their real name (or display name when no real name is set). */
  name: string | null;
  /** Their job title, e.g. "VP Customer Success". */
  title: string | null;
  /** Their own time zone (IANA, users.info `tz`), for reminders in their business hours; absent when unknown. */
  timezone?: string | null;
  /** True for the workspace's admins and owners, who may change Pickup's settings. */
  isWorkspaceAdmin?: boolean;
}

/** A user group (S…) as an admin picks it: its ID, its name and its @handle. */
export interface UserGroup {
  id: string;
  name: string;
  handle: string;
}

/** What Slack tells the bot about a channel it can see (conversations.info), as far as posting there goes. */
export interface ChannelInfo {
  /** The channel's name without '#', when Slack gave one. */
  name: string | null;
  isPrivate: boolean;
  isArchived: boolean;
  /** The Slack error a post there would get (`is_archived`, `not_in_channel`, …), or undefined when it would land. */
  postError: string | undefined;
}

/**
 * Everything the domain asks of Slack. src/slack implements it with the Web API; the demo prints instead.
 * Implementations throw SlackDeliveryError so callers can tell a retry from a permanent failure.
 */
export interface SlackPort {
  postMessage(message: OutgoingMessage): Promise<PostedMessage>;
  updateMessage(message: OutgoingMessage & { ts: string }): Promise<PostedMessage>;
  postEphemeral(message: OutgoingMessage & { user: string }): Promise<void>;
  uploadFile(file: OutgoingFile): Promise<void>;
  publishHome(userId: string, view: HomeTab): Promise<void>;
  /** Members of a user group (S…), for the EXECUTIVES and SUPPORT_LEADS lists. */
  listUserGroupMembers(groupId: string): Promise<string[]>;
  /** A user's name and title (users.info), for the help-desk note that says who will call. */
  getUserProfile(userId: string): Promise<UserProfile>;
  /**
   * The Slack user with this email (users.lookupByEmail), to @-mention a help-desk agent; undefined when Slack knows
   * nobody by it (`users_not_found`).
   */
  findUserIdByEmail(email: string): Promise<string | undefined>;
  /** The workspace's user groups (usergroups.list, disabled ones left out), for the settings' group pickers. */
  listUserGroups(): Promise<UserGroup[]>;
  /**
   * A channel as the bot sees it (conversations.info), to check before saving it as a setting that Pickup can post
   * there; undefined when Slack shows the bot no such channel (`channel_not_found`: deleted, or private without it).
   */
  getChannelInfo(channelId: string): Promise<ChannelInfo | undefined>;
}

/** A Slack call failed. `retryable` with `retryAfterMs` when Slack said when to come back; `cause` is the SDK's error. */
export class SlackDeliveryError extends PickupError<'slack_delivery_failed'> {
  /** How long Slack asked us to wait before the next call. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    readonly retryable: boolean,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super('slack_delivery_failed', message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

const REFUSED_PREFIX = 'Slack refused the call: ';

/** How a Slack `ok:false` answer is recorded (in the outbox's last_error, in logs); `platformErrorCode` reads it back. */
export function platformErrorMessage(code: string): string {
  return `${REFUSED_PREFIX}${code}`;
}

/** The Slack error code (`channel_not_found`, …) inside a recorded failure, if it was Slack's `ok:false` answer. */
export function platformErrorCode(reason: string | null | undefined): string | undefined {
  if (!reason?.startsWith(REFUSED_PREFIX)) return undefined;
  return /^[a-z0-9_.]+/.exec(reason.slice(REFUSED_PREFIX.length))?.[0];
}
