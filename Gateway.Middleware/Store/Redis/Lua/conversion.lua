-- A verification succeeded (prepended to verify.lua and use_up.lua by RedisScripts): counts it for the mobile's block
-- and remembers the mobile, so that the conversion guard never refuses it.
-- KEYS: [5] the block's counters (a hash: sends, verified), [6] the mobile's remembered key; either is the code's key
-- when its part is off (never touched then).
local function converted(window, remember)
  if window > 0 then
    redis.call('HINCRBY', KEYS[5], 'verified', 1)
    if redis.call('PTTL', KEYS[5]) < 0 then redis.call('PEXPIRE', KEYS[5], window) end
  end
  if remember > 0 then redis.call('SET', KEYS[6], '1', 'PX', remember) end
end
