/** A bot token scope Pickup asks for, the Web API methods that need it, and why, as the README's Scopes table says. */
export interface BotScope {
  scope: string;
  methods: readonly string[];
  why: string;
}

/**
 * Every bot scope in manifest.json, and nothing more: Slack's Marketplace review refuses scopes an app does not use,
 * and each one is something a workspace admin must agree to. A test keeps this table, the manifest, the README and
 * the Web API calls in src/ equal.
 */
export const BOT_SCOPES: readonly BotScope[] = [
  {
    scope: 'commands',
    methods: [],
    why: '`/pickup`, `/escalate` and the **Escalate to Pickup** message shortcut',
  },
  {
    scope: 'chat:write',
    methods: ['chat.postMessage', 'chat.update', 'chat.postEphemeral'],
    why: "the daily pick, reminders, the weekly digest, the claimer's DM brief, answers meant for one person, and updating the pick post once claimed",
  },
  {
    scope: 'chat:write.public',
    methods: ['chat.postMessage'],
    why: 'posts reach a public `EXEC_CHANNEL` or `LEADERSHIP_CHANNEL` even before @Pickup is invited (the start-up check counts on it)',
  },
  {
    scope: 'files:write',
    methods: ['files.uploadV2'],
    why: "the digest's trend chart, uploaded into the digest's thread",
  },
  {
    scope: 'usergroups:read',
    methods: ['usergroups.users.list', 'usergroups.list'],
    why: '`EXECUTIVES` and `SUPPORT_LEADS` may name user groups (`S…`): Pickup reads their members, and lists the groups in the People settings',
  },
  {
    scope: 'users:read',
    methods: ['users.info', 'users.lookupByEmail'],
    why: "the help-desk note that says who will call (the executive's name and title); and Slack grants `users:read.email` only alongside it",
  },
  {
    scope: 'users:read.email',
    methods: ['users.lookupByEmail'],
    why: 'the thank-you in `SUPPORT_CHANNEL`: the help-desk agent who handled the ticket is found by their email and @-mentioned',
  },
  {
    scope: 'channels:read',
    methods: ['conversations.info'],
    why: 'the check that Pickup can post to `EXEC_CHANNEL` and `LEADERSHIP_CHANNEL` (public channels), at start-up and when an admin chooses them in the settings',
  },
  {
    scope: 'groups:read',
    methods: ['conversations.info'],
    why: 'the same check when those channels are private',
  },
];

/** Web API methods Pickup calls that need no scope (its own identity, modals, App Home, permalinks). */
export const SCOPELESS_METHODS: readonly string[] = [
  'auth.test',
  'views.open',
  'views.push',
  'views.update',
  'views.publish',
  'chat.getPermalink',
];

/**
 * The Events API events Pickup subscribes to (manifest.json `bot_events`), each handled by a listener in
 * src/slack/listeners. None needs a scope beyond those above.
 */
export const BOT_EVENTS: readonly { event: string; why: string }[] = [
  { event: 'app_home_opened', why: 'the App Home tab, rebuilt for whoever opens it' },
  { event: 'app_uninstalled', why: 'Pickup was removed from the workspace: it stops posting and keeps its data' },
  { event: 'tokens_revoked', why: 'the bot token was revoked: the same as a removal, as far as posting goes' },
];
