/**
 * Worker-thread body for pipeline/side-thread.ts: the tasks the stages hand over — a usage file's second part,
 * reconcile checks by rule id, exceptions.csv, or a run of invoice workbooks — one
 * at a time, in order. The read-only connection to the staging DB is opened by the first task that needs it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Db } from './db.js'
import type { Finding } from './diagnostics.js'
import { collectGarbage } from './gc.js'
import type { SideInit, SideReply, SideTask } from './side-thread.js'

/*
 * Modules are imported by the task that needs them, or ahead of it by a `warm` task. The first task is often a
 * usage file's second part, whose reader is light; importing the checks and the workbook writer too (kysely,
 * exceljs) held that part back by ~1 s on the 1 M-row bench month. Ingest queues `warm` at its start when no
 * usage file is split, else after the split's part (stages/ingest.ts), when this thread would have nothing to do.
 */
const usageHalf = () => import('../stages/usage-half.js')
const later = () =>
  Promise.all([
    import('./db.js'),
    import('../stages/reconcile.js'),
    import('../stages/writers/invoice-batch.js'),
    import('../stages/writers/exceptions-csv.js'),
    import('./findings-store.js'),
  ])

const init = workerData as SideInit
let db: Db | null = null
async function connection(): Promise<Db> {
  if (db === null) {
    const [{ openDb }] = await later()
    db = openDb(init.dbPath, { readonly: true })
  }
  return db
}

let queue: Promise<void> = Promise.resolve()
parentPort?.on('message', ({ id, task }: { id: number; task: SideTask }) => {
  queue = queue.then(async () => {
    let reply: SideReply
    try {
      reply = { id, ok: true, result: await perform(task) }
    } catch (e) {
      reply = { id, ok: false, message: (e as Error).message }
    }
    parentPort?.postMessage(reply)
  })
})

async function perform(task: SideTask): Promise<unknown> {
  if (task.type === 'usage-half') {
    const { readHalf } = await usageHalf()
    await readHalf(task.data, (message) => task.port.postMessage(message)) // the main thread closes the port
    collectGarbage() // as between stages (pipeline/gc.ts): the usage garbage would stay through the next tasks
    return null
  }
  if (task.type === 'warm') {
    await later()
    collectGarbage() // the imports' garbage (sources, compiled code) would otherwise stay through the checks
    return null
  }
  const [, { CHECKS }, { writeInvoices }, { writeExceptionsCsv }, { findingList }] = await later()
  if (task.type === 'exceptions') {
    writeExceptionsCsv(task.path, findingList(await connection()).rows)
    return null
  }
  if (task.type === 'invoices') {
    await writeInvoices(await connection(), task.jobs)
    return null
  }
  const ctx = { db: await connection(), settings: init.settings, periodStart: init.periodStart, periodEnd: init.periodEnd }
  const found: Record<string, Finding[]> = {}
  for (const rule of task.rules) {
    const entry = CHECKS.find((c) => c.rule === rule)
    if (entry === undefined) throw new Error(`no check for ${rule}`) // programmer error
    found[rule] = await entry.check(ctx)
  }
  return found
}
