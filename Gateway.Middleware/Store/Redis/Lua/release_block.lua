-- ReleaseBlock: Redis Cluster only: takes back the send that reserve_block.lua counted, when that send did not go out
-- (the block refused it, the mobile's script refused it or failed, or the provider failed and the issue was revoked).
-- KEYS: [1] the block's counters, [2] its hour counter (as reserve_block.lua's). ARGV: [1] the cap per hour (0: the
-- hour was not counted), [2] the least conversion (0: the window was not counted). Returns 1.
if tonumber(ARGV[1]) > 0 and redis.call('EXISTS', KEYS[2]) == 1 and redis.call('DECR', KEYS[2]) <= 0 then
  redis.call('DEL', KEYS[2])
end
if tonumber(ARGV[2]) > 0 and redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HINCRBY', KEYS[1], 'sends', -1) <= 0 then
  redis.call('HDEL', KEYS[1], 'sends')
end
return 1
