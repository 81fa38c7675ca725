-- Reserve: Redis Cluster only, for a counter that cannot share the mobile's hash slot (per IP, spend guard).
-- KEYS[1] counter. ARGV[1] cap, ARGV[2] window (ms). Counts one if below the cap.
-- Returns {1, 0} when counted, else {0, ms until the window frees}.
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then left = tonumber(ARGV[2]) end
  return {0, left}
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, 0}
