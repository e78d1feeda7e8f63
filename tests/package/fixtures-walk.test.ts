import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { loadProjectFromParts } from '../../executor/package/load-project.ts';
import { validatePackage } from '../../executor/package/validate.ts';
import { reportSkip } from '../helpers/skip.ts';

const CORPUS = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx');
const walk = suite('real packages (../shared/fixtures/dtsx)');

function dtsxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) out.push(...dtsxFiles(full));
    else if (e.toLowerCase().endsWith('.dtsx')) out.push(full);
  }
  return out.sort();
}

if (!existsSync(CORPUS)) {
  reportSkip('fixtures walk', `${CORPUS} is not present`);
} else {
  walk('every package loads; it validates or validation names each unsupported executable by path', () => {
    let loaded = 0, valid = 0, withUnsupported = 0;
    const failures: string[] = [];
    for (const file of dtsxFiles(CORPUS)) {
      const name = file.slice(CORPUS.length + 1);
      try {
        const project = loadProjectFromParts(new Map([[name, readFileSync(file)]]), name);
        const pkg = project.getPackage(name);
        loaded++;
        const v = validatePackage(pkg, project);
        if (v.valid) valid++;
        if (v.unsupported.length > 0) withUnsupported++;
        for (const path of v.unsupported) {
          if (!v.problems.some((p) => p.path === path)) failures.push(`${name}: ${path} is unsupported but no problem names it`);
        }
        for (const p of v.problems) if (!p.path.startsWith('\\Package')) failures.push(`${name}: problem without a package path: ${p.message}`);
      } catch (err) {
        failures.push(`${name}: ${SsoError.is(err) ? err.code : 'unexpected'} ${(err as Error).message}`);
      }
    }
    process.stdout.write(`\n  fixtures walk: ${loaded} loaded, ${valid} valid, ${withUnsupported} with unsupported executables\n`);
    assert.equal(failures, []);
    assert.ok(loaded > 100);
  });
}

walk.run();
