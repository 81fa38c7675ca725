-- UseUp: the legacy app accepted a code. KEYS as attempt.lua's, then KEYS[5..6] as conversion.lua's. ARGV: [1] the
-- nonce the attempt was counted against, [2] failures per day (0 = off), [3] the block's window (ms, 0 = not counted),
-- [4] how long a mobile that verified is remembered (ms, 0 = not remembered). Deletes code and state while they are
-- still that code's, takes the attempt back from the day's failures, and counts the verification. Returns 1.
if (redis.call('HGET', KEYS[2], 'nonce') or '') == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) end
if tonumber(ARGV[2]) > 0 and redis.call('EXISTS', KEYS[4]) == 1 and redis.call('DECR', KEYS[4]) <= 0 then
  redis.call('DEL', KEYS[4])
end
converted(tonumber(ARGV[3]), tonumber(ARGV[4]))
return 1
