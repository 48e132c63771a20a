import type { ConfigProblem } from '../config';
import { escapeMrkdwn, mention } from '../shared/mrkdwn';
import type { FormErrors } from '../shared/view-state';
import type { SettingSource } from './settings';

/**
 * Where a setting's value comes from, as mrkdwn for a modal's context line: "set in Slack by @Ann on 2026-12-01",
 * "set with the CLI by ops on …", "from the environment", or "default". A CLI actor's name is the operator's text,
 * so it is escaped; a Slack actor is a user ID, shown as a mention.
 */
export function sourceLabel(source: SettingSource): string {
  switch (source.kind) {
    case 'env':
      return 'from the environment';
    case 'default':
      return 'default';
    case 'slack': {
      // A value saved before audit rows existed has no known author (settings.service says "unknown" at epoch).
      if (source.by === 'unknown') return 'set in Slack';
      const on = source.at.toISOString().slice(0, 10);
      if (source.via === 'cli') return `set with the CLI by ${escapeMrkdwn(source.by)} on ${on}`;
      return /^[UW][A-Z0-9]{2,}$/.test(source.by)
        ? `set in Slack by ${mention(source.by)} on ${on}`
        : `set in Slack by ${escapeMrkdwn(source.by)} on ${on}`;
    }
  }
}

/** A field's context line: "Now: value · source". `value` must already be safe mrkdwn (escaped, formatted). */
export function currentLine(value: string, source: SettingSource): string {
  return `Now: ${value} · ${sourceLabel(source)}`;
}

/**
 * The settings service's refusals as a modal's inline errors: each problem under the block of its setting (`blocks`),
 * or under `fallback` when the setting has no block in this modal. Two problems of one setting share its block.
 */
export function problemErrors(
  problems: readonly ConfigProblem[],
  blocks: Partial<Record<string, string>>,
  fallback: string,
): FormErrors {
  const errors: FormErrors = {};
  for (const problem of problems) {
    const block = blocks[problem.name] ?? fallback;
    const message = blocks[problem.name] ? capitalize(problem.message) : `${problem.name} ${problem.message}`;
    errors[block] = errors[block] ? `${errors[block]} ${message}` : message;
  }
  return errors;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
