-- BlockVerified: Redis Cluster only: a successful verification, counted for the mobile's block in the block's own slot
-- (conversion.lua's first half; the verify script itself remembers the mobile, in the mobile's slot).
-- KEYS: [1] the block's counters (a hash: sends, verified). ARGV: [1] the block's window (ms). Returns 1.
redis.call('HINCRBY', KEYS[1], 'verified', 1)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
