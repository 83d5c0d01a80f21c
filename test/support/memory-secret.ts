import { KubeErrorException, type SecretClient } from '../../src/effects/kube/secret/kube-secret-client.js'

/** What the in-memory Secret holds: its resourceVersion, the key's text and the ownership key's. */
export interface MemorySecretState {
  readonly resourceVersion: string
  readonly value: string | undefined
  readonly owned: string | undefined
}

export interface MemorySecret {
  /** the port over this Secret; a test may swap one of its methods to inject a fault */
  readonly client: SecretClient
  readonly current: () => MemorySecretState
  /** another writer changes the Secret behind the client's back */
  readonly setBehindTheBack: (state: MemorySecretState) => void
  /** how many PUTs reached the Secret (conflicts included) */
  readonly replaces: () => number
}

export interface MemorySecretOptions {
  readonly owned?: string
  /** runs inside every PUT before it is checked (lets a test have other work interleave) */
  readonly duringReplace?: () => Promise<void>
}

/**
 * One Secret in memory behind the `SecretClient` port, with the apiserver's PUT rules: a stale
 * resourceVersion is a 409 conflict, each write bumps it, an ownership key not given is kept.
 */
export const memorySecret = (value?: string, options: MemorySecretOptions = {}): MemorySecret => {
  let state: MemorySecretState = { resourceVersion: '1', value, owned: options.owned }
  let replaces = 0
  const client: SecretClient = {
    read: () => Promise.resolve(state),
    replace: async (next, resourceVersion, owned) => {
      replaces += 1
      await options.duringReplace?.()
      if (resourceVersion !== state.resourceVersion) {
        throw new KubeErrorException({
          kind: 'conflict',
          status: 409,
          message: 'Operation cannot be fulfilled on secrets: the object has been modified; please apply your changes to the latest version and try again',
        })
      }
      state = {
        resourceVersion: String(Number(resourceVersion) + 1),
        value: typeof next === 'string' ? next : next.toString('utf8'),
        owned: owned ?? state.owned,
      }
      return state
    },
    readMetadata: () => Promise.resolve({ resourceVersion: state.resourceVersion }),
  }
  return {
    client,
    current: () => state,
    setBehindTheBack: (next) => {
      state = next
    },
    replaces: () => replaces,
  }
}
