// Copies the non-TypeScript sources the compiled code reads at run time (SQL scripts, samples,
// viewer assets, bundled example project) next to the output in dist/.
import { cpSync, existsSync } from 'node:fs';
const assets = ['catalog-sql', 'config/samples', 'runtime/viewer/public', 'examples'];
for (const dir of assets) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
