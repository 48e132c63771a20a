import fs from 'node:fs';
import path from 'node:path';
import { BOT_EVENTS, BOT_SCOPES, SCOPELESS_METHODS } from '../../src/slack/scopes';

// The scopes Pickup asks for must be exactly those its code needs: the manifest, the table in src/slack/scopes.ts,
// the README's Scopes section and the Web API methods src/ calls are checked against each other, so none drifts.

const ROOT = path.resolve(__dirname, '../..');

interface Manifest {
  features?: { slash_commands?: unknown[]; shortcuts?: unknown[] };
  oauth_config: { scopes: { bot?: string[]; user?: string[] } };
  settings?: { event_subscriptions?: { bot_events?: string[] } };
}
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8')) as Manifest;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The Web API's method families (the part before the first dot), which tell a Slack call from other `client`s. */
const FAMILIES = (
  'admin api apps assistant auth bookmarks bots calls canvases chat conversations dialog dnd emoji files functions ' +
  'migration oauth openid pins reactions reminders rtm search stars team tooling usergroups users views workflows'
).replace(/ /g, '|');

/**
 * Every Web API method src/ calls, by file: `client.chat.postMessage(…)` (any WebClient is named `client`, as
 * Bolt names it in listeners) and `apiCall('method')`.
 */
function calledMethods(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    const patterns = [
      new RegExp(`\\bclient\\.((?:${FAMILIES})(?:\\.[a-zA-Z0-9]+)+)\\s*\\(`, 'g'),
      new RegExp(`\\bapiCall\\(\\s*['"]((?:${FAMILIES})\\.[a-zA-Z.]+)['"]`, 'g'),
    ];
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern)) {
        const method = m[1] ?? '';
        found.set(method, [...(found.get(method) ?? []), path.relative(ROOT, file)]);
      }
    }
  }
  return found;
}

/** The scopes listed in the README's "Scopes" section table (first column, in backticks). */
function readmeScopes(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Scopes');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([a-z:.]+)` \|/gm)].map((m) => m[1] ?? '');
}

const tableScopes = BOT_SCOPES.map((s) => s.scope).sort();

describe('Slack scopes', () => {
  it('the manifest asks for exactly the scopes of the table, and no user scopes', () => {
    expect([...(manifest.oauth_config.scopes.bot ?? [])].sort()).toEqual(tableScopes);
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
    expect(new Set(tableScopes).size).toBe(tableScopes.length);
  });

  it('the README explains exactly those scopes', () => {
    expect(readmeScopes().sort()).toEqual(tableScopes);
  });

  it('every Web API method src/ calls is in the table, with its scope or as needing none', () => {
    const listed = new Set([...BOT_SCOPES.flatMap((s) => s.methods), ...SCOPELESS_METHODS]);
    const unlisted = [...calledMethods()].filter(([method]) => !listed.has(method));
    expect(unlisted).toEqual([]);
  });

  it('every method the table names is called somewhere in src/, so no scope outlives its use', () => {
    const called = calledMethods();
    const stale = [...BOT_SCOPES.flatMap((s) => s.methods), ...SCOPELESS_METHODS].filter((m) => !called.has(m));
    expect(stale).toEqual([]);
  });

  it('subscribes to exactly the events of the table, and src/ listens to each of them', () => {
    const events = BOT_EVENTS.map((e) => e.event).sort();
    expect([...(manifest.settings?.event_subscriptions?.bot_events ?? [])].sort()).toEqual(events);
    const listened = new Set<string>();
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bapp\.event\(\s*['"]([a-z_]+)['"]/g)) listened.add(m[1] ?? '');
    }
    expect([...listened].sort()).toEqual(events);
  });

  it('asks for `commands` exactly when the app has slash commands or shortcuts', () => {
    const hasCommands = (manifest.features?.slash_commands?.length ?? 0) + (manifest.features?.shortcuts?.length ?? 0);
    expect(tableScopes.includes('commands')).toBe(hasCommands > 0);
    expect(BOT_SCOPES.filter((s) => s.methods.length === 0).map((s) => s.scope)).toEqual(['commands']);
  });
});
