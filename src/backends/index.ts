import type {Target} from '../config/target.js'
import {ExitCode, HaadmError} from '../errors.js'
import type {Backend} from './types.js'

/** Connects to the target's store; the client library is loaded only here, on demand. */
export async function openBackend(target: Target): Promise<Backend> {
  if (target.snapshot) {
    const {SnapshotBackend} = await import('./snapshot.js')
    return SnapshotBackend.open(target.snapshot.value, target)
  }
  switch (target.backend.value) {
    case 'zookeeper': {
      const {ZooKeeperBackend} = await import('./zookeeper.js')
      return ZooKeeperBackend.connect(target)
    }
    case 'kubernetes':
      throw new HaadmError('BACKEND_UNSUPPORTED', 'the Kubernetes backend is not available in this version of haadm', {
        exit: ExitCode.USAGE,
        hint: 'Use --backend zookeeper, or a haadm release with Kubernetes support.',
      })
  }
}

/** Opens the backend, runs `fn`, and always closes it, so no client keeps the process alive. */
export async function withBackend<T>(target: Target, fn: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await openBackend(target)
  try {
    return await fn(backend)
  } finally {
    await backend.close()
  }
}
