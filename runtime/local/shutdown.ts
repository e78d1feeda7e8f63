/**
 * Graceful shutdown of a long-running command (`master`, `worker`, `up`, `demo`): the first SIGINT
 * or SIGTERM runs `stop()` and resolves the exit code (0 when the stop was clean); a second signal
 * while stopping exits at once with 130, for a user who does not want to wait.
 */
export function untilShutdownSignal(stop: () => Promise<void>, say: (line: string) => void): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        say(`${signal} again: exiting without waiting.`);
        process.exit(130);
      }
      stopping = true;
      say(`${signal}: stopping gracefully (press Ctrl-C again to exit at once)…`);
      stop().then(() => { cleanup(); resolve(0); }, (err: unknown) => {
        say(`stop failed: ${(err as Error)?.message ?? String(err)}`);
        cleanup();
        resolve(1);
      });
    };
    const cleanup = (): void => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
