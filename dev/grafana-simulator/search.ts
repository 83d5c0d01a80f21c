/**
 * `GET /api/search` as Grafana answers it.
 *
 * Filters combine with AND; repeated `tag` params must *all* be on a dashboard, repeated
 * `folderUIDs` / `dashboardUIDs` are alternatives. Hits come sorted by title and paged with
 * `limit` (default 1000, at most 5000) and `page` (from 1): a client that lists "everything with
 * tag X" must page, or it silently misses hits past the first thousand.
 */
import { reply, type Reply } from './reply.js'
import { folderUrl, slugify, type GrafanaStore } from './store.js'

const DEFAULT_LIMIT = 1000
const MAX_LIMIT = 5000

const positiveInt = (raw: string | null, fallback: number): number => {
  const value = raw === null ? Number.NaN : Number.parseInt(raw, 10)
  return Number.isInteger(value) && value > 0 ? value : fallback
}

export const search = (store: GrafanaStore, params: URLSearchParams): Reply => {
  const tags = params.getAll('tag')
  const folderUids = params.getAll('folderUIDs').flatMap((v) => v.split(','))
  const dashboardUids = params.getAll('dashboardUIDs').flatMap((v) => v.split(','))
  const type = params.get('type')
  const query = (params.get('query') ?? '').toLowerCase()
  const limit = Math.min(positiveInt(params.get('limit'), DEFAULT_LIMIT), MAX_LIMIT)
  const page = positiveInt(params.get('page'), 1)

  const folderHits =
    type === 'dash-db' || tags.length > 0 || folderUids.length > 0
      ? []
      : [...store.folders.values()].map((f) => ({
          id: f.id,
          uid: f.uid,
          title: f.title,
          uri: `db/${slugify(f.title)}`,
          url: folderUrl(f.uid, f.title),
          slug: slugify(f.title),
          type: 'dash-folder',
          tags: [] as string[],
          isStarred: false,
        }))
  const dashboardHits =
    type === 'dash-folder'
      ? []
      : [...store.dashboards.values()]
          .filter((d) => tags.every((tag) => d.tags.includes(tag)))
          .filter((d) => folderUids.length === 0 || folderUids.includes(d.folderUid ?? 'general'))
          .map((d) => {
            const folder = d.folderUid === undefined ? undefined : store.folders.get(d.folderUid)
            const hit = {
              id: d.id,
              uid: d.uid,
              title: d.title,
              uri: `db/${d.slug}`,
              url: d.url,
              slug: d.slug,
              type: 'dash-db',
              tags: [...d.tags],
              isStarred: false,
            }
            // Grafana leaves the folder fields out for dashboards in the root folder.
            return folder === undefined
              ? hit
              : { ...hit, folderId: folder.id, folderUid: folder.uid, folderTitle: folder.title, folderUrl: folderUrl(folder.uid, folder.title) }
          })
  const hits = [...folderHits, ...dashboardHits]
    .filter((h) => dashboardUids.length === 0 || dashboardUids.includes(h.uid))
    .filter((h) => query === '' || h.title.toLowerCase().includes(query))
    .sort((a, b) => a.title.localeCompare(b.title, 'en', { sensitivity: 'base' }))
  return reply(200, hits.slice((page - 1) * limit, page * limit))
}
