import {Flags} from '@oclif/core'

/** Flags shared by `plans` and `checkpoints`. */
export const stateHandleFlags = {
  job: Flags.string({
    summary: 'Only this job (32 hex characters); repeat the flag or separate ids with commas.',
    multiple: true,
  }),
  'verify-storage': Flags.boolean({
    summary: 'Check that each pointed file exists in the storageDir with the recorded size, and list orphan files (with --snapshot: the files as they are now).',
  }),
  deep: Flags.boolean({
    summary: 'Also decode each pointed file (implies --verify-storage).',
  }),
}

export const STORAGE_HELP = `--verify-storage checks every pointed file: ok (exists with the size the pointer records), missing, size-mismatch, unreachable (the storageDir itself cannot be reached), error (I/O error), or not-checked. Local files (plain paths, file: URIs) and S3 (s3://, s3a://, s3p://; --s3-endpoint, --s3-path-style, --s3-region, HAADM_S3_ACCESS_KEY/HAADM_S3_SECRET_KEY or the AWS chain) are checked; other schemes (hdfs://, gs://, ...) are reported per entry as "not checked: scheme ... not supported yet". Files in <storageDir>/<cluster-id> named as Flink names them (<prefix> + 12 hex characters) that no entry of the cluster points to are listed as orphans. The storageDir comes from --storage-dir, HAADM_STORAGE_DIR or high-availability.storageDir. --deep also reads and decodes each file, best effort; an unknown class or field is reported, never fatal.`
