-- CountAttempt: a legacy verify route's attempt, before it goes on to the app. KEYS and ARGV[1..4] as attempt.lua's;
-- ARGV: [5] how long the attempt may hold the code (ms, 0 = no hold), [6] the attempt's token.
-- No code: nothing is written. A counted attempt holds the code: the state's busy field is a deadline on Redis's own
-- clock, busy_by the token, so that one attempt at a time reaches the app and a crashed gateway's hold lapses by
-- itself. A held code refuses the attempt (Outcome.InFlight) without counting it. The attempt counts as a failure of
-- the day at once; use_up.lua takes it back when the app accepts the code.
-- Returns {outcome, ms until the client may try again, the nonce of the code counted against ('' unless Counted)}.
local hold, token = tonumber(ARGV[5]), ARGV[6]
local function answer(result) return {result[1], result[2], ''} end

if Attempt.isSpent() then return answer(Attempt.spent()) end
local left = redis.call('PTTL', KEYS[1])
if left == -2 then return {Outcome.NoCode, 0, ''} end
local refused = Attempt.failuresSpent()
if refused then return answer(refused) end
local now = 0
if hold > 0 then
  now = Attempt.now()
  local held = Attempt.heldFor(now)
  if held > 0 then return {Outcome.InFlight, held, ''} end
end
if Attempt.count(left) then return answer(Attempt.spent()) end
if hold > 0 then redis.call('HSET', KEYS[2], 'busy', now + hold, 'busy_by', token) end
Attempt.countFailure()
return {Outcome.Counted, 0, redis.call('HGET', KEYS[2], 'nonce') or ''}
