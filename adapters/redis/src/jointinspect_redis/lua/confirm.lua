-- jointinspect: confirm a pending reservation (idempotent; unknown ids are ignored).
-- KEYS[1] sorted set, KEYS[2] hash (see reserve.lua); ARGV[1] reservation id.
-- Returns 1 if the reservation exists (now confirmed), 0 otherwise.
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then
  return 0
end
local r = cjson.decode(raw)
if r[1] ~= 'c' then
  r[1] = 'c'
  r[2] = ''
  redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(r))
end
return 1
