// Copies the non-TypeScript sources the compiled code reads at run time (SQL scripts, samples,
// viewer assets, bundled example project, the Script Task object model's C# sources) next to the output in dist/.
import { cpSync, existsSync } from 'node:fs';
const assets = ['catalog-sql', 'config/samples', 'runtime/viewer/public', 'examples', 'executor/script/object-model'];
for (const dir of assets) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
