-- jointinspect: consume a one-time key (replay guard).
-- KEYS[1] the key; ARGV[1] expires_at, ARGV[2] now (integer microseconds, the caller's
-- injected clock), ARGV[3] server-side TTL in milliseconds (garbage collection only).
-- Returns 1 the first time (or once the previous use has expired), 0 on replay.
local seen = redis.call('GET', KEYS[1])
if seen and tonumber(seen) > tonumber(ARGV[2]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
