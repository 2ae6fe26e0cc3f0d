/**
 * `csp-billing` command line. Exit codes (SPEC §6): 0 no errors, 1 completed with errors (outputs written),
 * 2 could not run. Messages go to stderr and name the field, folder or file; stack traces only with --debug.
 */
import { Command, Option } from 'commander'
import { join, resolve } from 'node:path'
import { runPipeline, type RunOptions, type RunOutcome } from './run.js'
import { explain, parseTarget, type ExplainTarget } from './explain.js'
import { barReporter, lineReporter, silentReporter, type Reporter } from './progress.js'
import { PERIOD_HINT, PERIOD_PATTERN } from './context.js'

interface CommonFlags {
  period: string
  input: string
  output: string
  config?: string
  quiet?: boolean
  json?: boolean
  debug?: boolean
}

const EXIT_MEANING: Record<number, string> = {
  0: 'no errors',
  1: 'completed with errors: outputs are written, see the findings above and reconciliation.xlsx',
  2: 'could not run',
}

/**
 * The exit line's meaning. `validate` writes only its findings file, so its exit 1 points there; an exit 1 with
 * warnings and no errors comes from `"strict": true` and says so.
 */
function exitMeaning(outcome: RunOutcome): string {
  if (outcome.exitCode !== 1) return EXIT_MEANING[outcome.exitCode] ?? ''
  const errors = (outcome.findings ?? []).some((f) => f.severity === 'error' && f.n > 0)
  const what = errors ? 'completed with errors' : 'completed with warnings, which "strict": true treats as a failure'
  if (outcome.findingsFile !== undefined) return `${what}: see the findings above and ${outcome.findingsFile} (validate writes no invoices)`
  return `${what}: outputs are written, see the findings above and reconciliation.xlsx`
}

function addCommonOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-p, --period <YYYY-MM>', 'billing period to process, e.g. 2026-10')
    .option('-i, --input <dir>', 'input root holding <period>/ and reference/', 'input')
    .option('-o, --output <dir>', 'output root; a run writes <output>/<period>/, validate <output>/<period>.validation.csv', 'output')
    .option('-c, --config <file>', 'settings file (default: csp-billing.config.json in this folder, if present)')
    .option('-q, --quiet', 'no progress; the findings summary only when the run fails (exit 1), and the remarks on stderr; the exit line')
    .option('--json', 'print a machine-readable summary on stdout')
    .addOption(new Option('--debug', 'show stack traces for unexpected failures').hideHelp(false))
}

function reporterFor(flags: CommonFlags): Reporter {
  if (flags.quiet || flags.json) return silentReporter()
  return process.stderr.isTTY ? barReporter() : lineReporter()
}

function toRunOptions(flags: CommonFlags, validateOnly: boolean, reporter: Reporter): RunOptions {
  if (flags.debug) process.env.CSP_BILLING_DEBUG = '1'
  return {
    period: flags.period,
    inputRoot: flags.input,
    outputRoot: flags.output,
    configPath: flags.config ?? 'csp-billing.config.json',
    configExplicit: flags.config !== undefined,
    validateOnly,
    onProgress: (e) => reporter.onStage(e),
    fileProgress: reporter.files,
  }
}

async function runWith(flags: CommonFlags, validateOnly: boolean): Promise<RunOutcome> {
  const reporter = reporterFor(flags)
  try {
    return await runPipeline(toRunOptions(flags, validateOnly, reporter))
  } finally {
    reporter.stop()
  }
}

function report(outcome: RunOutcome, flags: CommonFlags): void {
  for (const note of outcome.notes ?? []) process.stderr.write(`csp-billing: note: ${note}\n`)
  if (outcome.exitCode === 2) {
    process.stderr.write(`csp-billing: ${outcome.message ?? 'could not run'}\n`)
    // A CI script reading --json gets its one line in every case, with why the run could not run.
    if (flags.json) writeJsonFailure(outcome.message ?? 'could not run')
  } else if (flags.json) {
    const findings = outcome.findings ?? []
    const bySeverity = { error: 0, warning: 0, info: 0 }
    for (const f of findings) bySeverity[f.severity] += f.n
    process.stdout.write(
      `${JSON.stringify({ exitCode: outcome.exitCode, outputDir: outcome.outputDir ?? null, findingsFile: outcome.findingsFile ?? null, findings: bySeverity, remarks: outcome.remarks ?? [], runJson: outcome.runJson ?? null })}\n`,
    )
  } else if (outcome.summary && (!flags.quiet || outcome.exitCode !== 0)) {
    // Quiet still shows what made the run fail (the exit line below points at it).
    process.stderr.write(`\n${outcome.summary}\n`)
  } else {
    // A remark can mean money billed twice (last month's export left in the folder) on a run that exits 0: a quiet
    // scheduled run still says it (two-months review).
    for (const remark of outcome.remarks ?? []) process.stderr.write(`csp-billing: remark: ${remark}\n`)
  }
  if (!flags.json) process.stderr.write(`exit ${outcome.exitCode}: ${exitMeaning(outcome)}\n`)
  exitWhenWritten(outcome.exitCode)
}

/**
 * Exits once stdout and stderr have handed over what was written: to a pipe they write asynchronously, and
 * process.exit right after a write dropped what the pipe had not yet taken (CLI review: `run --json | jq` got the
 * first 64 KiB of a 300 KiB line, with exit 0). A closed pipe answers at once (the error is ignored, as in
 * ignoreClosedPipes).
 */
