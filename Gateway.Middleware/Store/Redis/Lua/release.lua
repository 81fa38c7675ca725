-- Release: takes back one count that the reserve script made. KEYS[1] counter. Returns 1.
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('DECR', KEYS[1]) <= 0 then
  redis.call('DEL', KEYS[1])
end
return 1
