import type { Block, SlackPort } from '../ports/slack.port';
import { blockKitBuilderUrl } from '../shared/blocks';
import type { DemoPerson } from './demo-workspace';
import { renderBlocks } from './render';

/**
 * The demo's SlackPort: every call is printed as what Slack would show, instead of being sent, and the demo's
 * `people` are the workspace's users. Nothing else in the demo differs from production. Message timestamps are
 * Slack-shaped, from the demo's clock.
 */
export function createConsoleSlackPort(
  out: (line: string) => void,
  now: () => Date,
  people: readonly DemoPerson[] = [],
): SlackPort {
  let counter = 0;
  const nextTs = () => `${Math.floor(now().getTime() / 1000)}.${String(++counter).padStart(6, '0')}`;
  const byId = new Map(people.map((p) => [p.id, p]));
  const byEmail = new Map(people.map((p) => [p.email.toLowerCase(), p.id]));
  const who = (userId: string) => {
    const person = byId.get(userId);
    return person ? `@${userId} (${person.name}, ${person.title})` : `@${userId}`;
  };
  const where = (channel: string) => (/^[UW]/.test(channel) ? `DM to ${who(channel)}` : `#${channel}`);
  const show = (title: string, text: string, blocks?: Block[]) => {
    out('');
    out(`┌─ Slack · ${title}`);
    const body = blocks?.length ? renderBlocks(blocks) : text;
    for (const line of body.split('\n')) out(`│ ${line}`);
    if (blocks?.length) out(`└─ Block Kit Builder: ${blockKitBuilderUrl(blocks)}`);
    else out('└─');
  };
  return {
    async postMessage(m) {
      show(m.threadTs ? `${where(m.channel)}, in the thread` : where(m.channel), m.text, m.blocks);
      return { channel: m.channel, ts: nextTs() };
    },
    async updateMessage(m) {
      show(`${where(m.channel)}, message updated`, m.text, m.blocks);
      return { channel: m.channel, ts: m.ts };
    },
    async postEphemeral(m) {
      show(`only @${m.user} sees this in #${m.channel}`, m.text, m.blocks);
    },
    async uploadFile(f) {
      show(
        `${where(f.channel)}, file`,
        `[${f.filename}: ${f.title}, ${Buffer.from(f.contentBase64, 'base64').length} bytes]`,
      );
    },
    async publishHome(userId, view) {
      show(`App Home of @${userId}`, '', view.blocks);
    },
    async listUserGroupMembers() {
      return [];
    },
    async findUserIdByEmail(email) {
      // users.lookupByEmail: the demo's people by their work email; anyone else is unknown (users_not_found).
      return byEmail.get(email.toLowerCase());
    },
    async getUserProfile(userId) {
      // users.info: the demo's people by their profile; anyone else has none, as a profile without name or title.
      const person = byId.get(userId);
      return { name: person?.name ?? null, title: person?.title ?? null };
    },
    async listUserGroups() {
      return [];
    },
    async getChannelInfo(channelId) {
      // The demo's channels are public and Pickup is in them, so every post lands.
      return { name: channelId.toLowerCase(), isPrivate: false, isArchived: false, postError: undefined };
    },
  };
}
