import type {Target} from '../config/target.js'
import {usageError} from '../errors.js'

/** A snapshot can show what a command would change (--dry-run), never change it: exit 2 before any work. */
export function refuseSnapshotChange(target: Target, dryRun: boolean | undefined): void {
  if (target.snapshot && !dryRun)
    throw usageError(`${target.snapshot.value} is a snapshot, which is read-only: it can show the plan (--dry-run) but not change anything`, 'Run against the live store, or add --dry-run.')
}
