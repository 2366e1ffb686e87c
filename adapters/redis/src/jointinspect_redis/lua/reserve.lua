-- jointinspect: check-and-reserve, atomically (see jointinspect.rules.frequency.evaluate).
--
-- KEYS[1]  sorted set  reservation id -> visit instant (integer microseconds since the epoch)
-- KEYS[2]  hash        reservation id -> record JSON [state, expires_at, kind, department,
--                      [inspectors], at]; instants are strings of integer microseconds
-- KEYS[3]  optional    id -> enterprise pointer (single server only; never on a cluster)
-- ARGV     1 id, 2 record, 3 at, 4 now (the caller's injected clock, never the server's),
--          5 retention, 6 fetch_lo, 7 fetch_hi (inclusive), 8 trim bound ("(" .. now-retention),
--          9 department, 10 enterprise, 11 n inspectors, inspectors..., then the checks in one
--          string, each "action|limit|scope|,kind,kind,|type|a|b" and separated by ";":
--          action b(lock)|w(arn); scope e(nterprise)|d(epartment)|i(nspector); type
--          w (rolling window a) | b (bucket [a, b)), then the keys' TTL in ms
-- Returns  {2, record} if the id is already reserved (nothing changes);
--          {0|1, check, key, count, ...}: 0 blocked (nothing recorded), 1 recorded; each
--          triple is one exceeded rule (0-based check index, 0-based scope-key index, count).
--
-- Instants are integers below 2^53, exact in Lua's doubles; they go back to Redis only as
-- strings formatted with %.0f, never through Lua's %.14g number-to-string conversion.

local zkey, hkey = KEYS[1], KEYS[2]
local id = ARGV[1]

local existing = redis.call('HGET', hkey, id)
if existing then
  return {2, existing}
end

local at = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local retention = tonumber(ARGV[5])
local department = ARGV[9]
local n_insp = tonumber(ARGV[11])
local inspectors = {}
for i = 1, n_insp do
  inspectors[i] = ARGV[11 + i]
end
local checks = {}
for spec in string.gmatch(ARGV[12 + n_insp], '[^;]+') do
  local action, limit, scope, counted, kind, a, b =
    string.match(spec, '^(%a)|(%d+)|(%a)|([^|]*)|(%a)|(-?%d+)|(-?%d+)$')
  if not action then
    return redis.error_reply('jointinspect: malformed check ' .. spec)
  end
  checks[#checks + 1] = {action = action, limit = tonumber(limit), scope = scope,
    counted = counted, kind = kind, a = tonumber(a), b = tonumber(b)}
end
local n_checks = #checks

local later = false

-- Live visits in the widest range any check looks at, decoded once.
local others = {}
if n_checks > 0 then
  local rows = redis.call('ZRANGEBYSCORE', zkey, ARGV[6], ARGV[7], 'WITHSCORES')
  local ids, times = {}, {}
  for i = 1, #rows, 2 do
    ids[#ids + 1] = rows[i]
    times[#times + 1] = tonumber(rows[i + 1])
  end
  local chunk = 500
  for first = 1, #ids, chunk do
    local last = math.min(first + chunk - 1, #ids)
    local recs = redis.call('HMGET', hkey, unpack(ids, first, last))
    for j = 1, last - first + 1 do
      local raw = recs[j]
      if raw then
        local r = cjson.decode(raw)
        -- expired pending reservations no longer count
        local expired = r[1] == 'p' and r[2] ~= '' and tonumber(r[2]) <= now
        if not expired then
          local who = {}
          for _, name in ipairs(r[5]) do
            who[name] = true
          end
          others[#others + 1] = {t = times[first + j - 1], k = r[3], d = r[4], i = who}
          if times[first + j - 1] > at then
            later = true
          end
        end
      end
    end
  end
end

local result = {1}
local blocked = false
for c = 1, n_checks do
  local check = checks[c]
  local action, limit, scope = check.action, check.limit, check.scope
  local counted, kind_of_window, a, b = check.counted, check.kind, check.a, check.b
  local n_keys = 1
  if scope == 'i' then
    n_keys = n_insp
  end
  for k = 1, n_keys do
    local inspector = nil
    if scope == 'i' then
      inspector = inspectors[k]
    end
    local times = {}
    for _, o in ipairs(others) do
      if string.find(counted, ',' .. o.k .. ',', 1, true)
        and (scope ~= 'd' or o.d == department)
        and (inspector == nil or o.i[inspector]) then
        if kind_of_window == 'w' then
          if o.t > at - a and o.t < at + a then
            times[#times + 1] = o.t
          end
        elseif o.t >= a and o.t < b then
          times[#times + 1] = o.t
        end
      end
    end
    local count
    if kind_of_window == 'w' then
      -- most visits in any half-open window [s, s + a) holding `at`; s runs over visits <= at
      times[#times + 1] = at
      table.sort(times)
      count = 0
      local j = 1
      for i = 1, #times do
        local start = times[i]
        if start > at then
          break
        end
        while j <= #times and times[j] < start + a do
          j = j + 1
        end
        if j - i > count then
          count = j - i
        end
      end
    else
      count = 1 + #times
    end
    if count > limit then
      result[#result + 1] = c - 1
      result[#result + 1] = k - 1
      result[#result + 1] = count
      if action == 'b' then
        blocked = true
      end
    end
  end
end

if blocked then
  result[1] = 0
  return result
end

redis.call('HSET', hkey, id, ARGV[2])
redis.call('ZADD', zkey, ARGV[3], id)

-- Trim visits older than the retention (bounded work per call).
local old = redis.call('ZRANGEBYSCORE', zkey, '-inf', ARGV[8], 'LIMIT', 0, 200)
if #old > 0 then
  redis.call('HDEL', hkey, unpack(old))
  redis.call('ZREM', zkey, unpack(old))
end

-- Keys live until the latest visit is older than the retention. A later visit seen above
-- already set a longer TTL; otherwise this one may be the latest.
local ttl = ARGV[13 + n_insp]
if not later then
  redis.call('PEXPIRE', zkey, ttl)
  redis.call('PEXPIRE', hkey, ttl)
end
if KEYS[3] then
  redis.call('SET', KEYS[3], ARGV[10], 'PX', ttl)
end
return result
