/**
 * Worker-thread body for pipeline/side-thread.ts: a read-only connection to the staging DB, and the tasks the
 * stages hand over — reconcile checks by rule id, or a run of invoice workbooks. One task at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { CHECKS } from '../stages/reconcile.js'
import { writeInvoices } from '../stages/writers/invoice-batch.js'
import { openDb } from './db.js'
import type { Finding } from './diagnostics.js'
import { tuneHeap } from './gc.js'
import type { SideInit, SideReply, SideTask } from './side-thread.js'

const init = workerData as SideInit
tuneHeap()
const db = openDb(init.dbPath, { readonly: true })
const ctx = { db, settings: init.settings, periodStart: init.periodStart, periodEnd: init.periodEnd }

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
  if (task.type === 'invoices') {
    await writeInvoices(db, task.jobs)
    return null
  }
  const found: Record<string, Finding[]> = {}
  for (const rule of task.rules) {
    const entry = CHECKS.find((c) => c.rule === rule)
    if (entry === undefined) throw new Error(`no check for ${rule}`) // programmer error
    found[rule] = await entry.check(ctx)
  }
  return found
}
