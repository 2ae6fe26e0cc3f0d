/**
 * V8 heap behaviour for a batch run: the two settings below are measured on the 1 M-row bench month.
 *
 * A full garbage collection between stages. The run is a batch job whose stages each allocate heavily and leave
 * little behind; left alone, V8 sizes each stage's heap from the previous stage's peak, so RSS climbs with the
 * size of the month (1 M usage rows peaked at 454 MiB, 4 M at 621 MiB, with the same 50,000 lines to write).
 * One collection at each stage boundary (tens of ms) resets that. Uses V8's own `gc`, exposed at run time.
 *
 * No allocation-site pretenuring (`tuneHeap`). V8 moves an allocation site's objects straight to the old
 * generation when most of them survive a young collection. Usage ingest creates a few long-lived objects per
 * usage group among millions of short-lived ones per row, and on some runs V8 decided to pretenure; from then
 * on a third of everything allocated survived each young collection (reachable from dead old objects until
 * the next full collection): 230 scavenges of ~9 ms instead of ~150 of ~1.7 ms, 2.0 s instead of 0.26 s per
 * million rows, on about half the runs. Turned off, every run took the fast path (scratch runs with
 * --trace-gc-nvp). The flag is read at each collection, so setting it at run time works; it is process-wide,
 * so the worker threads (the side thread, a usage worker of its own) have it too: runPipeline sets it before
 * starting them.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
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

/** Called once before the first stage (see the top of this file). */
export function tuneHeap(): void {
  setFlagsFromString('--no-allocation-site-pretenuring')
}

/** Heap in use past which `collectGarbageAbove` callers collect: live data of a run stay near 20–40 MiB. */
export const HEAP_SOFT_CAP = 64 << 20

/**
 * A full collection when the heap holds more than `bytes`: a bound for a thread that makes garbage fast (a file
 * whose rows are all rejected). A cap on its old space (Worker resourceLimits) would bound it too, but below
 * 2 GiB V8 then lowers its heap growing factor from 4 to 1.3–2 and collects all the time: the 1 M-row bench month
 * ran 0.7 s slower with the side thread capped at 128 or 256 MiB. Called at points that only come with many
 * findings, it costs a normal month nothing.
 */
export function collectGarbageAbove(bytes: number): void {
  if (getHeapStatistics().used_heap_size > bytes) collectGarbage()
}
