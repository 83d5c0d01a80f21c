/**
 * The one port through which the service keeps dashboards and folders in Grafana. Two adapters
 * fill it: Grafana's legacy `/api` (grafana-legacy.ts) and its `/apis` resources (grafana-apis.ts);
 * grafana-client.ts picks one (GRAFANA_API, discovery). The dashboard JSON (dashboards.ts) and the
 * ownership rules (the step effects, reconcile) live above it and never see which API is underneath.
 */

/** A search or list never pages for ever, whatever the server answers: past this many pages it fails. */
export const MAX_LIST_PAGES = 1000

export interface DashboardRef {
  /** the legacy API's numeric id; `/apis` has none */
  id?: number
  uid: string
  url: string
  version: number
  folderUid?: string
  /**
   * the dashboard exists in a folder that is not the one asked for (a person moved it): it was
   * left there, unchanged (the General root is '')
   */
  leftInFolder?: string
}

/** How a save goes about it. */
export interface UpsertOptions {
  /**
   * The service's log knows no such dashboard: save with create-only semantics first, without the
   * read (legacy `overwrite: false`, `/apis` POST). Only when Grafana refuses it as existing does the
   * save go on as without this: read, leave a moved dashboard alone, overwrite.
   */
  readonly createFirst?: boolean
}

export interface FoundDashboard extends DashboardRef {
  model: Record<string, unknown>
}

export interface OwnDashboard {
  uid: string
  url: string
  folderUid?: string
  title: string
}

export interface GrafanaDashboards {
  /**
   * create if missing; "exists" is confirmed by a read; idempotent; remembered once confirmed.
   * A folder found under the uid with another title or a parent is someone else's: never adopted,
   * the call fails with a `conflict` naming what was found.
   */
  ensureFolder(uid: string, title: string): Promise<void>
  /** the folder turned out to be missing (deleted by hand): the next ensureFolder checks again */
  forgetFolder(uid: string): void
  /**
   * Create or update the dashboard under its fixed uid in `folderUid`, marked as `serviceId`'s
   * (tags in the JSON; labels and an annotation under `/apis`). An existing dashboard in another
   * folder is left alone (`leftInFolder`).
   */
  upsertDashboard(dashboard: Record<string, unknown>, folderUid: string, message: string, serviceId: string, options?: UpsertOptions): Promise<DashboardRef>
  getDashboard(uid: string): Promise<FoundDashboard | undefined>
  /** 'absent' on 404 */
  deleteDashboard(uid: string): Promise<'deleted' | 'absent'>
  /** dashboards marked as `serviceId`'s (tag or labels), checked again on this side; wherever they are */
  listOwn(serviceId: string): Promise<readonly OwnDashboard[]>
}

/** A folder as Grafana keeps it: its title and its parent's uid ('' at the root). */
export interface FolderFound {
  readonly title: string
  readonly parentUid: string
}

/**
 * What an adapter speaks: the port's dashboard calls, and folders as two plain calls on which the
 * client builds `ensureFolder` and its cache, the same for both APIs.
 */
export interface GrafanaAdapter extends Omit<GrafanaDashboards, 'ensureFolder' | 'forgetFolder'> {
  /** POST: the folder Grafana saved, or `exists` with the status of its "already exists" answer; any other answer throws */
  createFolder(uid: string, title: string, operation: string): Promise<{ readonly saved: FolderFound } | { readonly exists: number }>
  /** GET by uid; undefined when no folder has it */
  readFolder(uid: string, operation: string): Promise<FolderFound | undefined>
}

/** Which API an adapter speaks, for logs, /readyz and doctor, e.g. `apis (dashboard.grafana.app/v1, folder.grafana.app/v1, namespace default)`. */
export type GrafanaApiInUse =
  { readonly kind: 'legacy' } | { readonly kind: 'apis'; readonly dashboardVersion: string; readonly folderVersion: string; readonly namespace: string }

export const describeApi = (api: GrafanaApiInUse): string =>
  api.kind === 'legacy'
    ? 'legacy (/api)'
    : `apis (dashboard.grafana.app/${api.dashboardVersion}, folder.grafana.app/${api.folderVersion}, namespace ${api.namespace})`
