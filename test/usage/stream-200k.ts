/**
 * Child-process script for memory.test.ts: generates a seeded month with N usage rows (bench/generate.ts) and
 * streams it through discover → ingest into a file-backed staging DB. Prints one JSON line: the usage file's
 * input_files row, the usage_totals row count and this process's peak RSS. Run with a small heap
 * (`node --max-old-space-size=256 --import tsx`): a run that kept rows in memory would die.
 * Usage: stream-200k.ts <workdir> <usageRows>
 */
import { join } from 'node:path'
import { generateMonth } from '../../bench/generate.js'
import { openDb } from '../../pipeline/db.js'
import { periodBounds, type RunContext } from '../../pipeline/context.js'
import { defaultSettings } from '../../schemas/config.js'
import { discover } from '../../stages/discover.js'
import { ingest } from '../../stages/ingest.js'

const [dir, rows] = process.argv.slice(2)
const usageRows = Number(rows)
const inputRoot = join(dir!, 'input')
await generateMonth({ dir: inputRoot, period: '2026-10', usageRows, reconLines: Math.max(1, Math.floor(usageRows / 20)), seed: 7 })
const settings = defaultSettings()
const { start, end } = periodBounds('2026-10', settings.periodStartDay)
const db = openDb(join(dir!, 'staging.sqlite'))
const ctx: RunContext = {
  period: '2026-10', periodStart: start, periodEnd: end, inputRoot, periodDir: join(inputRoot, '2026-10'), referenceDir: join(inputRoot, 'reference'),
  outputRoot: join(dir!, 'output'), workDir: join(dir!, 'work'), settings, db,
}
const found = await discover(undefined, ctx)
await ingest(found.output, ctx)
const file = db.sqlite.prepare("select rows, accepted, rejected from input_files where kind = 'usage'").get()
const groups = (db.sqlite.prepare('select count(*) n, sum(rows) r from usage_totals').get() as { n: number; r: number })
await db.close()
process.stdout.write(`${JSON.stringify({ file, groups, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`)
