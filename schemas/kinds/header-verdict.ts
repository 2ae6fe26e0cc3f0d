/**
 * What a header says about its file (SPEC §2): its kind, or why the file cannot be used (duplicated or ambiguous
 * column names, a header that matches no kind). Shared by discover and ingest; pure, no file access.
 */
import { detectKind, duplicateColumns, KINDS, KIND_ORDER, mapHeader, type InputKind } from './index.js'

export type HeaderVerdict = { kind: InputKind } | { reason: string }

/** Kind of a header, or why the file is unreadable: duplicated column, two aliases of one column, no kind. */
export function judgeHeader(header: readonly string[]): HeaderVerdict {
  const duplicate = duplicateColumns(header)
  if (duplicate) return { reason: `its header is ambiguous: ${duplicate}` }
  const kind = detectKind(header)
  if (kind === null) return { reason: noKindReason(header) }
  const ambiguous = mapHeader(kind, header).ambiguous
  if (ambiguous) return { reason: `its header is ambiguous: ${ambiguous}` }
  return { kind }
}

function noKindReason(header: readonly string[]): string {
  if (header.length === 1 && /[;\t]/.test(header[0] ?? '')) {
    return 'its header is one cell with semicolons or tabs in it: save the file as CSV with commas (comma-delimited)'
  }
  const hints = KIND_ORDER.map((k) => `${k}: ${KINDS[k].detect.join(' + ')}`).join('; ')
  return `its header matches no input kind (the kind is recognised by these columns — ${hints})`
}
