-- Revoke: undo an issue whose SMS did not go out. KEYS as the issue script's, without the audit stream.
-- ARGV: [1] the nonce of the request that issued, [2] the features (without Feature.Audit), then the issue script's
-- arguments from its 6th on: the caps with Feature.Counters, the block's with Feature.Block. Only while the code state
-- still holds this request's nonce (no newer request issued since, whether or not the flag has expired): deletes
-- flag, code and state, and takes this request's count back from each counter that is on, the block's included.
-- Returns 1 when revoked, else 0.
if redis.call('HGET', KEYS[3], 'nonce') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
local features = tonumber(ARGV[2])
local nextKey, nextArg = 4, 3
local function takeBack(key)
  if redis.call('EXISTS', key) == 1 and redis.call('DECR', key) <= 0 then redis.call('DEL', key) end
end
if has(features, Feature.Counters) then
  for i = 0, 3 do
    if tonumber(ARGV[nextArg + i]) > 0 then takeBack(KEYS[nextKey + i]) end
  end
  nextKey, nextArg = nextKey + 4, nextArg + 4
end
if has(features, Feature.Block) then
  if tonumber(ARGV[nextArg]) > 0 then takeBack(KEYS[nextKey + 1]) end
  if tonumber(ARGV[nextArg + 3]) > 0 and redis.call('HINCRBY', KEYS[nextKey], 'sends', -1) <= 0 then
    redis.call('HDEL', KEYS[nextKey], 'sends')
  end
end
return 1
