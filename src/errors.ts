/**
 * Exit codes shared by every command. Documented in README.md and in each command's help.
 */
export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  REFUSED: 4,
  PARTIAL: 5,
  /** doctor --fail-on: a finding at or above the level exists. */
  FINDINGS: 6,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODES_HELP = [
  '0  success',
  '1  unexpected error (a bug: run again with DEBUG=* and report it)',
  '2  usage error: unknown flag, malformed argument or Flink configuration file',
  '3  store unreachable (or its client library missing), unauthorised, or cluster not found',
  '4  refused: live cluster, or no confirmation',
  '5  partial failure',
  '6  doctor: a finding at or above --fail-on (default: error)',
].join('\n')

/** Machine-readable error codes; stable, part of the --json contract. */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'BACKEND_UNSUPPORTED'
  | 'ZK_CLIENT_MISSING'
  | 'ZK_UNREACHABLE'
  | 'ZK_NO_AUTH'
  | 'ZK_ERROR'
  | 'CLUSTER_NOT_FOUND'
  | 'ROOT_NOT_FOUND'
  | 'REFUSED'
  | 'LIVE_CLUSTER'
  | 'PARTIAL_FAILURE'
  | 'NOT_FOUND'
  | 'STORAGE_UNREACHABLE'
  | 'K8S_UNREACHABLE'
  | 'K8S_FORBIDDEN'
  | 'K8S_UNAUTHORIZED'
  | 'K8S_CONFIG'
  | 'K8S_NAMESPACE_NOT_FOUND'
  | 'K8S_ERROR'
  | 'DEADLINE_EXCEEDED'
  | 'SNAPSHOT_INVALID'
  | 'STORAGE_NOT_FOUND'
  | 'STORAGE_FORBIDDEN'
  | 'STORAGE_UNSUPPORTED'
  | 'STORAGE_ERROR'
  | 'STORAGE_VERIFY_FAILED'
  | 'JRS_PATH_MISSING'
  | 'JRS_ENTRY_NOT_FOUND'
  | 'BACKUP_FAILED'
  | 'OUTPUT_FAILED'
  | 'INVALID_JOB_ID'
  | 'JOB_NOT_FOUND'
  | 'UNEXPECTED'

/** The one table from error code to exit code; an error may still name another exit where the context decides. */
export const EXIT_BY_CODE: Record<ErrorCode, ExitCodeValue> = {
  USAGE: ExitCode.USAGE,
  CONFIG_INVALID: ExitCode.USAGE,
  CONFIG_NOT_FOUND: ExitCode.USAGE,
  BACKEND_UNSUPPORTED: ExitCode.USAGE,
  ZK_CLIENT_MISSING: ExitCode.UNREACHABLE,
  ZK_UNREACHABLE: ExitCode.UNREACHABLE,
  ZK_NO_AUTH: ExitCode.UNREACHABLE,
  ZK_ERROR: ExitCode.UNREACHABLE,
  CLUSTER_NOT_FOUND: ExitCode.UNREACHABLE,
  ROOT_NOT_FOUND: ExitCode.UNREACHABLE,
  REFUSED: ExitCode.REFUSED,
  LIVE_CLUSTER: ExitCode.REFUSED,
  PARTIAL_FAILURE: ExitCode.PARTIAL,
  NOT_FOUND: ExitCode.UNREACHABLE,
  STORAGE_UNREACHABLE: ExitCode.UNREACHABLE,
  K8S_UNREACHABLE: ExitCode.UNREACHABLE,
  K8S_FORBIDDEN: ExitCode.UNREACHABLE,
  K8S_UNAUTHORIZED: ExitCode.UNREACHABLE,
  K8S_CONFIG: ExitCode.USAGE,
  K8S_NAMESPACE_NOT_FOUND: ExitCode.UNREACHABLE,
  K8S_ERROR: ExitCode.UNREACHABLE,
  DEADLINE_EXCEEDED: ExitCode.UNREACHABLE,
  SNAPSHOT_INVALID: ExitCode.USAGE,
  STORAGE_NOT_FOUND: ExitCode.UNREACHABLE,
  STORAGE_FORBIDDEN: ExitCode.UNREACHABLE,
  STORAGE_UNSUPPORTED: ExitCode.USAGE,
  STORAGE_ERROR: ExitCode.UNREACHABLE,
  STORAGE_VERIFY_FAILED: ExitCode.UNREACHABLE,
  JRS_PATH_MISSING: ExitCode.USAGE,
  JRS_ENTRY_NOT_FOUND: ExitCode.UNREACHABLE,
  BACKUP_FAILED: ExitCode.USAGE,
  OUTPUT_FAILED: ExitCode.UNREACHABLE,
  INVALID_JOB_ID: ExitCode.USAGE,
  JOB_NOT_FOUND: ExitCode.UNREACHABLE,
  UNEXPECTED: ExitCode.UNEXPECTED,
}

/** An error as a value: what went wrong, which exit code it maps to, and what the user can do. */
export class HaadmError extends Error {
  readonly code: ErrorCode
  readonly exit: ExitCodeValue
  readonly hint?: string
  readonly details?: Record<string, unknown>

  constructor(
    code: ErrorCode,
    message: string,
    opts: {exit?: ExitCodeValue; hint?: string; details?: Record<string, unknown>; cause?: unknown} = {},
  ) {
    super(message, opts.cause === undefined ? undefined : {cause: opts.cause})
    this.name = 'HaadmError'
    this.code = code
    this.exit = opts.exit ?? EXIT_BY_CODE[code]
    this.hint = opts.hint
    this.details = opts.details
  }
}

export const usageError = (message: string, hint?: string, code: ErrorCode = 'USAGE') =>
  new HaadmError(code, message, {exit: ExitCode.USAGE, hint})
