// The shape rules of the codebase (README, "Architecture rules"), measured by scripts/code-shape.js over src/.
// Each list must stay empty: a finding names the file and what to fix.
const { measure, MAX_FUNCTION_LINES } = require('../scripts/code-shape.js') as {
  measure: () => Record<string, unknown[]>;
  MAX_FUNCTION_LINES: number;
};

const shape = measure();

describe('architecture rules', () => {
  it(`has no function over ${MAX_FUNCTION_LINES} lines in src/`, () => {
    expect(shape.longFunctions).toEqual([]);
  });

  it('keeps SQL in *.repository.ts files (and the migrator and connection set-up)', () => {
    expect(shape.sqlOutsideRepositories).toEqual([]);
  });

  it('has no listener that reaches a repository: listeners call services', () => {
    expect(shape.listenerRepositoryImports).toEqual([]);
  });

  it('has no runtime import cycle', () => {
    expect(shape.importCycles).toEqual([]);
  });

  it('silences the type checker only where a library type cannot say what is true', () => {
    // The two known casts: a PGlite queue handed to the socket server, and a buffered request handed to Bolt's
    // body parser. Neither is Block Kit; a new one needs a reason as good.
    expect(shape.unsafeCasts).toEqual([
      expect.objectContaining({ file: 'db/embedded-server.ts' }),
      expect.objectContaining({ file: 'slack/payload-guard.ts' }),
    ]);
  });
});

describe("the README's map of src/", () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const root = path.resolve(__dirname, '..');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const map = readme.slice(
    readme.indexOf('## Map of `src/`'),
    readme.indexOf('\n## ', readme.indexOf('## Map of `src/`') + 1),
  );
  const listed = [...map.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]).sort();
  const tree = fs
    .readdirSync(path.join(root, 'src'), { withFileTypes: true })
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort();

  it('names every folder and top-level file of src/, and nothing that is not there', () => {
    expect(listed).toEqual(tree);
  });

  it("names the files that answer a newcomer's first two questions, and they exist", () => {
    for (const file of ['src/slack/listeners/claim.listener.ts', 'src/picks/eligibility.ts']) {
      expect(map).toContain(file);
      expect(fs.existsSync(path.join(root, file))).toBe(true);
    }
  });
});

describe('builders and form parsers', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const root = path.resolve(__dirname, '..');
  const sources = (fs.readdirSync(path.join(root, 'src'), { recursive: true }) as string[])
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => /\.(blocks|form)\.ts$/.test(file));

  it.each(sources)('src/%s has its own test file', (file) => {
    expect(fs.existsSync(path.join(root, 'test', file.replace(/\.ts$/, '.test.ts')))).toBe(true);
  });
});
