/**
 * Reports a test (or a whole suite) as skipped with a printed reason. The test runner lists every
 * skip at the end and counts them in its `N passed, N failed, N skipped` line, so nothing that
 * needs a missing resource (a SQL Server, say) is ever silently passed.
 */
export function reportSkip(what: string, why: string): void {
  const hook = (globalThis as { __scaleoutSkip?: (what: string, why: string) => void }).__scaleoutSkip;
  if (hook) hook(what, why);
  else process.stdout.write(`SKIP ${what}: ${why}\n`);
}
