/**
 * Temp files holding a simulator's kubeconfig, for code that wants a path (KUBECONFIG).
 *
 * Each file lives in its own fresh directory so parallel simulators never overwrite each other,
 * and the simulator removes them on stop() so a test run leaves nothing behind in /tmp.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface KubeconfigFiles {
  /** writes `text` to `<dir>/kube-sim-<random>/kubeconfig` and returns that path */
  write(text: string, dir?: string): Promise<string>
  removeAll(): Promise<void>
}

export const createKubeconfigFiles = (): KubeconfigFiles => {
  const dirs = new Set<string>()
  return {
    write: async (text, dir = tmpdir()) => {
      const own = await mkdtemp(join(dir, 'kube-sim-'))
      dirs.add(own)
      const path = join(own, 'kubeconfig')
      await writeFile(path, text, { mode: 0o600 })
      return path
    },
    removeAll: async () => {
      await Promise.all([...dirs].map((d) => rm(d, { recursive: true, force: true })))
      dirs.clear()
    },
  }
}
