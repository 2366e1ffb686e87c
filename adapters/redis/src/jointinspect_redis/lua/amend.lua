-- jointinspect: amend a reservation, atomically: the visit it counts moved or changed
-- (see jointinspect.ports.FrequencyLedger.amend and jointinspect.rules.frequency.evaluate).
--
-- Same keys, arguments and member format as reserve.lua. The stored member of the same id
-- (if any) is left out of every count; unless a blocking rule is exceeded it is replaced
-- by ARGV[2] (an unknown id is simply recorded). Both keys share the {enterprise} hash tag,
-- so this runs unchanged on Redis Cluster.
-- Returns {0|1, check, key, count, ...} as reserve.lua: 0 blocked (nothing changed),
-- 1 amended.

local zkey, hkey = KEYS[1], KEYS[2]
local member = ARGV[2]
local at_s, department, block, id =
  string.match(member, '^(-?%d+)\31[^\31]*\31[^\31]*\31([^\31]*)\31(\30[^\31]*)\31(.*)$')
if not at_s then
  return redis.error_reply('jointinspect: malformed visit')
end

local old = redis.call('HGET', hkey, id)

local now_s, lo_s, hi_s, trim_s, ttl_s, floor_s, spec =
  string.match(ARGV[1], '^(-?%d+)|(-?%d+)|(-?%d+)|(-?%d+)|(%d+)|(-?%d+)|(.*)$')
local at, now = tonumber(at_s), tonumber(now_s)

local result = {1}
local later = false
-- Live visits in the widest range any check looks at, in time order. With none, every
-- count is 1 and only a limit of 0 (floor: the lowest limit) can be exceeded.
local rows = {}
if spec ~= '' then
  rows = redis.call('ZRANGEBYSCORE', zkey, lo_s, hi_s)
end
if #rows > 0 or (spec ~= '' and tonumber(floor_s) < 1) then
  local checks = {}
  local need_dept, need_insp = false, false
  for code, limit, a, b, counted in
      string.gmatch(spec, '(%a%a%a)|(%d+)|(-?%d+)|(-?%d+)|([^;]*);') do
    local scope = string.sub(code, 2, 2)
    checks[#checks + 1] = {string.sub(code, 1, 1), tonumber(limit), scope, counted,
      string.sub(code, 3, 3), tonumber(a), tonumber(b)}
    if scope == 'd' then
      need_dept = true
    elseif scope == 'i' then
      need_insp = true
    end
  end
  local inspectors = {}
  if need_insp then
    for name in string.gmatch(block, '[^\30]+') do
      inspectors[#inspectors + 1] = name
    end
  end
  local n_checks = #checks
  local ts, ks, ds, ms = {}, {}, {}, {}
  local n = 0
  local pattern = '^(-?%d+)\31([^\31]*)\31([^\31]*)\31'
  if need_dept then
    pattern = '^(-?%d+)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31'
  end
  for r = 1, #rows do
    local m = rows[r]
    local t, head, kind, dept = string.match(m, pattern)
    -- expired pending reservations ("p<expires>") no longer count
    -- the reservation being amended does not count against itself
    if m ~= old and not (string.byte(head) == 112 and #head > 1 and tonumber(string.sub(head, 2)) <= now) then
      n = n + 1
      t = tonumber(t)
      ts[n], ks[n], ds[n], ms[n] = t, kind, dept, m
      if t > at then
        later = true
      end
    end
  end
  local blocked = false
  for c = 1, n_checks do
    local check = checks[c]
    local limit, scope, counted, kind_of_window, a, b =
      check[2], check[3], check[4], check[5], check[6], check[7]
    local all = counted == '*'
    local memo = {}
    local n_keys = 1
    if scope == 'i' then
      n_keys = #inspectors
    end
    for k = 1, n_keys do
      local needle = nil
      if scope == 'i' then
        needle = '\30' .. inspectors[k] .. '\30'
      end
      local lo, hi
      if kind_of_window == 'w' then
        lo, hi = at - a, at + a -- exclusive bounds
      else
        lo, hi = a - 1, b -- [a, b) as (a - 1, b) on integers
      end
      -- counted times, in order, with `at` inserted at its place
      local times, m_times, placed = {}, 0, false
      for i = 1, n do
        local t = ts[i]
        if t > lo and t < hi then
          local ok = all
          if not ok then
            local kind = ks[i]
            ok = memo[kind]
            if ok == nil then
              ok = string.find(counted, ',' .. kind .. ',', 1, true) ~= nil
              memo[kind] = ok
            end
          end
          if ok and scope == 'd' then
            ok = ds[i] == department
          elseif ok and needle then
            ok = string.find(ms[i], needle, 1, true) ~= nil
          end
          if ok then
            if not placed and t > at then
              m_times = m_times + 1
              times[m_times] = at
              placed = true
            end
            m_times = m_times + 1
            times[m_times] = t
          end
        end
      end
      if not placed then
        m_times = m_times + 1
        times[m_times] = at
      end
      local count = m_times
      -- only a count above the limit matters; it is at most m_times
      if kind_of_window == 'w' and m_times > limit then
        -- most visits in any half-open window [s, s + a) holding `at`; s runs over
        -- visits <= at
        count = 0
        local j = 1
        for i = 1, m_times do
          local start = times[i]
          if start > at then
            break
          end
          while j <= m_times and times[j] < start + a do
            j = j + 1
          end
          if j - i > count then
            count = j - i
          end
        end
      end
      if count > limit then
        result[#result + 1] = c - 1
        result[#result + 1] = k - 1
        result[#result + 1] = count
        if check[1] == 'b' then
          blocked = true
        end
      end
    end
  end
  if blocked then
    result[1] = 0
    return result
  end
end

if old then
  redis.call('ZREM', zkey, old)
end
redis.call('ZADD', zkey, at_s, member)
redis.call('HSET', hkey, id, member)

-- Trim visits older than the retention (bounded work per call; usually nothing).
local old = redis.call('ZRANGEBYSCORE', zkey, '-inf', '(' .. trim_s, 'LIMIT', 0, 100)
if #old > 0 then
  local ids = {}
  for i = 1, #old do
    ids[i] = string.match(old[i], '\31([^\31]*)$')
  end
  redis.call('ZREM', zkey, unpack(old))
  redis.call('HDEL', hkey, unpack(ids))
end

-- Keys live until the latest visit is older than the retention: the TTL only grows. A
-- later visit seen above already set a longer one; otherwise ask (PTTL is -1 on a new key).
if not later then
  if redis.call('PTTL', zkey) < tonumber(ttl_s) then
    redis.call('PEXPIRE', zkey, ttl_s)
    redis.call('PEXPIRE', hkey, ttl_s)
  end
end
return result
