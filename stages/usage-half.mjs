// Worker-thread entry for stages/usage-split.ts: registers tsx (a worker does not inherit the parent's loader
// hooks) and runs the TypeScript body. Plain JavaScript on purpose: Node loads it without any loader.
import { parentPort, workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { readHalf } = await import('./usage-half.ts')
await readHalf(workerData, (message) => parentPort.postMessage(message))
