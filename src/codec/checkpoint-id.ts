/**
 * Checkpoint ids as Flink names and counts them:
 * - entry names: ZooKeeper `jobs/<jobId>/checkpoints/<%019d>` (ZooKeeperCheckpointStoreUtil), and
 *   Kubernetes `checkpointID-<%019d>` keys (KubernetesCheckpointStoreUtil); Flink parses them with
 *   Long.parseLong and skips names that do not parse;
 * - the checkpoint id counter, whose value is the next id Flink hands out: ZooKeeper
 *   `checkpoint_id_counter` holds Curator SharedCount bytes (a 4-byte big-endian int), the
 *   Kubernetes `counter` key a decimal string. An absent counter means 1 (INITIAL_CHECKPOINT_ID).
 */
import {type DecodeResult, fail, ok} from './result.js'

/** CheckpointIDCounter.INITIAL_CHECKPOINT_ID: what an absent counter stands for. */
export const INITIAL_CHECKPOINT_ID = 1
/** The Kubernetes checkpoint key prefix (Constants.CHECKPOINT_ID_KEY_PREFIX). */
export const KUBERNETES_CHECKPOINT_KEY_PREFIX = 'checkpointID-'

const LONG_MAX = (1n << 63n) - 1n
const LONG_MIN = -(1n << 63n)

/** `String.format("%019d", id)`: the entry name Flink writes. */
export function checkpointEntryName(id: number | bigint): string {
  const n = BigInt(id)
  return n < 0n ? `-${(-n).toString().padStart(18, '0')}` : n.toString().padStart(19, '0')
}

/**
 * The checkpoint id of an entry name, as Flink's nameToCheckpointID reads it: an optional leading
 * `/`, then what Long.parseLong accepts. Ids beyond 2^53 are reported, not rounded.
 */
export function checkpointIdFromName(name: string): DecodeResult<number> {
  const digits = name.startsWith('/') ? name.slice(1) : name
  if (!/^[+-]?[0-9]+$/.test(digits)) return fail(`checkpoint entry name ${JSON.stringify(name)} is not a number`, 0, 'MALFORMED')
  const value = BigInt(digits)
  if (value > LONG_MAX || value < LONG_MIN) return fail(`checkpoint entry name ${JSON.stringify(name)} is out of range for a long`, 0, 'MALFORMED')
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    return fail(`checkpoint id ${value} is beyond what haadm represents exactly (2^53)`, 0, 'LIMIT')
  return ok(Number(value))
}

/** ZooKeeper `checkpoint_id_counter`: exactly 4 bytes, a big-endian signed int (SharedCount.toBytes). */
export function decodeCheckpointIdCounter(bytes: Uint8Array): DecodeResult<number> {
  if (bytes.length !== 4) {
    return fail(
      `checkpoint id counter holds ${bytes.length} byte(s), expected 4 (a big-endian int)`,
      Math.min(bytes.length, 4),
      bytes.length < 4 ? 'TRUNCATED' : 'TRAILING_DATA',
    )
  }
  return ok(new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0))
}

/** Kubernetes `counter` key: a decimal string (Long.valueOf). */
export function parseCheckpointIdCounterText(text: string): DecodeResult<number> {
  if (!/^[+-]?[0-9]+$/.test(text)) return fail(`checkpoint id counter ${JSON.stringify(text)} is not a number`, 0, 'MALFORMED')
  const value = BigInt(text)
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    return fail(`checkpoint id counter ${text} is out of range`, 0, 'LIMIT')
  return ok(Number(value))
}
