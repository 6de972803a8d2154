/**
 * The result of decoding bytes read from a metadata store. Decoders never throw on bad input: the
 * bytes come from ZooKeeper, ConfigMaps or files that may be corrupt, truncated or written by a
 * Flink version we do not know, and a command must be able to show "undecodable: <reason>" for one
 * item and carry on with the others.
 */
export type DecodeResult<T> = {ok: true; value: T} | {ok: false; error: DecodeError}

/**
 * Broad categories of decode failures, for callers that react differently (e.g. a truncated read
 * versus a handle class haadm does not know). The text in `reason` is for humans.
 */
export type DecodeErrorCode =
  /** The input ended before the structure did. */
  | 'TRUNCATED'
  /** The bytes violate the format (bad magic, unknown type code, invalid modified UTF-8, ...). */
  | 'MALFORMED'
  /** Valid for the format, but not something this decoder reads (e.g. proxy class descriptors). */
  | 'UNSUPPORTED'
  /** A configured bound (size, depth, handle count, string or array length) was exceeded. */
  | 'LIMIT'
  /** Well-formed, but not the classes or values Flink writes there (wrong class, missing field). */
  | 'UNEXPECTED'
  /** The expected structure was complete but more bytes followed. */
  | 'TRAILING_DATA'
  /** A bug in the decoder surfaced as an exception; reported instead of thrown. */
  | 'INTERNAL'

export interface DecodeError {
  /** One line, human-readable: what was expected and what was found. */
  reason: string
  /** Byte offset in the input where the problem was found. */
  offset: number
  /**
   * Category of the failure. Always set by the decoders in src/codec; optional so that simple
   * decoders can build an error from reason and offset alone.
   */
  code?: DecodeErrorCode
}

export function ok<T>(value: T): DecodeResult<T> {
  return {ok: true, value}
}

export function fail<T = never>(reason: string, offset: number, code?: DecodeErrorCode): DecodeResult<T> {
  return {ok: false, error: code === undefined ? {reason, offset} : {reason, offset, code}}
}
