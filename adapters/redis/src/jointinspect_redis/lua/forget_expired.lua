-- jointinspect: forget a one-time key whose use has expired (replay-guard pruning).
-- KEYS[1] the key; ARGV[1] the cutoff (integer microseconds). Returns 1 when deleted.
local seen = redis.call('GET', KEYS[1])
if seen and tonumber(seen) <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
