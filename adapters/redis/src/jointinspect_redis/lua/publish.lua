-- jointinspect: add a notification to a stream once per idempotency key.
-- KEYS[1] the stream, KEYS[2] the "sent" marker of this key (same hash tag as the stream).
-- ARGV[1] marker TTL in ms, ARGV[2] approximate max stream length, then field/value pairs.
-- Returns the new entry id, or false if this key was already published.
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then
  return false
end
local args = {'XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*'}
for i = 3, #ARGV do
  args[#args + 1] = ARGV[i]
end
return redis.call(unpack(args))
