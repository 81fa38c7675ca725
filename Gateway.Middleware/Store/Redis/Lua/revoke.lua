-- Revoke: undo an issue whose SMS did not go out. KEYS as the issue script's, without the audit stream.
-- ARGV: [1] the nonce of the request that issued, [2] the features (Feature.Counters only), then [3..6] the caps of
-- KEYS[4..7] with Feature.Counters. Only while the code state still holds this request's nonce (no newer request
-- issued since, whether or not the flag has expired): deletes flag, code and state, and takes this request's count
-- back from each counter that is on. Returns 1 when revoked, else 0.
if redis.call('HGET', KEYS[3], 'nonce') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
if has(tonumber(ARGV[2]), Feature.Counters) then
  for i = 1, 4 do
    local key = KEYS[i + 3]
    if tonumber(ARGV[i + 2]) > 0 and redis.call('EXISTS', key) == 1 and redis.call('DECR', key) <= 0 then
      redis.call('DEL', key)
    end
  end
end
return 1
