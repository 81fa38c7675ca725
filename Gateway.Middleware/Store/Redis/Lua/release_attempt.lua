-- ReleaseAttempt: the legacy app did not accept the attempt; lets go of the code it held. KEYS as attempt.lua's.
-- ARGV: [1] the attempt's token. Only while the hold is still that attempt's. Returns 1 when released, else 0.
if redis.call('HGET', KEYS[2], 'busy_by') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[2], 'busy', 'busy_by')
return 1
