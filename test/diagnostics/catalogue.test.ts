/**
 * Diagnostic catalogue (hledger-style): for every rule id of SPEC §5, a minimal input month that makes the rule
 * fire and a clean twin that stays silent, each run through the WHOLE pipeline (runPipeline: discover → ingest →
 * price → reconcile → write) in-process.
 *
 * Layout: test/diagnostics/base/input/ is one tiny clean month (1 reseller, 1 customer, a default-markup price
 * book, one P1Y/Monthly seat line, one Azure plan line with its daily usage, a price list). Each
 * test/diagnostics/<RULE>/ holds
 *   - firing/input/** and clean/input/** — only the files that differ from base (same relative name = replaced,
 *     new name = added);
 *   - expected.txt — every finding the firing run must report, one per line:
 *       `RULE severity file:row expected=… actual=…` [` message~=<text the message must contain>`]
 *     (`#` starts a comment line). Lines of other rules are findings the fixture cannot avoid; they are listed so
 *     the run is still compared in full;
 *   - clean.txt (optional) — the findings the clean twin may show (default: none at all);
 *   - csp-billing.config.json (optional) — settings for both runs.
 * Expectations come from the SPEC, never from the code: a case where the pipeline disagrees is listed in
 * KNOWN_DISCREPANCIES below and runs as `it.fails` until the lead fixes the code.
 *
 * Each run asserts: the findings of the rule (read back from output/2026-10/exceptions.csv) equal expected.txt,
 * the other findings equal the rest of expected.txt, the exit code (1 iff an error finding is expected), and the
 * row accounting of run.json (SPEC §6).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Papa from 'papaparse'
import { runPipeline, type RunOutcome } from '../../pipeline/run.js'
import { RULES } from '../../pipeline/diagnostics.js'
import { expectRowAccounting } from '../row-accounting.js'

const HERE = import.meta.dirname
const PERIOD = '2026-10'

/**
 * Cases where the pipeline disagrees with the SPEC: `<RULE>/<firing|clean>` → what differs. These run as
 * `it.fails` (the SPEC expectation is kept); remove the entry once the code is fixed.
 */
const KNOWN_DISCREPANCIES: Record<string, string> = {}

interface ExpectedLine {
  line: string
  rule: string
  severity: string
  messageContains: string | null
}

interface RunJson {
  inputs: { file: string; kind: string; rows: number; accepted: number; rejected: number }[]
  rows: { read: number; accepted: number; rejected: number; duplicates: number; invoiced: number; held: number; retained: number }
  exitCode: number
}

interface RunResult {
  outcome: RunOutcome
  lines: { line: string; rule: string; file: string; message: string }[]
  runJson: RunJson
  stagingDb: string
}

const tempDirs: string[] = []
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true })
})

function ruleFolders(): string[] {
  return readdirSync(HERE)
    .filter((name) => name !== 'base' && statSync(join(HERE, name)).isDirectory())
    .sort()
}

function parseExpected(path: string): ExpectedLine[] {
  if (!existsSync(path)) return []
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [main, message] = l.split(' message~=') as [string, string | undefined]
      const [rule = '', severity = ''] = main.split(' ')
      return { line: main.trim(), rule, severity, messageContains: message ?? null }
    })
}

/** base input + the case's overrides → a fresh input root. */
function assembleInput(caseDir: string): string {
  const root = mkdtempSync(join(tmpdir(), 'csp-diag-'))
  tempDirs.push(root)
  const input = join(root, 'input')
  cpSync(join(HERE, 'base', 'input'), input, { recursive: true })
  const overrides = join(caseDir, 'input')
  if (existsSync(overrides)) cpSync(overrides, input, { recursive: true })
  return root
}

