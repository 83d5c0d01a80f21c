/**
 * The dashboard link Grafana itself would give (`/d/<uid>/<slug>`, under the sub-path Grafana is
 * served from), for the API that returns none (`/apis`). The public URL is then built from it by
 * the same rules as from a link Grafana returned (state/result-message.ts `publicUrl`).
 */

/** Grafana's slug for ASCII titles: lower-case words joined by dashes. */
export const slugify = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')

/** The path of GRAFANA_URL (`/grafana` when Grafana is served from a sub-path), no trailing slash. */
export const subPathOf = (baseUrl: string): string => new URL(baseUrl).pathname.replace(/\/+$/, '')

export const dashboardPath = (baseUrl: string, uid: string, title: string): string => `${subPathOf(baseUrl)}/d/${uid}/${slugify(title)}`
