/**
 * Worker-thread body for pipeline/side-thread.ts: the tasks the stages hand over — a usage file's second part,
 * reconcile checks by rule id, the invoices' usage summaries, or a run of invoice workbooks — one at a time, in
 * order. The read-only connection to the staging DB is opened by the first task that needs it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { CHECKS } from '../stages/reconcile.js'
import { writeInvoices } from '../stages/writers/invoice-batch.js'
import { usageSummaries } from '../stages/writers/invoice-data.js'
import { readHalf } from '../stages/usage-half.js'
import { openDb, type Db } from './db.js'
import type { Finding } from './diagnostics.js'
import { collectGarbage } from './gc.js'
import type { SideInit, SideReply, SideTask } from './side-thread.js'

const init = workerData as SideInit
let db: Db | null = null
const connection = (): Db => (db ??= openDb(init.dbPath, { readonly: true }))

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
    await readHalf(task.data, (message) => task.port.postMessage(message)) // the main thread closes the port
    collectGarbage() // as between stages (pipeline/gc.ts): the usage garbage would stay through the next tasks
    return null
  }
  if (task.type === 'usage-summaries') return usageSummaries(connection())
  if (task.type === 'invoices') {
    await writeInvoices(connection(), task.jobs)
    return null
  }
  const ctx = { db: connection(), settings: init.settings, periodStart: init.periodStart, periodEnd: init.periodEnd }
  const found: Record<string, Finding[]> = {}
  for (const rule of task.rules) {
    const entry = CHECKS.find((c) => c.rule === rule)
    if (entry === undefined) throw new Error(`no check for ${rule}`) // programmer error
    found[rule] = await entry.check(ctx)
  }
  return found
}
