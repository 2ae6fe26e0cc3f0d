// unzipper ships no types; readers use only its streaming Parse (see xlsx-entries.ts), tests its Open too.
declare module 'unzipper' {
  import type { Duplex } from 'node:stream'
  interface ZipDirectory {
    files: { path: string; type: 'File' | 'Directory'; buffer(): Promise<Buffer> }[]
  }
  const unzipper: {
    Parse(options: { forceStream: boolean }): Duplex
    Open: { buffer(data: Buffer): Promise<ZipDirectory> }
  }
  export default unzipper
}
