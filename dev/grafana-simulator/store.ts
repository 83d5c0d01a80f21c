/**
 * In-memory state of the Grafana simulator: folders and dashboards.
 *
 * Grafana keeps folders and dashboards in one table, so both draw their numeric ids from one
 * counter; a dashboard keeps its id for as long as its uid exists, across overwrites. The store
 * knows nothing about HTTP: the handlers in `dashboards.ts` / `folders.ts` turn its records into
 * Grafana's response bodies.
 */

export interface FolderRecord {
  readonly uid: string
  readonly title: string
  readonly id: number
  readonly version: number
  readonly created: string
  /** nested folders (Grafana 10+): undefined = a root folder */
  readonly parentUid?: string | undefined
  /** `/apis` optimistic concurrency: changes on every write, through either API */
  readonly resourceVersion?: string
}

export interface DashboardRecord {
  readonly uid: string
  readonly id: number
  readonly title: string
  /** undefined = the "General" root */
  readonly folderUid: string | undefined
  readonly tags: readonly string[]
  readonly version: number
  readonly slug: string
  readonly url: string
  readonly model: Readonly<Record<string, unknown>>
  readonly created: string
  readonly updated: string
  /** `/apis` metadata (the legacy API neither shows nor drops them) */
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
  /** `/apis` optimistic concurrency: changes on every write, through either API */
  readonly resourceVersion?: string
}

export interface GrafanaStore {
  nextId(): number
  /** a new `resourceVersion`, increasing across the store as etcd's revision does */
  nextResourceVersion(): string
  /** a fresh uid for objects posted without one, as Grafana generates them */
  newUid(): string
  readonly folders: Map<string, FolderRecord>
  readonly dashboards: Map<string, DashboardRecord>
  /** every saved version of each dashboard, oldest first (for restore) */
  readonly versions: Map<string, readonly DashboardRecord[]>
}

export const createGrafanaStore = (): GrafanaStore => {
  let lastId = 0
  let lastUid = 0
  let revision = 0
  return {
    nextId: () => (lastId += 1),
    nextResourceVersion: () => String((revision += 1)),
    newUid: () => `sim${(lastUid += 1).toString(36).padStart(6, '0')}`,
    folders: new Map(),
    dashboards: new Map(),
    versions: new Map(),
  }
}

/** Grafana's slug: lower-case words joined by dashes (close enough to its `slugify` for ASCII titles). */
export const slugify = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')

export const folderUrl = (uid: string, title: string): string => `/dashboards/f/${uid}/${slugify(title)}`

export const dashboardUrl = (uid: string, title: string): string => `/d/${uid}/${slugify(title)}`

/** Grafana's uid rule (`util.IsValidShortUID` + the 40-character limit). */
export const uidProblem = (uid: string): string | undefined => {
  if (uid.length > 40) return 'uid too long, max 40 characters'
  if (!/^[a-zA-Z0-9\-_]*$/.test(uid)) return 'uid contains illegal characters'
  return undefined
}
