import type {Target} from '../config/target.js'
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
    case 'kubernetes': {
      const {KubernetesBackend} = await import('./kubernetes.js')
      return KubernetesBackend.connect(target)
    }
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
