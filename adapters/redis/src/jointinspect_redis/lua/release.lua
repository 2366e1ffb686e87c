-- jointinspect: release a reservation (idempotent; unknown ids are ignored).
-- KEYS[1] sorted set, KEYS[2] hash (see reserve.lua); ARGV[1] reservation id.
-- Returns 1 if a reservation was removed, 0 otherwise.
local member = redis.call('HGET', KEYS[2], ARGV[1])
if not member then
  return 0
end
redis.call('ZREM', KEYS[1], member)
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
