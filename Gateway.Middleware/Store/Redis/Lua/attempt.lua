-- The parts of an attempt at a code, shared by count_attempt.lua and verify.lua (prepended to both by RedisScripts).
-- KEYS: [1] code, [2] code state (hash: nonce, attempts, spent, busy, busy_by), [3] send flag, [4] the mobile's daily
-- failures counter (the code's key when that cap is off).
-- ARGV, common to both: [1] attempts per code (0 = off), [2] failures per day (0 = off), [3] the day (ms), [4] the
-- code lifetime (ms, for a state that a code written by someone else lacks); each script's own arguments follow.
local maxAttempts, failureCap, day, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local Attempt = {}

-- Redis's own clock, in ms: a hold's deadline must not depend on a gateway's clock.
function Attempt.now()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- The code's attempts were spent: the answer carries the time until a new code may be sent.
function Attempt.isSpent() return redis.call('HGET', KEYS[2], 'spent') end
function Attempt.spent() return {Outcome.OverLimit, math.max(redis.call('PTTL', KEYS[3]), 0)} end

-- The day's failures: the refusal when they are spent, else nil.
function Attempt.failuresSpent()
  if failureCap > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= failureCap then
    local wait = redis.call('PTTL', KEYS[4])
    if wait < 0 then wait = day end
    return {Outcome.FailuresPerDay, wait}
  end
  return nil
end

function Attempt.countFailure()
  if failureCap > 0 and redis.call('INCR', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], day) end
end

-- How long another attempt still holds the code (0: not held). now is read from Redis when not given.
function Attempt.heldFor(now)
  local busy = redis.call('HGET', KEYS[2], 'busy')
  if not busy then return 0 end
  busy, now = tonumber(busy), now or Attempt.now()
  return busy > now and busy - now or 0
end

-- Counts the attempt against the code (left: the code's PTTL). Past the limit the code is deleted and its state
-- marked spent, so that later guesses at it are refused too; then returns true.
function Attempt.count(left)
  local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
  if redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], left > 0 and left or lifetime) end
  if maxAttempts > 0 and attempts > maxAttempts then
    redis.call('DEL', KEYS[1])
    redis.call('HDEL', KEYS[2], 'busy', 'busy_by')
    redis.call('HSET', KEYS[2], 'spent', '1')
    return true
  end
  return false
end
