/**
 * `npm run bench` — generates a seeded synthetic month (default 1,000,000 usage rows + 50,000 reconciliation
 * lines) in a temp folder, runs the full pipeline on it in a fresh process, and in the same run times DuckDB
 * doing read_csv + GROUP BY of the same usage file into the same tie-out sums (exact DECIMAL). Prints rows/s per
 * stage, wall time, peak RSS and the ratio pipeline ÷ DuckDB.
 *
 *   npm run bench                      # scale 1
 *   npm run bench -- --scale 4         # 4,000,000 usage rows: memory must stay flat
 *   npm run bench -- --usage-rows 200000 --recon-lines 10000 --keep
 *   npm run bench -- --reuse /tmp/csp-bench-XXXX   # a month kept by --keep: no generation, same figures
 *   npm run bench -- --runs 3          # pipeline and DuckDB alternately, 3 times: the median pair is shown
 *   npm run bench -- --usage-files 2 --gzip   # the same usage rows in two files, gzipped (bench/reshape.ts)
 *
 * A script, not a test: figures go to stdout (and the README), targets are checked by reading them.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { generateMonth } from './generate.js'
import { reshapeUsage } from './reshape.js'
import { bundleFolder } from '../pipeline/bundle.mjs'

const PERIOD = '2026-10'

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    'usage-rows': { type: 'string' },
    'recon-lines': { type: 'string' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    // V8 old-space cap for the pipeline process, in MiB (e.g. 400): shows live memory rather than lazy GC growth.
    heap: { type: 'string' },
    reuse: { type: 'string' },
    // This box's speed drifts by up to 2× within minutes: several runs, each pipeline run next to a DuckDB run,
    // show the spread, and the pair with the median ratio is the one reported.
    runs: { type: 'string', default: '1' },
    // The usage as finance may receive it: cut into N files, and/or gzipped (DuckDB reads the same files).
    'usage-files': { type: 'string', default: '1' },
    gzip: { type: 'boolean', default: false },
  },
})
const scale = Number(values.scale)
let usageRows = Number(values['usage-rows'] ?? 1_000_000 * scale)
const reconLines = Number(values['recon-lines'] ?? 50_000 * scale)
const seed = Number(values.seed)

const root = values.reuse ?? mkdtempSync(join(tmpdir(), 'csp-bench-'))
const inputRoot = join(root, 'input')
const outputRoot = join(root, 'output')
rmSync(outputRoot, { recursive: true, force: true })

const t = performance.now()
if (values.reuse === undefined) {
  log(`bench: ${usageRows.toLocaleString('en-US')} usage rows, ${reconLines.toLocaleString('en-US')} reconciliation lines, seed ${seed}, in ${root}`)
  const generated = await generateMonth({ dir: inputRoot, period: PERIOD, usageRows, reconLines, seed })
  log(`generated in ${secs(performance.now() - t)} s (${(generated.usageBytes / 1048576).toFixed(0)} MiB of usage CSV)`)
  const parts = Math.max(1, Math.floor(Number(values['usage-files'])))
  if (parts > 1 || values.gzip) {
    const names = await reshapeUsage(join(inputRoot, PERIOD), usageRows, { files: parts, gzip: values.gzip === true })
    log(`usage reshaped into ${names.join(', ')}`)
  }
} else log(`bench: reusing the month in ${root}${values.gzip || values['usage-files'] !== '1' ? ' (--usage-files and --gzip apply when generating)' : ''}`)

interface PipelineRun {
  exitCode: number
  message: string | null
  wall: number
  stages: Record<string, number>
  peaks: Record<string, number>
  maxRssMiB: number
  cpuSeconds: number
  processSeconds: number
}

// Pipeline first, in its own process, started as `csp-billing` starts it: from the bundle (pipeline/bundle.mjs),
// else through tsx; start-up included.
const heapFlags = values.heap ? [`--max-old-space-size=${Number(values.heap)}`] : []
const bundle = await bundleFolder()
const runOnce = bundle !== null ? [join(bundle, 'run-once.mjs')] : ['--import', 'tsx', join(import.meta.dirname, 'run-once.ts')]
log(`bench: the pipeline runs ${bundle !== null ? 'from its bundle' : 'through tsx (no bundle)'}`)
function runPipeline(): PipelineRun {
  rmSync(outputRoot, { recursive: true, force: true })
  const child = spawnSync(process.execPath, [...heapFlags, ...runOnce, inputRoot, outputRoot, PERIOD], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = child.stdout.trim().split('\n').pop() ?? '{}'
  return JSON.parse(line) as PipelineRun
}

// DuckDB: the same usage file(s) → the same tie-out sums.
const usageFiles = readdirSync(join(inputRoot, PERIOD)).filter((f) => /usage/i.test(f)).map((f) => join(inputRoot, PERIOD, f))
async function runDuckDb(): Promise<{ seconds: number; keys: number; cpuSeconds: number }> {
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  const duck = await DuckDBInstance.create(':memory:')
  const conn = await duck.connect()
  const list = usageFiles.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')
  const result = await conn.runAndReadAll(`
    select CustomerId, SubscriptionId, ProductId, SkuId, count(*) as n,
           sum(cast(BillingPreTaxTotal as decimal(38, 18))) as billed
    from read_csv([${list}], header = true, all_varchar = true)
    group by all`)
  const seconds = (performance.now() - started) / 1000
  const { user, system } = process.cpuUsage(cpuBefore) // DuckDB's threads run in this process
  const keys = result.getRows().length
  conn.closeSync()
  duck.closeSync()
  return { seconds, keys, cpuSeconds: (user + system) / 1e6 }
}

const pairs: { pipeline: PipelineRun; duck: Awaited<ReturnType<typeof runDuckDb>> }[] = []
const runs = Math.max(1, Math.floor(Number(values.runs)))
for (let i = 0; i < runs; i++) {
  const pipelineRun = runPipeline()
  pairs.push({ pipeline: pipelineRun, duck: await runDuckDb() })
  if (runs > 1) log(`run ${i + 1}/${runs}: pipeline ${pipelineRun.wall.toFixed(2)} s, DuckDB ${pairs[i]!.duck.seconds.toFixed(2)} s`)
}
const ratioOf = (p: (typeof pairs)[number]) => p.pipeline.wall / p.duck.seconds
const byRatio = [...pairs].sort((a, b) => ratioOf(a) - ratioOf(b))
const median = byRatio[Math.floor((byRatio.length - 1) / 2)]!
const pipeline = median.pipeline
const duckSeconds = median.duck.seconds
const duckKeys = median.duck.keys

// The usage rows the run read (a reused month may have another scale than the flags say).
try {
  const runJson = JSON.parse(readFileSync(join(outputRoot, PERIOD, 'run.json'), 'utf8')) as { inputs: { kind: string; rows: number }[] }
  usageRows = runJson.inputs.filter((i) => i.kind === 'usage').reduce((n, i) => n + i.rows, 0)
} catch {
  // no run.json (the run failed): keep the requested figure
}

// The usage file is read from the start of ingest to the end of the usage step; price runs on the main thread
// in between (pipeline/run.ts), so that span is not one stage's time but bounds the usage read.
const usageSpan = (pipeline.stages.ingest ?? 0) + (pipeline.stages.price ?? 0) + (pipeline.stages.usage ?? 0)
const out = [
  '',
  `| figure | value |`,
  `|---|---|`,
  `| usage rows | ${usageRows.toLocaleString('en-US')} |`,
  `| reconciliation lines | ${reconLines.toLocaleString('en-US')} |`,
  ...Object.entries(pipeline.stages).map(([stage, s]) => `| stage ${stage} | ${s.toFixed(2)} s (${rate(usageRows, s)} usage rows/s); peak RSS so far ${pipeline.peaks[stage] ?? '?'} MiB |`),
  `| pipeline wall (fresh process) | ${pipeline.wall.toFixed(2)} s |`,
  `| pipeline CPU (user + system, every thread) over the process's life (start-up included) | ${pipeline.cpuSeconds.toFixed(2)} core-s in ${pipeline.processSeconds.toFixed(2)} s (${(pipeline.cpuSeconds / pipeline.processSeconds).toFixed(2)} of ${availableParallelism()} cores busy) |`,
  `| pipeline peak RSS${values.heap ? ` (V8 heap capped at ${values.heap} MiB)` : ''} | ${pipeline.maxRssMiB.toFixed(0)} MiB |`,
  `| pipeline exit code | ${pipeline.exitCode}${pipeline.message ? ` (${pipeline.message})` : ''} |`,
  `| DuckDB read_csv + GROUP BY (${duckKeys} keys) | ${duckSeconds.toFixed(2)} s, ${median.duck.cpuSeconds.toFixed(2)} core-s |`,
  `| ratio pipeline ÷ DuckDB | ${(pipeline.wall / duckSeconds).toFixed(2)} × |`,
  `| ingest rate (stage ingest) | ${rate(usageRows, pipeline.stages.ingest ?? 0)} usage rows/s |`,
  `| usage read, ingest → usage (price meanwhile) | ${usageSpan.toFixed(2)} s (${rate(usageRows, usageSpan)} usage rows/s) |`,
  ...(runs > 1
    ? [
        `| runs (pipeline ÷ DuckDB, each pair run back to back; the median pair is shown above) | ${byRatio.map((p) => `${p.pipeline.wall.toFixed(2)} ÷ ${p.duck.seconds.toFixed(2)} = ${ratioOf(p).toFixed(2)} ×`).join('; ')} |`,
        `| peak RSS over the runs | ${Math.max(...pairs.map((p) => p.pipeline.maxRssMiB)).toFixed(0)} MiB |`,
      ]
    : []),
]
process.stdout.write(`${out.join('\n')}\n`)

if (!values.keep && values.reuse === undefined) rmSync(root, { recursive: true, force: true })
else log(`kept ${root} (${(dirSize(root) / 1048576).toFixed(0)} MiB)`)

function log(text: string): void {
  process.stderr.write(`${text}\n`)
}
function secs(ms: number): string {
  return (ms / 1000).toFixed(1)
}
function rate(rows: number, s: number): string {
  return s > 0 ? Math.round(rows / s).toLocaleString('en-US') : '—'
}
function dirSize(dir: string): number {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    total += e.isDirectory() ? dirSize(p) : statSync(p).size
  }
  return total
}
