import { EXEC_1 } from '../../helpers/config';
import { type ResponseUrlServer, type SlackTarget, sendSlashCommand } from '../../helpers/slack-requests';
import { waitFor } from '../../helpers/wait-for';
import type { SpawnedBot } from './bot-process';

/** The part of a response_url path that marks a sentinel's answer. */
const SENTINEL = '-sentinel-';
let sentinels = 0;

/**
 * Sends a genuine `/pickup help` (it writes nothing and calls no Slack method) and waits for its answer on a
 * response_url of its own. A test that must show a request changed nothing checks after this instead of after a
 * pause: the bot has by then handled whatever reached it before the sentinel did.
 */
export async function afterOneMoreRequest(
  target: SlackTarget,
  responses: ResponseUrlServer,
  bot: SpawnedBot,
): Promise<void> {
  sentinels += 1;
  const responseUrl = `${responses.url}${SENTINEL}${sentinels}`;
  const res = await sendSlashCommand(
    { ...target, responseUrl },
    { command: '/pickup', text: 'help', userId: EXEC_1, channelId: 'C1' },
  );
  if (res.status !== 200) throw new Error(`the sentinel /pickup help was answered HTTP ${res.status}`);
  const path = new URL(responseUrl).pathname;
  await waitFor(() => responses.posts.some((p) => p.path === path), {
    timeoutMs: 10_000,
    what: `the sentinel's answer on ${path}`,
    seen: () => bot.tail(),
  });
}

/** The response_url posts other than the sentinels' answers. */
export function answersExceptSentinels(responses: ResponseUrlServer): ResponseUrlServer['posts'] {
  return responses.posts.filter((p) => !p.path.includes(SENTINEL));
}
