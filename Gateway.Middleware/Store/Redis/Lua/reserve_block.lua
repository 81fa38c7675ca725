-- ReserveBlock: Redis Cluster only, where a number block's keys cannot share the mobile's hash slot: the block's half
-- of issue.lua's block rules, in the block's own slot, sent beside the mobile's issue script (which reads whether the
-- mobile is remembered, Feature.Remembered); the gateway combines the two answers (RedisBlockCounters).
-- KEYS: [1] the block's counters (a hash: sends, verified), [2] its hour counter, [3] its blocked key; a key whose rule
--   is off is passed as another of them and never touched, so that all share the block's slot.
-- ARGV: [1] the block's cap per hour (0 = off), [2] its window (ms), [3] the sends before the guard may block, [4] the
--   least conversion (0 = guard off), [5] how long a block stays blocked (ms), [6] the mode ('1' = shadow).
-- Blocks the block as issue.lua does. Counts one send (hour and window) unless the cap refuses it; in shadow mode
-- always. A blocked block is counted too: whether it refuses this send depends on the mobile being remembered, which
-- only the mobile's script can read, so the gateway takes the count back (release_block.lua) when the send does not go out.
-- Returns {1 when blocked, ms it stays blocked, 1 when at the cap, ms until the cap frees, 1 when counted,
--   1 when this call blocked the block, its sends, its verifications}.
local cap, window, minSends = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local minConversion, blockFor, shadow = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1'
local sends, verified = 0, 0
local blocked, blockedLeft, blockedNow, capped, capLeft, counted = 0, 0, 0, 0, 0, 0
if minConversion > 0 then
  local counts = redis.call('HMGET', KEYS[1], 'sends', 'verified')
  sends, verified = tonumber(counts[1] or '0'), tonumber(counts[2] or '0')
  blockedLeft = redis.call('PTTL', KEYS[3])
  if blockedLeft == -2 and sends >= minSends and verified < minConversion * sends then
    redis.call('HSET', KEYS[3], 'sends', sends, 'verified', verified)
    redis.call('PEXPIRE', KEYS[3], blockFor)
    blockedNow, blockedLeft = 1, blockFor
  end
  if blockedLeft ~= -2 then blocked = 1 end
  if blockedLeft < 0 then blockedLeft = blockFor end
end
if cap > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= cap then
  capped, capLeft = 1, redis.call('PTTL', KEYS[2])
  if capLeft < 0 then capLeft = 3600000 end
end
if capped == 0 or shadow then
  if cap > 0 and redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], 3600000) end
  if minConversion > 0 then
    sends = redis.call('HINCRBY', KEYS[1], 'sends', 1)
    if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], window) end
  end
  counted = 1
end
return {blocked, blockedLeft, capped, capLeft, counted, blockedNow, sends, verified}
