/**
 * Runs a command-line tool's `main`, exiting with the code it returns; an unexpected error is printed
 * as one line (no stack trace for staff) and exits 2.
 */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
}
