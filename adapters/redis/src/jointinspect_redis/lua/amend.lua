-- jointinspect: amend a reservation, atomically: the visit it counts moved or changed
-- (see jointinspect.ports.FrequencyLedger.amend and jointinspect.rules.frequency.evaluate).
--
-- Same keys, arguments and member format as reserve.lua. The stored member of the same id
-- (if any) is left out of every count; unless a blocking rule is exceeded it is replaced
-- by ARGV[2] (an unknown id is simply recorded). Both keys share the {enterprise} hash tag,
-- so this runs unchanged on Redis Cluster.
-- Returns {0|1, check, key, count, ...} as reserve.lua: 0 blocked (nothing changed),
-- 1 amended.

--#include rules.lua

local zkey, hkey = KEYS[1], KEYS[2]
local member = ARGV[2]
local at_s, departments, block, id =
  string.match(member, '^(-?%d+)\31[^\31]*\31[^\31]*\31([^\31]*)\31(\30[^\31]*)\31(.*)$')
if not at_s then
  return redis.error_reply('jointinspect: malformed visit')
end

local old = redis.call('HGET', hkey, id)
local now_s, lo_s, hi_s, trim_s, ttl_s, floor_s, spec =
  string.match(ARGV[1], '^(-?%d+)|(-?%d+)|(-?%d+)|(-?%d+)|(%d+)|(-?%d+)|(.*)$')
local result, later =
  check_rules(zkey, tonumber(at_s), tonumber(now_s), lo_s, hi_s, floor_s, spec, departments, block, old)
if result[1] == 0 then
  return result
end
record(zkey, hkey, id, at_s, member, old, trim_s, ttl_s, later)
return result
