-- jointinspect: take back a one-time key this client just consumed (replay guard), when
-- too few replicas acknowledged it. KEYS[1] the key; ARGV[1] the expires_at it was set to.
-- Deletes the key only if it still holds that value. Returns 1 if deleted, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
