-- jointinspect: confirm a pending reservation (idempotent; unknown ids are ignored).
-- KEYS[1] sorted set, KEYS[2] hash (see reserve.lua); ARGV[1] reservation id.
-- Returns 1 if the reservation exists (now confirmed), 0 otherwise.
local member = redis.call('HGET', KEYS[2], ARGV[1])
if not member then
  return 0
end
local at, state, rest = string.match(member, '^(-?%d+\31)(.)%-?%d*(\31.*)$')
if state == 'p' then -- "<at>\31p<expires>\31..." becomes "<at>\31c\31..."
  local confirmed = at .. 'c' .. rest
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZADD', KEYS[1], string.sub(at, 1, -2), confirmed)
  redis.call('HSET', KEYS[2], ARGV[1], confirmed)
else -- already confirmed: rewrite it, so a WAIT after a retry covers the first confirmation
  redis.call('HSET', KEYS[2], ARGV[1], member)
end
return 1
