/**
 * How a run reports progress on stderr: bars with rows/s and ETA per file on a terminal (cli-progress), plain
 * one-line logs when stderr is not a TTY (CI logs), nothing with --quiet or --json.
 */
import cliProgress from 'cli-progress'
import type { FileProgress } from './context.js'
import type { ProgressEvent } from './run.js'

export interface Reporter {
  onStage(event: ProgressEvent): void
  files: FileProgress
  stop(): void
}

export function silentReporter(): Reporter {
  const noop = () => undefined
  return { onStage: noop, files: { fileStart: noop, fileAdvance: noop, fileEnd: noop }, stop: noop }
}

export function lineReporter(out: NodeJS.WritableStream = process.stderr): Reporter {
  const started = new Map<string, number>()
  return {
    onStage(e) {
      if (e.type === 'stage-end') out.write(stageLine(e))
    },
    files: {
      fileStart(file) {
        started.set(file, performance.now())
      },
      fileAdvance() {},
      fileEnd(file, rows) {
        const ms = performance.now() - (started.get(file) ?? performance.now())
        out.write(`  read ${file}: ${rows.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(1)} s (${rowsPerSecond(rows, ms)} rows/s)\n`)
      },
    },
    stop() {},
  }
}

/**
 * Bars while files are read; stage lines are printed once no bar is running, below the final bars. cli-progress's
 * own log buffer wrote them over the bars (its redraw clears one line) and dropped the last one (`stop` does not
 * flush it). A file that starts once the bars before it have stopped gets bars of its own below the lines printed
 * meanwhile: files are read a few at a time, and the big usage file, read after the price list, got no bar at all
 * (CLI review).
 */
export function barReporter(stream: NodeJS.WritableStream = process.stderr): Reporter {
  const newBars = () =>
    new cliProgress.MultiBar(
      {
        stream,
        format: ' {bar} {percentage}% | {file} | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    )
  let multi: cliProgress.MultiBar | null = null
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number }>()
  const plain = lineReporter(stream)
  const waiting: string[] = []
  let running = 0
  const flush = () => {
    if (running > 0) return
    multi?.stop()
    multi = null
    for (const line of waiting.splice(0)) stream.write(line)
  }
  return {
    onStage(e) {
      if (e.type !== 'stage-end') return
      waiting.push(stageLine(e))
      flush()
    },
    files: {
      fileStart(file, totalBytes) {
        multi ??= newBars()
        running++
        bars.set(file, { bar: multi.create(Math.max(totalBytes, 1), 0, { file, rows: 0, rate: 0 }), started: performance.now() })
      },
      fileAdvance(file, rows, bytes) {
        const b = bars.get(file)
        if (b) b.bar.update(bytes, { rows: rows.toLocaleString('en-US'), rate: rowsPerSecond(rows, performance.now() - b.started) })
      },
      fileEnd(file, rows) {
        const b = bars.get(file)
        if (b === undefined) return plain.files.fileEnd(file, rows)
        bars.delete(file)
        b.bar.update(b.bar.getTotal(), { rows: rows.toLocaleString('en-US'), rate: rowsPerSecond(rows, performance.now() - b.started) })
        b.bar.stop()
        running--
        flush()
      },
    },
    stop() {
      running = 0
      flush()
    },
  }
}

function stageLine(e: Extract<ProgressEvent, { type: 'stage-end' }>): string {
  return `${e.stage.padEnd(10)} done in ${(e.ms / 1000).toFixed(1)} s, ${e.findings} finding(s)\n`
}

function rowsPerSecond(rows: number, ms: number): string {
  return ms > 0 ? Math.round((rows * 1000) / ms).toLocaleString('en-US') : '—'
}
