/**
 * Parses every expression found in the shared real-package corpus (property expressions,
 * variables evaluated as expressions, precedence constraints, For Loop and Expression Task
 * expressions). Each must either parse or fail with a positioned syntax error; counts are printed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { compileExpression } from '../../executor/package/expressions/index.ts';
import { reportSkip } from '../helpers/skip.ts';

const FIXTURES = resolve(process.cwd(), '../shared/fixtures/dtsx');

function dtsxFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) dtsxFiles(p, out);
    else if (name.toLowerCase().endsWith('.dtsx')) out.push(p);
  }
  return out;
}

/** Attribute and element values that hold SSIS expressions. */
const EXPRESSION_ATTRIBUTES = new Set(['DTS:Expression', 'InitExpression', 'EvalExpression', 'AssignExpression', 'Expression']);

function collect(node: unknown, found: string[]): void {
  if (Array.isArray(node)) { for (const n of node) collect(n, found); return; }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'DTS:PropertyExpression') {
      for (const pe of Array.isArray(value) ? value : [value]) {
        const text = typeof pe === 'string' ? pe : (pe as Record<string, unknown>)['#text'];
        if (typeof text === 'string' && text.trim() !== '') found.push(text);
      }
      continue;
    }
    const attr = key.startsWith('@_') ? key.slice(2) : undefined;
    if (attr && typeof value === 'string' && value.trim() !== '') {
      if (EXPRESSION_ATTRIBUTES.has(attr) || EXPRESSION_ATTRIBUTES.has(attr.replace(/^\w+:/, ''))) found.push(value);
    }
    collect(value, found);
  }
}

const corpus = suite('expressions from real packages');
corpus('every expression in the shared .dtsx corpus parses or fails with a positioned syntax error', () => {
  if (!existsSync(FIXTURES)) {
    reportSkip('expressions from real packages', `${FIXTURES} is absent`);
    return;
  }
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, htmlEntities: true, parseTagValue: false, trimValues: false });
  const expressions: string[] = [];
  for (const file of dtsxFiles(FIXTURES)) {
    try {
      collect(parser.parse(readFileSync(file, 'utf8')), expressions);
    } catch {
      // A file the XML parser cannot read is the loader's concern, not the expression language's.
    }
  }
  let parsed = 0;
  const failures: string[] = [];
  for (const text of expressions) {
    // Variables evaluated as expressions and Expression Tasks may assign: `@[User::X] = …`.
    const body = text.replace(/^\s*@(?:\[[^\]]+\]|[A-Za-z_]\w*)\s*=(?!=)/, '');
    try {
      compileExpression(body);
      parsed++;
    } catch (e) {
      const err = e as { code?: string; position?: number; message: string };
      assert.is(err.code, 'SSO_ERR_EXPRESSION_SYNTAX', `unexpected failure kind for ${JSON.stringify(text)}: ${err.message}`);
      assert.ok(typeof err.position === 'number' && err.position >= 1 && err.position <= body.length + 1, `position for ${JSON.stringify(text)}`);
      failures.push(`${JSON.stringify(body.slice(0, 80))} → ${err.message.replace(/^.*?: /, '')}`);
    }
  }
  process.stdout.write(`\n  real-package expressions: ${expressions.length} found, ${parsed} parsed, ${failures.length} syntax errors\n`);
  for (const f of failures.slice(0, 15)) process.stdout.write(`    ${f}\n`);
  assert.ok(expressions.length > 0, 'the corpus holds expressions');
});
corpus.run();
