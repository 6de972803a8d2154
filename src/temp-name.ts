/**
 * The name of the temporary file a write goes to before it is renamed over `path`, in the same directory:
 * `.<name>.haadm-<pid>-<6 hex>.tmp`. It is created with O_EXCL, so the suffix only has to make a clash
 * unlikely, not be unguessable: Math.random instead of node:crypto, which is not loaded for it (~3-5 ms
 * of every command that can write a file). `join` is the path module's (posix for storage URIs).
 */
export function tempSibling(path: string, dirname: (p: string) => string, basename: (p: string) => string, join: (...p: string[]) => string): string {
  const suffix = Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0')
  return join(dirname(path), `.${basename(path)}.haadm-${process.pid}-${suffix}.tmp`)
}
