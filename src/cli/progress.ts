/**
 * A progress bar on stderr, so stdout stays clean for `--json` and pipes. It draws when stderr is
 * a terminal, or when `--progress` forces it (e.g. under `script` or in CI logs); otherwise it is
 * silent. Redraws are throttled, because a replay folds thousands of events per millisecond and
 * a terminal write per event would cost more than the fold.
 */
import type { Writer } from './io.js'

export interface Progress {
  /** `n` more units done */
  tick(n?: number): void
  /** the total grew (e.g. found after counting) */
  addTotal(n: number): void
  /** final redraw and newline; safe to call twice */
  done(): void
}

export interface ProgressOptions {
  readonly stream: Writer
  readonly label: string
  readonly total: number
  /** true: always draw; false: never; undefined: only on a TTY */
  readonly force?: boolean
  readonly width?: number
  readonly intervalMs?: number
  readonly nowMs?: () => number
}

const silent: Progress = { tick: () => undefined, addTotal: () => undefined, done: () => undefined }

/** `label [######----------] 37% 370/1000` — pure, for tests. */
export const renderBar = (label: string, current: number, total: number, width: number): string => {
  const ratio = total <= 0 ? 1 : Math.min(1, current / total)
  const filled = Math.round(ratio * width)
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${current}/${total}`
}

export const createProgress = (options: ProgressOptions): Progress => {
  const enabled = options.force ?? options.stream.isTTY === true
  if (!enabled) return silent
  const width = options.width ?? 30
  const intervalMs = options.intervalMs ?? 100
  const nowMs = options.nowMs ?? Date.now
  let current = 0
  let total = options.total
  let lastDraw = Number.NEGATIVE_INFINITY
  let finished = false
  let drawn = ''
  const draw = () => {
    lastDraw = nowMs()
    const bar = renderBar(options.label, current, total, width)
    if (bar !== drawn) options.stream.write(`\r${bar}`)
    drawn = bar
  }
  return {
    tick: (n = 1) => {
      current += n
      if (!finished && nowMs() - lastDraw >= intervalMs) draw()
    },
    addTotal: (n) => {
      total += n
    },
    done: () => {
      if (finished) return
      finished = true
      draw()
      options.stream.write('\n')
    },
  }
}
