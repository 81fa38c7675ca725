-- Verify: the gate's own verify endpoint counts the attempt and compares the code. KEYS and ARGV[1..4] as
-- attempt.lua's, then KEYS[5..6] as conversion.lua's; ARGV[5] the guess, [6] the block's window (ms, 0 = not
-- counted), [7] how long a mobile that verified is remembered (ms, 0 = not remembered).
-- A right guess deletes code and state; a wrong one counts as a failure for the day; no code writes nothing, so that
-- guesses at a mobile without a code cost its owner nothing. A code held by a legacy route's attempt refuses the guess
-- (Outcome.InFlight) uncounted. Returns {outcome, ms until the client may try again}.
local guess, window, remember = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])

local refused = Attempt.failuresSpent()
if refused then return refused end
if Attempt.isSpent() then return Attempt.spent() end
local held = Attempt.heldFor(nil)
if held > 0 then return {Outcome.InFlight, held} end
local stored = redis.call('GET', KEYS[1])
if not stored then return {Outcome.NoCode, 0} end
if Attempt.count(redis.call('PTTL', KEYS[1])) then return Attempt.spent() end
if stored == guess then
  redis.call('DEL', KEYS[1], KEYS[2])
  converted(window, remember)
  return {Outcome.Verified, 0}
end
Attempt.countFailure()
return {Outcome.Wrong, 0}
