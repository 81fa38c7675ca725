-- UseUp: the legacy app accepted a code. KEYS as attempt.lua's. ARGV: [1] the nonce the attempt was counted against,
-- [2] failures per day (0 = off). Deletes code and state while they are still that code's, and takes the attempt back
-- from the day's failures. Returns 1.
if (redis.call('HGET', KEYS[2], 'nonce') or '') == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) end
if tonumber(ARGV[2]) > 0 and redis.call('EXISTS', KEYS[4]) == 1 and redis.call('DECR', KEYS[4]) <= 0 then
  redis.call('DEL', KEYS[4])
end
return 1
