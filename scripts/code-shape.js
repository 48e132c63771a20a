#!/usr/bin/env node
// Measures the shape rules the codebase keeps (see README "Architecture rules"): long functions, SQL outside
// repositories, listeners that reach repositories, casts at the Slack boundary, and import cycles.
// `node scripts/code-shape.js` prints every finding; `--json` prints them for test/architecture.test.ts.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const MAX_FUNCTION_LINES = 80;
// Files that may speak SQL besides repositories: the migrator, the connection set-up (session settings) and the
// embedded database's thread (the setting that ties a COPY to its transaction).
const SQL_ALLOWED = [/\.repository\.ts$/, /^db\/(migrate|connection|pglite-thread|prepared)\.ts$/];
const SQL_PATTERN =
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql(<[^>]*>)?`|\bsql\.(raw|ref|lit|id|table|join)\(/;

function listFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function functionName(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (parent && ts.isCallExpression(parent)) return `${parent.expression.getText().slice(0, 40)}(…)`;
  return '(anonymous)';
}

function measure() {
  const files = listFiles(SRC);
  const longFunctions = [];
  const sqlOutsideRepositories = [];
  const listenerRepositoryImports = [];
  const unsafeCasts = [];
  const imports = new Map();
  for (const file of files) {
    const rel = path.relative(SRC, file).split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
    const deps = [];
    const visit = (node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const lines = lineOf(node.end) - lineOf(node.getStart(source)) + 1;
        if (lines > MAX_FUNCTION_LINES) longFunctions.push({ file: rel, name: functionName(node), lines });
      }
      if (ts.isAsExpression(node) && /^(never|unknown|any)$/.test(node.type.getText(source))) {
        unsafeCasts.push({ file: rel, line: lineOf(node.getStart(source)), text: node.getText(source).slice(0, 80) });
      }
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
        const spec = node.moduleSpecifier.text;
        const typeOnly = node.importClause?.isTypeOnly || node.isTypeOnly;
        if (spec.startsWith('.')) deps.push({ spec, typeOnly: Boolean(typeOnly) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    const resolved = deps.map((d) => ({
      ...d,
      target: path
        .relative(SRC, path.resolve(path.dirname(file), d.spec))
        .split(path.sep)
        .join('/')
        .replace(/\.js$/, ''),
    }));
    imports.set(rel.replace(/\.ts$/, ''), resolved);
    if (!SQL_ALLOWED.some((re) => re.test(rel))) {
      text.split('\n').forEach((line, i) => {
        if (SQL_PATTERN.test(line)) sqlOutsideRepositories.push({ file: rel, line: i + 1 });
      });
    }
    if (rel.startsWith('slack/listeners/')) {
      for (const d of resolved)
        if (/repository$/.test(d.target)) listenerRepositoryImports.push({ file: rel, imports: d.target });
    }
  }
  return {
    longFunctions,
    sqlOutsideRepositories,
    listenerRepositoryImports,
    unsafeCasts,
    importCycles: findCycles(imports),
  };
}

// Runtime import cycles only: a type-only import is erased at compile time and cannot deadlock module loading.
function findCycles(imports) {
  const cycles = [];
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'open');
    stack.push(node);
    for (const dep of imports.get(node) ?? []) {
      if (dep.typeOnly || !imports.has(dep.target)) continue;
      if (state.get(dep.target) === 'open')
        cycles.push(stack.slice(stack.indexOf(dep.target)).concat(dep.target).join(' → '));
      else if (!state.has(dep.target)) visit(dep.target);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of imports.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

if (require.main === module) {
  const result = measure();
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    for (const [rule, findings] of Object.entries(result)) {
      const lines = findings.map((f) => `  ${typeof f === 'string' ? f : Object.values(f).join('  ')}\n`);
      process.stdout.write(`${rule}: ${findings.length}\n${lines.join('')}`);
    }
  }
}

module.exports = { measure, MAX_FUNCTION_LINES };
