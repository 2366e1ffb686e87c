-- jointinspect: the rule evaluation and the write shared by reserve.lua and amend.lua,
-- spliced into both where they say "--#include rules.lua" (jointinspect_redis._common
-- .lua_source), so the two scripts cannot drift apart. Reference semantics:
-- jointinspect.rules.frequency.evaluate.
--
-- A member is "<at>\31<state><expires>\31<kind>\31<departments>\31\30<insp>\30\31<id>":
-- at the score again (so no WITHSCORES: formatting scores costs more than parsing them),
-- state c|p, expires the pending expiry (integer microseconds, empty if none);
-- departments the lead alone for a visit of one department, else
-- "<lead>\30<d1>\30<d2>\30" with every department (the lead included) in sorted order;
-- the inspector block is "\30" alone when there are none, else "\30a\30b\30". \30 and
-- \31 never occur in values.
--
-- Instants are integers below 2^53, exact in Lua's doubles; they go back to Redis only as
-- the caller's strings, never through Lua's %.14g number-to-string conversion.

-- "\30d\30" for every department of a member's department field (the lead may repeat).
local function department_block(field)
  if string.find(field, '\30', 1, true) then
    return '\30' .. field
  end
  return '\30' .. field .. '\30'
end

-- The exceeded rules of the visit at `at` (departments field `departments`, inspector
-- block `block`) over the live visits of zkey in [lo_s, hi_s], leaving out the member
-- `skip` (the reservation being amended; nil when reserving). `head` is ARGV[1]'s
-- "now|lo|hi|trim|ttl|floor|checks" (see reserve.lua). Returns the reply {0|1, check,
-- key, count, ...} (0: a blocking rule is exceeded) and whether a later visit exists.
local function check_rules(zkey, at, now, lo_s, hi_s, floor_s, spec, departments, block, skip)
  local result = {1}
  local later = false
  -- Live visits in the widest range any check looks at, in time order. With none, every
  -- count is 1 and only a limit of 0 (floor: the lowest limit) can be exceeded.
  local rows = {}
  if spec ~= '' then
    rows = redis.call('ZRANGEBYSCORE', zkey, lo_s, hi_s)
  end
  if #rows == 0 and not (spec ~= '' and tonumber(floor_s) < 1) then
    return result, later
  end
  local checks = {}
  local need_dept, need_insp = false, false
  for code, limit, a, b, counted in string.gmatch(spec, '(%a%a%a)|(%d+)|(-?%d+)|(-?%d+)|([^;]*);') do
    local scope = string.sub(code, 2, 2)
    checks[#checks + 1] = {string.sub(code, 1, 1), tonumber(limit), scope, counted,
      string.sub(code, 3, 3), tonumber(a), tonumber(b)}
    if scope == 'd' then
      need_dept = true
    elseif scope == 'i' then
      need_insp = true
    end
  end
  -- the new visit's departments and inspectors: one scope key each, in sorted order
  local depts, inspectors = {}, {}
  if need_dept then
    local sep = string.find(departments, '\30', 1, true)
    if sep then
      for name in string.gmatch(string.sub(departments, sep + 1), '[^\30]+') do
        depts[#depts + 1] = name
      end
    else
      depts[1] = departments
    end
  end
  if need_insp then
    for name in string.gmatch(block, '[^\30]+') do
      inspectors[#inspectors + 1] = name
    end
  end
  local ts, ks, ds, ms = {}, {}, {}, {}
  local n = 0
  local pattern = '^(-?%d+)\31([^\31]*)\31([^\31]*)\31'
  if need_dept then
    pattern = '^(-?%d+)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31'
  end
  for r = 1, #rows do
    local m = rows[r]
    local t, head, kind, dept = string.match(m, pattern)
    -- expired pending reservations ("p<expires>") no longer count, nor does `skip`
    if m ~= skip and not (string.byte(head) == 112 and #head > 1 and tonumber(string.sub(head, 2)) <= now) then
      n = n + 1
      t = tonumber(t)
      ts[n], ks[n], ms[n] = t, kind, m
      if need_dept then
        ds[n] = department_block(dept)
      end
      if t > at then
        later = true
      end
    end
  end
  local blocked = false
  for c = 1, #checks do
    local check = checks[c]
    local limit, scope, counted, kind_of_window, a, b =
      check[2], check[3], check[4], check[5], check[6], check[7]
    local all = counted == '*'
    local memo = {}
    local n_keys = 1
    if scope == 'i' then
      n_keys = #inspectors
    elseif scope == 'd' then
      n_keys = #depts
    end
    for k = 1, n_keys do
      local needle, within = nil, nil
      if scope == 'i' then
        needle, within = '\30' .. inspectors[k] .. '\30', ms
      elseif scope == 'd' then
        needle, within = '\30' .. depts[k] .. '\30', ds
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
          if ok and needle then
            ok = string.find(within[i], needle, 1, true) ~= nil
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
  end
  return result, later
end

-- Record `member` (replacing `old`, the id's previous member, if any), trim visits older
-- than the retention and keep the keys alive until the latest visit is that old.
local function record(zkey, hkey, id, at_s, member, old, trim_s, ttl_s, later)
  if old and old ~= member then
    redis.call('ZREM', zkey, old)
  end
  redis.call('ZADD', zkey, at_s, member)
  redis.call('HSET', hkey, id, member)
  -- Trim visits older than the retention (bounded work per call; usually nothing).
  local stale = redis.call('ZRANGEBYSCORE', zkey, '-inf', '(' .. trim_s, 'LIMIT', 0, 100)
  if #stale > 0 then
    local ids = {}
    for i = 1, #stale do
      ids[i] = string.match(stale[i], '\31([^\31]*)$')
    end
    redis.call('ZREM', zkey, unpack(stale))
    redis.call('HDEL', hkey, unpack(ids))
  end
  -- The TTL only grows. A later visit seen above already set a longer one; otherwise ask
  -- (PTTL is -1 on a new key).
  if not later then
    if redis.call('PTTL', zkey) < tonumber(ttl_s) then
      redis.call('PEXPIRE', zkey, ttl_s)
      redis.call('PEXPIRE', hkey, ttl_s)
    end
  end
end
