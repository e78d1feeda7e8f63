import { join } from 'node:path';

/** ../shared/fixtures/dtsx, seen from the project root (the test runner's working directory). */
export const CORPUS = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx');
