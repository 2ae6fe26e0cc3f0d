/**
 * A second thread for the run (issue 7: the machine has two cores). It runs what the stages hand it, one task
 * at a time: the second part of a big usage file (stages/usage-split.ts), then some reconcile checks
 * (stages/reconcile.ts), exceptions.csv and a run of invoice workbooks with their usage summaries
 * (stages/write.ts) on its own read-only connection to the staging DB, while the main thread does the rest. It
 * is started with the run: one thread for all of that loads its modules once and keeps one malloc arena, where
 * a usage worker and a later side thread alive at the same time cost ~35 MiB more peak RSS. It loads them from
 * a bundle esbuild makes at the run's start (pipeline/side-bundle.ts), else through tsx (side-thread.mjs).
 *
 * Nothing depends on which thread did the work: checks return their findings to be merged in the usual order,
 * and a file is the same bytes whoever writes it. A task the thread cannot finish (it failed to start, crashed
 * or ran out of memory) rejects, and the stage does the work itself.
 */
import { Worker, type MessagePort } from 'node:worker_threads'
import type { Finding } from './diagnostics.js'
import { sideThreadBundle } from './side-bundle.js'
import type { Settings } from '../schemas/config.js'
import type { InvoiceJob } from '../stages/writers/invoice-batch.js'
import type { HalfData } from '../stages/usage-half.js'

export interface SideInit {
  dbPath: string
  settings: Settings
  periodStart: string
  periodEnd: string
}

export type SideTask =
  | { type: 'checks'; rules: string[] }
  /** A run of invoice workbooks, their usage summed there (stages/writers/invoice-batch.ts). */
  | { type: 'invoices'; jobs: InvoiceJob[] }
  /** Writes exceptions.csv at `path` from the findings table (stages/writers/exceptions-csv.ts). */
  | { type: 'exceptions'; path: string }
  /** Reads a usage file's second part, posting its messages (`done` last) on `port` (transferred). */
  | { type: 'usage-half'; data: HalfData; port: MessagePort }
  /** Loads the modules of the checks and invoice tasks ahead of them (pipeline/side-thread-body.ts). */
  | { type: 'warm' }

export type SideResult<T extends SideTask> = T extends { type: 'checks' }
  ? Record<string, Finding[]>
  : null

export type SideReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string }

/** CSP_BILLING_SIDE_THREAD=0 runs everything on the main thread. */
export function sideThreadWanted(): boolean {
  return process.env.CSP_BILLING_SIDE_THREAD !== '0'
}

export class SideThread {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  private broken: Error | null = null

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: SideReply) => {
      const w = this.waiting.get(reply.id)
      if (w === undefined) return
      this.waiting.delete(reply.id)
      if (reply.ok) w.resolve(reply.result)
      else w.reject(new Error(reply.message))
    })
    const fail = (e: Error) => {
      this.broken ??= e
      for (const w of this.waiting.values()) w.reject(this.broken)
      this.waiting.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`side thread exited (code ${code})`)))
  }

  /** Null when no worker thread can be started: the stages then do everything themselves. */
  static async start(init: SideInit): Promise<SideThread | null> {
    // From the bundle when there is one (pipeline/side-bundle.ts), else through tsx.
    const entry = (await sideThreadBundle()) ?? new URL('./side-thread.mjs', import.meta.url)
    try {
      // CSP_BILLING_SIDE_THREAD_HEAP_MB caps its old space (a test starves it to check the fallback). Uncapped by
      // default: see pipeline/gc.ts collectGarbageAbove for why, and what bounds its heap instead.
      const heap = Number(process.env.CSP_BILLING_SIDE_THREAD_HEAP_MB ?? 0)
      const resourceLimits = heap > 0 ? { maxOldGenerationSizeMb: heap } : {}
      return new SideThread(new Worker(entry, { workerData: init, resourceLimits }))
    } catch {
      return null
    }
  }

  /** False once the thread has failed or exited: its tasks would only reject. */
  get alive(): boolean {
    return this.broken === null
  }

  run<T extends SideTask>(task: T): Promise<SideResult<T>> {
    if (this.broken) return Promise.reject(this.broken)
    const id = this.nextId++
    return new Promise<SideResult<T>>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.worker.postMessage({ id, task }, task.type === 'usage-half' ? [task.port] : [])
    })
  }

  /** Queues a `warm` task; nothing waits for it, and a failure shows in the task that needs the modules. */
  warm(): void {
    this.run({ type: 'warm' }).catch(() => undefined)
  }

  /** Must be called on every path out of the run: a live worker keeps the process running. */
  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
