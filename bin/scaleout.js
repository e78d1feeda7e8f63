#!/usr/bin/env node
// The installed `scaleout` command: runs the compiled CLI (npm run build first).
// From a source checkout without a build, use `npm run scaleout -- <args>`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
const compiled = fileURLToPath(new URL('../dist/runtime/cli/main.js', import.meta.url));
if (!existsSync(compiled)) {
  process.stderr.write('scaleout: dist/ is missing; run `npm run build` first (or use `npm run scaleout -- …`)\n');
  process.exit(2);
}
const { main, endQuietlyOnClosedPipe } = await import(pathToFileURL(compiled).href);
endQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
