import type { FakeSocketMode } from './fake-socket-mode';
import {
  type ButtonClick,
  buttonClickPayload,
  clickButton,
  eventEnvelope,
  type SlackHttpResponse,
  type SlackTarget,
  type SlashCommand,
  sendEvent,
  sendSlashCommand,
  slashCommandPayload,
  submitView,
  type ViewSubmission,
  viewSubmissionPayload,
} from './slack-requests';

/** How Slack reaches the app: signed HTTP requests, or envelopes over a Socket Mode connection. */
export type SlackMode = 'http' | 'socket';

/** What the app acknowledged a request with. */
export interface SlackAck {
  /** The ack's body (a view submission's `response_action`, say); undefined for a bare ack. */
  payload: unknown;
}

/**
 * Sends what Slack sends, in either mode, so one end-to-end spec runs over HTTP and over Socket Mode. Each call
 * resolves once the app has acknowledged, and fails when it refuses (HTTP status other than 200, or no ack).
 */
export interface SlackDriver {
  readonly mode: SlackMode;
  /** The default response_url of commands and clicks (e.g. a startResponseUrlServer() url). */
  responseUrl: string | undefined;
  slashCommand(cmd: SlashCommand): Promise<SlackAck>;
  clickButton(click: ButtonClick): Promise<SlackAck>;
  submitView(submission: ViewSubmission): Promise<SlackAck>;
  /** An Events API event such as `{ type: 'app_home_opened', user, tab: 'home' }`. */
  sendEvent(event: Record<string, unknown>): Promise<SlackAck>;
}

function fromHttp(res: SlackHttpResponse): SlackAck {
  if (res.status !== 200) throw new Error(`Slack request answered HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  return { payload: res.body === '' ? undefined : res.json() };
}

/** A driver that posts signed requests to `target` (its responseUrl is the driver's). */
export function httpDriver(target: SlackTarget): SlackDriver {
  const signed = () => ({ ...target, responseUrl: driver.responseUrl });
  const driver: SlackDriver = {
    mode: 'http',
    responseUrl: target.responseUrl,
    slashCommand: async (cmd) => fromHttp(await sendSlashCommand(signed(), cmd)),
    clickButton: async (click) => fromHttp(await clickButton(signed(), click)),
    submitView: async (submission) => fromHttp(await submitView(signed(), submission)),
    sendEvent: async (event) => fromHttp(await sendEvent(signed(), event)),
  };
  return driver;
}

/** A driver that sends envelopes over the fake Socket Mode server's newest connection. */
export function socketDriver(socket: FakeSocketMode, responseUrl?: string): SlackDriver {
  const acked = (payload: Record<string, unknown>): SlackAck => ({
    payload: Object.keys(payload).length === 0 ? undefined : payload,
  });
  const driver: SlackDriver = {
    mode: 'socket',
    responseUrl,
    slashCommand: async (cmd) =>
      acked((await socket.send('slash_commands', slashCommandPayload(cmd, driver.responseUrl))).payload),
    clickButton: async (click) =>
      acked((await socket.send('interactive', buttonClickPayload(click, driver.responseUrl))).payload),
    submitView: async (submission) =>
      acked((await socket.send('interactive', viewSubmissionPayload(submission))).payload),
    sendEvent: async (event) => acked((await socket.send('events_api', eventEnvelope(event))).payload),
  };
  return driver;
}
