import { runDemo } from '../demo/demo';
import { type Command, parseFlags } from './support';

/** `demo`: the whole cycle on a throw-away embedded database, Slack calls printed instead of sent. */
export const demoCommand: Command = {
  summary: 'see the whole cycle in a minute: temp embedded database, Slack calls printed, no workspace needed',
  usage: 'demo',
  purpose: 'database',
  async run(ctx) {
    parseFlags(ctx.args, {});
    await runDemo(ctx.out, ctx.now);
    return 0;
  },
};
