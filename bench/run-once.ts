/**
 * Runs the whole pipeline once in this process and prints one JSON line: wall time, per-stage times and peak
 * RSS. bench/bench.ts spawns it so every measurement is a fresh process (peak RSS is per process).
 * Usage: tsx bench/run-once.ts <inputRoot> <outputRoot> <period>
 */
import { runPipeline } from '../pipeline/run.js'

const [inputRoot, outputRoot, period] = process.argv.slice(2)
if (!inputRoot || !outputRoot || !period) {
  process.stderr.write('usage: tsx bench/run-once.ts <inputRoot> <outputRoot> <period>\n')
  process.exit(2)
}
const stages: Record<string, number> = {}
/** Peak RSS so far (MiB) at the end of each stage: shows which stage sets the peak. */
const peaks: Record<string, number> = {}
let peakRss = 0
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
}, 100)
const started = performance.now()
const outcome = await runPipeline({
  period,
  inputRoot,
  outputRoot,
  configPath: 'csp-billing.config.json.absent',
  configExplicit: false,
  onProgress: (e) => {
    if (e.type === 'stage-end') {
      stages[e.stage] = e.ms / 1000
      peaks[e.stage] = Math.round(process.resourceUsage().maxRSS / 1024)
    }
  },
})
clearInterval(sampler)
const wall = (performance.now() - started) / 1000
// maxRSS from the kernel is the true peak (KiB); the sampler is a fallback.
const maxRssMiB = Math.max(process.resourceUsage().maxRSS / 1024, peakRss / 1048576)
// CPU of every thread of the process since it started (tsx start-up included): the run is CPU-bound on both
// cores, so this, not the wall time, is what a change has to lower.
const { user, system } = process.cpuUsage()
const cpuSeconds = (user + system) / 1e6
const processSeconds = process.uptime()
process.stdout.write(`${JSON.stringify({ exitCode: outcome.exitCode, message: outcome.message ?? null, wall, stages, peaks, maxRssMiB, cpuSeconds, processSeconds })}\n`)