async function runCase(ruleDir: string, which: 'firing' | 'clean'): Promise<RunResult> {
  const root = assembleInput(join(ruleDir, which))
  const outputRoot = join(root, 'output')
  const outcome = await runPipeline({
    period: PERIOD,
    inputRoot: join(root, 'input'),
    outputRoot,
    configPath: join(ruleDir, 'csp-billing.config.json'),
    configExplicit: false,
  })
  expect(outcome.message, 'the run could not run').toBeUndefined()
  const dir = join(outputRoot, PERIOD)
  const csv = readFileSync(join(dir, 'exceptions.csv'), 'utf8').replace(/^\uFEFF/, '')
  const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data
  const lines = rows.map((r) => ({
    line: `${r.rule} ${r.severity} ${r.file}:${r.row} expected=${r.expected ?? ''} actual=${r.actual ?? ''}`,
    rule: r.rule ?? '',
    file: r.file ?? '',
    message: r.message ?? '',
  }))
  const runJson = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunJson
  return { outcome, lines, runJson, stagingDb: join(dir, 'staging.sqlite') }
}

function assertAccounting(run: RunResult): void {
  expectRowAccounting(run.runJson, run.stagingDb)
  expect(run.runJson.rows.duplicates, 'each duplicate reported once').toBe(run.lines.filter((l) => l.rule === 'DUPLICATE_LINE').length)
}

/** Lines in a stable order (several findings can share file and row; their order then follows the message). */
function sorted(items: { line: string }[]): string[] {
  return items.map((i) => i.line).sort()
}

/** SPEC §2: a file rejected whole (MISSING_COLUMN, UNREADABLE_FILE) has none of its rows accepted. */
function assertWholeFileRejections(run: RunResult): void {
  const files = run.lines.filter((l) => l.rule === 'MISSING_COLUMN' || l.rule === 'UNREADABLE_FILE').map((l) => l.file)
  for (const file of files) {
    const input = run.runJson.inputs.find((i) => i.file === file)
    if (input) expect(input.accepted, `${file}: no row used`).toBe(0)
  }
}

function expectedExit(expected: ExpectedLine[]): number {
  return expected.some((e) => e.severity === 'error') ? 1 : 0
}

function assertMessages(expected: ExpectedLine[], actual: RunResult['lines']): void {
  for (const e of expected) {
    if (e.messageContains === null) continue
    const hit = actual.find((a) => a.line === e.line)
    expect(hit?.message ?? '', `message of ${e.line}`).toContain(e.messageContains)
  }
}

const folders = ruleFolders()

it('the catalogue covers every rule id of SPEC §5', () => {
  expect(folders).toEqual(Object.keys(RULES).sort())
})

for (const rule of folders) {
  const ruleDir = join(HERE, rule)
  const expected = parseExpected(join(ruleDir, 'expected.txt'))
  const clean = parseExpected(join(ruleDir, 'clean.txt'))
  const ownExpected = expected.filter((e) => e.rule === rule)
  const otherExpected = expected.filter((e) => e.rule !== rule)

  describe(rule, () => {
    const firingKey = `${rule}/firing`
    const cleanKey = `${rule}/clean`
    const firingIt = KNOWN_DISCREPANCIES[firingKey] !== undefined ? it.fails : it
    const cleanIt = KNOWN_DISCREPANCIES[cleanKey] !== undefined ? it.fails : it

    it('expected.txt names the rule with its SPEC severity', () => {
      expect(ownExpected.length).toBeGreaterThan(0)
      for (const e of expected) expect(e.severity, e.line).toBe(RULES[e.rule as keyof typeof RULES])
    })

    firingIt(`firing: reports exactly the expected ${rule} findings, exit code and row accounting`, async () => {
      const run = await runCase(ruleDir, 'firing')
      expect(sorted(run.lines.filter((l) => l.rule === rule))).toEqual(sorted(ownExpected))
      expect(sorted(run.lines.filter((l) => l.rule !== rule)), 'findings of other rules').toEqual(sorted(otherExpected))
      assertMessages(expected, run.lines)
      expect(run.outcome.exitCode).toBe(expectedExit(expected))
      expect(run.runJson.exitCode).toBe(expectedExit(expected))
      assertAccounting(run)
      assertWholeFileRejections(run)
    })

    cleanIt(`clean twin: no ${rule} finding, nothing else unexpected`, async () => {
      const run = await runCase(ruleDir, 'clean')
      expect(run.lines.filter((l) => l.rule === rule).map((l) => l.line)).toEqual([])
      expect(sorted(run.lines)).toEqual(sorted(clean))
      expect(run.outcome.exitCode).toBe(expectedExit(clean))
      assertAccounting(run)
    })
  })
}
