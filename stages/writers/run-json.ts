/**
 * Builds and writes run.json (SPEC §6) from the staging DB.
 *
 * In: the DB, period, reseller totals and their invoice file names, control totals, exit code. Out: the RunJson
 * object (validated by schemas/run-json.ts) and `run.json` text: 2-space indent, keys in SPEC order (objects are
 * built in that order and JSON.stringify keeps insertion order), arrays sorted, trailing newline.
 * Throws only when the object breaks its own schema, which is a bug in this writer, not bad input.
 */
import type { Db } from '../../pipeline/db.js'
import type { ResellerTotals } from '../invoice-totals.js'
import type { ControlTotal } from './control-totals.js'
import { runJsonSchema, type RunJson, type RunJsonInput } from '../../schemas/run-json.js'

export interface RunJsonParts {
  period: string
  resellers: ResellerTotals[]
  invoiceFiles: Map<string, string>
  controlTotals: ControlTotal[]
  exitCode: 0 | 1
}

export async function buildRunJson(db: Db, parts: RunJsonParts): Promise<RunJson> {
  const inputs = await readInputs(db)
  const counts = await rowCounts(db)
  const runJson: RunJson = {
    period: parts.period,
    inputs,
    rows: {
      read: sum(inputs, 'rows'),
      accepted: sum(inputs, 'accepted'),
      rejected: sum(inputs, 'rejected'),
      duplicates: counts.duplicates,
      invoiced: counts.invoiced,
      held: counts.held,
      retained: counts.retained,
    },
    resellers: parts.resellers.map((r) => ({
      resellerId: r.resellerId,
      name: r.name,
      currency: r.currency,
      lines: r.lines,
      subtotal: r.subtotal,
      support: r.support,
      tax: r.tax,
      total: r.total,
      cost: r.cost,
      margin: r.margin,
      file: parts.invoiceFiles.get(r.resellerId) ?? '',
    })),
    controlTotals: parts.controlTotals.map((c) => ({
      currency: c.currency,
      cost: c.cost,
      invoicedCost: c.invoicedCost,
      heldCost: c.heldCost,
      retainedCost: c.retainedCost,
      sell: c.sell,
    })),
    exceptions: await exceptionCounts(db),
    exitCode: parts.exitCode,
  }
  const checked = runJsonSchema.safeParse(runJson)
  if (!checked.success) throw new Error(`run.json does not match its schema (a bug in the writer): ${checked.error.message}`)
  return runJson
}

export function runJsonText(runJson: RunJson): string {
  return `${JSON.stringify(runJson, null, 2)}\n`
}

async function readInputs(db: Db): Promise<RunJsonInput[]> {
  const rows = await db.kysely.selectFrom('input_files').selectAll().orderBy('file').orderBy('file_id').execute()
  return rows.map((r) => ({
    file: r.file,
    kind: r.kind as RunJsonInput['kind'],
    sha256: r.sha256,
    rows: r.rows,
    accepted: r.accepted,
    rejected: r.rejected,
    unknownColumns: parseColumns(r.unknown_columns),
  }))
}

function parseColumns(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.map(String) : []
  } catch {
    return [] // the column is written by ingest as JSON; a broken value must not stop the outputs
  }
}

async function rowCounts(db: Db): Promise<{ duplicates: number; invoiced: number; held: number; retained: number }> {
  const dup = await db.kysely
    .selectFrom('recon_lines')
    .where('is_duplicate', '=', 1)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst()
  const byStatus = await db.kysely
    .selectFrom('priced_lines')
    .groupBy('status')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .execute()
  const of = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0)
  return { duplicates: Number(dup?.n ?? 0), invoiced: of('invoiced'), held: of('held'), retained: of('retained') }
}

async function exceptionCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.kysely
    .selectFrom('findings')
    .groupBy('rule')
    .select((eb) => ['rule', eb.fn.countAll<number>().as('n')])
    .orderBy('rule')
    .execute()
  const out: Record<string, number> = {}
  for (const r of rows) out[r.rule] = Number(r.n)
  return out
}

function sum<T>(rows: T[], key: { [K in keyof T]: T[K] extends number ? K : never }[keyof T]): number {
  return rows.reduce((acc, r) => acc + (r[key] as number), 0)
}
