import type {Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import {readSnapshot, snapshotItems} from '../snapshot/io.js'
import type {Inventory, StreamingBackend} from './types.js'

/** A read-only backend over an exported snapshot: offline inspection, incident attachments, the demo. */
export class SnapshotBackend implements StreamingBackend {
  private constructor(
    readonly kind: Inventory['backend'],
    private readonly inventory: Inventory,
  ) {}

  static async open(file: string, target: Target): Promise<SnapshotBackend> {
    const doc = await readSnapshot(file)
    // A cluster id the user chose must match; Flink's default (/default) just means "not chosen".
    const wanted = target.clusterId
    if (wanted.source.kind !== 'default' && trim(wanted.value) !== trim(doc.clusterId))
      throw new HaadmError('CLUSTER_NOT_FOUND', `snapshot ${file} holds cluster ${doc.clusterId}, not ${wanted.value}`, {
        exit: ExitCode.UNREACHABLE,
        hint: 'Leave out --cluster-id, or pass the one the snapshot holds.',
        details: {clusterIds: [doc.clusterId]},
      })
    const items = snapshotItems(doc).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return new SnapshotBackend(doc.backend, {backend: doc.backend, clusterId: doc.clusterId, root: doc.root, scannedAt: doc.createdAt, items})
  }

  get clusterId(): string {
    return this.inventory.clusterId
  }

  get root(): string {
    return this.inventory.root
  }

  async scan(): Promise<Inventory> {
    return this.inventory
  }

  async *scanItems() {
    yield* this.inventory.items
  }

  async close(): Promise<void> {}
}

const trim = (id: string) => id.replace(/^\/+|\/+$/g, '')
