// unzipper ships no types; readers use only its streaming Parse (see xlsx-entries.ts).
declare module 'unzipper' {
  import type { Duplex } from 'node:stream'
  const unzipper: { Parse(options: { forceStream: boolean }): Duplex }
  export default unzipper
}
