/**
 * Codecs for the Grafana API answers the service reads.
 *
 * Each codec asks only for the fields the service uses and lets the rest through: Grafana adds
 * fields between versions, and a strict codec would turn an upgrade into an outage. What a codec
 * does require, the service cannot work without; its absence is a `fatal` client error.
 */
import * as t from 'io-ts'
import { PathReporter } from 'io-ts/lib/PathReporter.js'
import { isLeft, type Either, left, right } from 'fp-ts/lib/Either.js'

/** The usual error body (`{"message": ..., "status"?: ...}`); used only to make errors readable. */
export const GrafanaMessage = t.intersection([t.type({ message: t.string }), t.partial({ status: t.string })])
export type GrafanaMessage = t.TypeOf<typeof GrafanaMessage>

export const HealthResponse = t.intersection([t.type({ database: t.string }), t.partial({ version: t.string })])
export type HealthResponse = t.TypeOf<typeof HealthResponse>

export const FolderResponse = t.intersection([
  t.type({ uid: t.string, title: t.string }),
  t.partial({ id: t.number, url: t.string, version: t.number, parentUid: t.string }),
])
export type FolderResponse = t.TypeOf<typeof FolderResponse>

export const SaveDashboardResponse = t.intersection([
  t.type({ id: t.number, uid: t.string, url: t.string, status: t.string, version: t.number }),
  t.partial({ slug: t.string, folderUid: t.string }),
])
export type SaveDashboardResponse = t.TypeOf<typeof SaveDashboardResponse>

/** `POST /api/dashboards/uid/:uid/restore` answers like a save, minus the folder. */
export const RestoreDashboardResponse = t.type({ uid: t.string, version: t.number })
export type RestoreDashboardResponse = t.TypeOf<typeof RestoreDashboardResponse>

export const DashboardResponse = t.type({
  dashboard: t.intersection([t.UnknownRecord, t.type({ id: t.number, uid: t.string, version: t.number })]),
  meta: t.intersection([t.type({ url: t.string }), t.partial({ folderUid: t.string, folderTitle: t.string, slug: t.string })]),
})
export type DashboardResponse = t.TypeOf<typeof DashboardResponse>

/** Only the status code matters for a delete (bodies differ between versions), but it is JSON. */
export const DeleteDashboardResponse = t.intersection([t.UnknownRecord, t.partial({ title: t.string, message: t.string, id: t.number })])
export type DeleteDashboardResponse = t.TypeOf<typeof DeleteDashboardResponse>

export const SearchHit = t.intersection([
  t.type({ uid: t.string, title: t.string, url: t.string, type: t.string }),
  t.partial({ id: t.number, folderUid: t.string, folderTitle: t.string, tags: t.array(t.string) }),
])
export type SearchHit = t.TypeOf<typeof SearchHit>

export const SearchResponse = t.array(SearchHit)
export type SearchResponse = t.TypeOf<typeof SearchResponse>

/**
 * Parses and decodes a body; `Left` carries a readable reason (PathReporter's, shortened), never
 * the raw body, which could be large.
 */
export const decodeBody = <A>(codec: t.Decoder<unknown, A>, text: string): Either<string, A> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return left(`body is not JSON (${text.length} bytes)`)
  }
  const decoded = codec.decode(json)
  if (!isLeft(decoded)) return right(decoded.right)
  const reasons = PathReporter.report(decoded)
  const shown = reasons.slice(0, 3).map((r) => (r.length > 200 ? `${r.slice(0, 200)}…` : r))
  return left(`unexpected body: ${shown.join('; ')}${reasons.length > 3 ? ` (+${reasons.length - 3} more)` : ''}`)
}
