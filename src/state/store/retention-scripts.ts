/**
 * Lua for the retention pass (see retention.ts). Like every script here, each touches the keys
 * of ONE service (one hash tag, one Cluster slot) or one index key, never both.
 */

/**
 * Trim the oldest events of one service, at most ARGV[3] of them per call: only events the stored
 * snapshot already includes (so load = snapshot + the events after it stays exact) and recorded
 * before ARGV[1] (ISO time). The inbox id of a trimmed RequestAccepted goes with it. A service
 * whose snapshot says deleted, with nothing pending or owed, unchanged since before ARGV[2], is
 * only reported (its keys go with DELETE_SERVICE, after its pending mark: see retention.ts).
 * Replies {outcome, count}: 0 nothing to do, 1 trimmed `count` events, 2 may be deleted at
 * version `count`.
 */
export const TRIM_SERVICE = {
  numberOfKeys: 4, // events, version, seen, snapshot
  lua: `
local text = redis.call('GET', KEYS[4])
if not text then return {0, 0} end
local ok, state = pcall(cjson.decode, text)
if not ok or type(state) ~= 'table' then return {0, 0} end
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local snapshotVersion = tonumber(state.version) or 0
local changed = state.lastChangeAt
if state.status == 'deleted' and snapshotVersion == current and type(changed) == 'string' and changed < ARGV[2]
  and type(state.pending) == 'table' and #state.pending == 0 and type(state.outstanding) == 'table' and #state.outstanding == 0 then
  return {2, current}
end
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[3]))
local last = nil
local count = 0
for _, entry in ipairs(entries) do
  local version = tonumber(string.match(entry[1], '-(%d+)$'))
  if version == nil or version > snapshotVersion then break end
  local decoded, event = pcall(cjson.decode, entry[2][2])
  if not decoded or type(event) ~= 'table' or type(event.at) ~= 'string' or event.at >= ARGV[1] then break end
  if event.type == 'RequestAccepted' and type(event.requestId) == 'string' then redis.call('HDEL', KEYS[3], event.requestId) end
  last = version
  count = count + 1
end
if last then redis.call('XTRIM', KEYS[1], 'MINID', '0-' .. (last + 1)) end
return {1, count}
`,
} as const

/**
 * Delete the keys of a deleted service, only if its stream is still at version ARGV[1] (nothing
 * accepted since TRIM_SERVICE found it deletable). Replies 1 deleted, 0 kept.
 */
export const DELETE_SERVICE = {
  numberOfKeys: 4, // events, version, seen, snapshot
  lua: `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
`,
} as const

/** Drop a service from an index unless it changed at or after ARGV[2] (ms): a new request re-added it. */
export const FORGET_IN_INDEX = {
  numberOfKeys: 1,
  lua: `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) < tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
`,
} as const
