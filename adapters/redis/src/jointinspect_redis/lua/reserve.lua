-- jointinspect: check-and-reserve, atomically (see jointinspect.rules.frequency.evaluate).
--
-- KEYS[1]  sorted set  one member per visit, score = its instant (integer microseconds)
-- KEYS[2]  hash        reservation id -> its member in KEYS[1]
-- The member format is described in rules.lua.
-- ARGV[1] "now|fetch_lo|fetch_hi|trim|ttl|floor|checks": now the caller's injected clock
--          (never the server's), fetch_lo..fetch_hi (inclusive) the widest range any check
--          looks at, trim = now - retention, ttl the keys' TTL in ms, floor the lowest
--          limit; checks "<a><s><t>|limit|x|y|counted;" each: a action b(lock)|w(arn),
--          s scope e(nterprise)|d(epartment)|i(nspector), t w (rolling window of length
--          x) | b (bucket [x, y)), counted ",kind,kind," or "*" (every kind).
-- ARGV[2] the new visit's member.
-- (Two arguments, not twenty: the client encodes each argument in Python, slowly.)
-- Returns  {2, member} if the id is already reserved (nothing changes);
--          {0|1, check, key, count, ...}: 0 blocked (nothing recorded), 1 recorded; each
--          triple is one exceeded rule (0-based check index, 0-based scope-key index, count).

--#include rules.lua

local zkey, hkey = KEYS[1], KEYS[2]
local member = ARGV[2]
local at_s, departments, block, id =
  string.match(member, '^(-?%d+)\31[^\31]*\31[^\31]*\31([^\31]*)\31(\30[^\31]*)\31(.*)$')
if not at_s then
  return redis.error_reply('jointinspect: malformed visit')
end

local existing = redis.call('HGET', hkey, id)
if existing then
  -- Rewrite the same value: a write is replicated, so a WAIT after this retry also covers
  -- the first call's write, whichever connection that call used.
  redis.call('HSET', hkey, id, existing)
  return {2, existing}
end

local now_s, lo_s, hi_s, trim_s, ttl_s, floor_s, spec =
  string.match(ARGV[1], '^(-?%d+)|(-?%d+)|(-?%d+)|(-?%d+)|(%d+)|(-?%d+)|(.*)$')
local result, later =
  check_rules(zkey, tonumber(at_s), tonumber(now_s), lo_s, hi_s, floor_s, spec, departments, block, nil)
if result[1] == 0 then
  return result
end
record(zkey, hkey, id, at_s, member, nil, trim_s, ttl_s, later)
return result
