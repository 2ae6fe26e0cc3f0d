/**
 * Buffered text writer over a fs WriteStream that respects backpressure: chunks of ~1 MiB are written and, when the
 * stream's buffer is full, the writer waits for 'drain'. Memory stays flat however many rows are written.
 * In: a path. Out: bytes written. Rejects only if the file cannot be written (the benchmark cannot run then).
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'

const CHUNK = 1 << 20

export class TextSink {
  private readonly stream: WriteStream
  private pending: string[] = []
  private pendingLength = 0
  bytes = 0

  constructor(path: string) {
    this.stream = createWriteStream(path)
  }

  /** Queue text; resolves at once unless a chunk had to wait for the stream to drain. */
  async write(text: string): Promise<void> {
    this.pending.push(text)
    this.pendingLength += text.length
    if (this.pendingLength >= CHUNK) await this.flush()
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return
    const buffer = Buffer.from(this.pending.join(''), 'utf8')
    this.pending = []
    this.pendingLength = 0
    this.bytes += buffer.length
    if (!this.stream.write(buffer)) await once(this.stream, 'drain')
  }

  async close(): Promise<number> {
    await this.flush()
    this.stream.end()
    await once(this.stream, 'finish')
    return this.bytes
  }
}