export function exitWhenWritten(code: number): void {
  let pending = 2
  const done = () => {
    if (--pending === 0) process.exit(code)
  }
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || stream.writableEnded) done()
    else stream.write('', () => done())
  }
}

/** `run` or `validate` with --json, seen on the raw arguments (for exits before or outside commander's parse). */
function wantsJson(): boolean {
  const args = process.argv.slice(2)
  return (args[0] === 'run' || args[0] === 'validate') && args.some((a) => a === '--json' || a.startsWith('--json='))
}

/** The one --json line of a run that could not run (exit 2). */
function writeJsonFailure(message: string): void {
  // The keys of a run's line, and its message: a script reading `.remarks` needs no case for exit 2 (CLI review).
  process.stdout.write(`${JSON.stringify({ exitCode: 2, message, outputDir: null, findingsFile: null, findings: null, remarks: [], runJson: null })}\n`)
}

const HELP_AFTER = `
Where files go:
  <input>/<period>/     the month's Partner Center files (invoice reconciliation .csv or .xlsx, daily rated
                        usage .csv, .csv.gz or .xlsx, NCE price list .csv or .xlsx) — any file names
  <input>/reference/    resellers, price books and customers sheets, used when the month folder has none
  File kinds are recognised by their header row, not by their name.

Examples:
  csp-billing run --period 2026-11                    bill November from input/2026-11/ into output/2026-11/
  csp-billing validate --period 2026-11               check the drop before month close (no invoices written)
  csp-billing explain --period 2026-11 recon.csv:42   how row 42 of recon.csv was billed

Exit codes:
  0  no errors (warnings may exist)
  1  finished with errors: outputs written, see output/<period>/reconciliation.xlsx
  2  could not run: bad --period or settings, missing or unreadable input folder, no reconciliation file
     (or only ones with no row) in <input>/<period>/, output not writable or inside the input folders,
     period locked
`

export function buildProgram(): Command {
  const program = new Command()
    .name('csp-billing')
    .description('Turns a month of Microsoft Partner Center exports into per-reseller Excel invoices and reconciliation reports.')
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError()
    // Usage mistakes (unknown option, missing --period) are "could not run": exit 2, not commander's default 1,
    // and with --json the one stdout line says so, as for every other exit 2.
    .exitOverride((err) => {
      if (err.exitCode !== 0 && wantsJson()) writeJsonFailure(err.message.replace(/^error: /, ''))
      process.exit(err.exitCode === 0 ? 0 : 2)
    })

  addCommonOptions(program.command('run').description('process a period and write invoices, reconciliation.xlsx, exceptions.csv and run.json'))
    .action(async (flags: CommonFlags) => report(await runWith(flags, false), flags))

  addCommonOptions(
    program
      .command('validate')
      .description('check a drop before month close: discovery, ingest and every check, no invoices; writes only <output>/<period>.validation.csv'),
  ).action(async (flags: CommonFlags) => report(await runWith(flags, true), flags))

  program
    .command('explain')
    .description('show where one input row went and how its sell amount was computed (reads the last completed run)')
    .argument('[file:row]', 'input file and Excel row number, e.g. 2026-10/recon.csv:42 (header = row 1)')
    .requiredOption('-p, --period <YYYY-MM>', 'billing period of the run')
    .option('-o, --output <dir>', 'output root of that run', 'output')
    .option('-l, --line <id>', 'an invoice line id (recon line id) instead of file:row')
    .action((where: string | undefined, flags: { period: string; output: string; line?: string }) => {
      // As run and validate: the period names a folder, so `../x` or `2026-10/..` would read another run's DB.
      if (!PERIOD_PATTERN.test(flags.period)) {
        process.stderr.write(`csp-billing explain: --period '${flags.period}' is not a billing period: ${PERIOD_HINT}\n`)
        process.exit(2)
      }
      let target: ExplainTarget | null = null
      if (flags.line !== undefined) target = /^\d+$/.test(flags.line) ? { lineId: Number(flags.line) } : null
      else if (where !== undefined) target = parseTarget(where)
      if (target === null) {
        process.stderr.write('csp-billing explain: give <file>:<row> (e.g. 2026-10/recon.csv:42) or --line <number>\n')
        process.exit(2)
      }
      const result = explain(join(resolve(flags.output), flags.period, 'staging.sqlite'), target)
      if (!result.ok) {
        process.stderr.write(`csp-billing explain: ${result.message}\n`)
        process.exit(2)
      }
      process.stdout.write(`${result.text}\n`)
      exitWhenWritten(0)
    })

  return program
}

/**
 * A reader of our output that goes away (`csp-billing run … 2>&1 | head -1`) must not end the run: writing to the
 * closed pipe raises EPIPE, which would otherwise kill the process mid-run with exit 1 (which means "outputs
 * written") and leave the lock and the temporary folder behind. The log is lost; the run, its outputs and its
 * exit code are not.
 */
export function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e
    })
  }
}

/** Runs the command line on process.argv: the launcher (bin/csp-billing.js) calls it once it has loaded this module. */
export function main(): void {
  ignoreClosedPipes()
  buildProgram()
    .parseAsync(process.argv)
    .catch((e: Error) => {
      process.stderr.write(`csp-billing: ${process.env.CSP_BILLING_DEBUG ? e.stack : e.message}\n`)
      if (wantsJson()) writeJsonFailure(e.message)
      process.exit(2)
    })
}

// Run directly (`tsx pipeline/cli.ts …`, or the bundle's cli.mjs) rather than imported.
const isMain = process.argv[1] !== undefined && /cli\.(ts|js|mjs)$/.test(process.argv[1])
if (isMain) main()
