/**
 * Runs a command-line tool's `main`, exiting with the code it returns; an unexpected error is printed
 * as one line (no stack trace for staff) and exits 2. With `usage`, `--help` prints it (exit 0), and an
 * unknown or malformed option is printed with it (exit 2).
 */
export function runCli(main: () => Promise<number>, usage?: string): void {
  if (usage !== undefined && process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log(usage);
    process.exit(0);
  }
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const optionProblem = typeof (err as { code?: unknown } | null)?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS');
      console.error(err instanceof Error ? err.message : String(err));
      if (optionProblem && usage !== undefined) console.error(usage);
      process.exit(2);
    },
  );
}
