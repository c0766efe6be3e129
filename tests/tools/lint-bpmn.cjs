#!/usr/bin/env node
// Lints BPMN files with bpmnlint under ./.bpmnlintrc and prints one JSON object:
// { "<file>": [ { "rule", "id", "category", "message" }, ... ], ... }
// (import warnings and parse errors of bpmn-moddle are reported as rule "import").
// One node process for many files: node starts slowly, the tests lint in one batch.
//
//   node tests/tools/lint-bpmn.cjs FILE.bpmn...

'use strict';

const { readFile } = require('node:fs/promises');
const { createRequire } = require('node:module');
const path = require('node:path');

const localRequire = createRequire(__filename);
const { Linter } = localRequire('bpmnlint');
const NodeResolver = localRequire('bpmnlint/lib/resolver/node-resolver');
// The BPMN reader bpmnlint itself is built on (its own dependency, its own version).
const { BpmnModdle } = createRequire(localRequire.resolve('bpmnlint'))('bpmn-moddle');

async function lintFile(file, config, moddle) {
  const xml = await readFile(file, 'utf-8');
  const problems = [];
  let root;
  try {
    const { rootElement, warnings = [] } = await moddle.fromXML(xml);
    root = rootElement;
    for (const warning of warnings) {
      problems.push({
        rule: 'import',
        id: (warning.element && warning.element.id) || '',
        category: 'error',
        message: String(warning.message).split('\n')[0],
      });
    }
  } catch (error) {
    return [{ rule: 'import', id: '', category: 'error', message: String(error.message) }];
  }
  // A linter per file, as bpmnlint's own command does: some rules keep state per run.
  const linter = new Linter({ config, resolver: new NodeResolver({ require: localRequire }) });
  const results = await linter.lint(root);
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      problems.push({
        rule,
        id: report.id || '',
        category: report.category,
        message: report.message,
      });
    }
  }
  return problems;
}

async function main(files) {
  const configFile = path.join(__dirname, '.bpmnlintrc');
  const config = JSON.parse(await readFile(configFile, 'utf-8'));
  const moddle = new BpmnModdle();
  const out = {};
  for (const file of files) {
    out[file] = await lintFile(file, config, moddle);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + '\n');
  process.exit(2);
});
