/**
 * A full garbage collection between stages. The run is a batch job whose stages each allocate heavily and leave
 * little behind; left alone, V8 sizes each stage's heap from the previous stage's peak, so RSS climbs with the
 * size of the month (1 M usage rows peaked at 454 MiB, 4 M at 621 MiB, with the same 50,000 lines to write).
 * One collection at each stage boundary (tens of ms) resets that. Uses V8's own `gc`, exposed at run time.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let gc: (() => void) | null | undefined

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc')
      gc = runInNewContext('gc') as () => void
    } catch {
      gc = null // not exposed on this runtime: V8 decides alone
    }
  }
  gc?.()
}
