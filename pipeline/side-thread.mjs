// Worker-thread entry for pipeline/side-thread.ts when its bundle cannot be made (pipeline/side-bundle.ts):
// registers tsx (a worker does not inherit the parent's loader hooks) and runs the TypeScript body. Plain
// JavaScript on purpose: Node loads it without any loader.
import { register } from 'tsx/esm/api'

register()
await import('./side-thread-body.ts')
