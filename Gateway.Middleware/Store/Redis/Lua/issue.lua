-- Issue: check and set the send flag, store the code, count the caps, all or nothing.
-- KEYS: [1] send flag, [2] code, [3] code state (hash: the nonce of the request that issued the code), then
--   [4..7] the hour, day, IP and spend counters when Feature.Counters is on (a counter whose cap is off is passed as
--   the flag's key and never touched, so that every key shares the flag's hash slot), then the audit stream when
--   Feature.Audit is on; before it, with Feature.Block, the block's counters (a hash: sends, verified), its hour
--   counter, its blocked key and the mobile's remembered key.
-- ARGV: [1] code, [2] send interval (ms), [3] code lifetime (ms), [4] the request's nonce, [5] the features (bits of
--   Feature), then [6..9] the caps of the four counters (0 = off) with Feature.Counters, then the audit stream's cap,
--   the policy and the masked mobile with Feature.Audit; before those, with Feature.Block: the block's cap per hour
--   (0 = off), its window (ms), the sends before the guard may block, the least conversion (0 = guard off), how long a
--   block stays blocked (ms) and the mode ('1' = shadow). Features that are off pass neither keys nor arguments.
-- Returns {Refusal.None, 0} when issued, else {refusal, ms until the binding limit frees}; under the flag, a request
-- whose Idempotency-Key (after '|' in the nonce) is the stored code's gets {Refusal.Repeat, ms left, first nonce}.
-- A refused request counts nowhere, an issued one everywhere: each counter is counted at once (INCR) and every count
-- taken back if one is over its cap. A counter that cannot be counted takes back the counts before it and ends the
-- script with that error, before any write. A flag or counter without expiry counts for a whole window.
-- Blocks (checked only when the flag is absent, before any count): a block with at least minSends sends in its window
-- and fewer verifications than minConversion of them is blocked for blockFor; while blocked, a mobile that is not
-- remembered is refused (Refusal.Block); over the block's cap per hour, Refusal.BlockHour. In shadow mode neither
-- refuses: the refusal it would have been is answered as the 4th value. With Feature.Block the answer is
-- {refusal, ms, first nonce or '', shadow refusal, 1 when this request blocked the block, its sends, its verifications}.
-- Feature.Remembered (Redis Cluster, where the block is checked by reserve_block.lua in its own slot): the mobile's
-- remembered key follows the block's place in KEYS, and the answer is {refusal, ms, first nonce or '', 1 when the
-- mobile is remembered}, for the gateway to decide whether a blocked block refuses it.
local features = tonumber(ARGV[5])
local counting = has(features, Feature.Counters)
local auditing = has(features, Feature.Audit)
local windows = {3600000, 86400000, 3600000, 60000}
local nextKey, nextArg = 4, 6
local caps = {}
if counting then
  for i = 1, 4 do caps[i] = tonumber(ARGV[nextArg + i - 1]) end
  nextKey, nextArg = nextKey + 4, nextArg + 4
end
local block
if has(features, Feature.Block) then
  block = {
    counter = KEYS[nextKey], hour = KEYS[nextKey + 1], blocked = KEYS[nextKey + 2], remembered = KEYS[nextKey + 3],
    cap = tonumber(ARGV[nextArg]), window = tonumber(ARGV[nextArg + 1]), minSends = tonumber(ARGV[nextArg + 2]),
    minConversion = tonumber(ARGV[nextArg + 3]), blockFor = tonumber(ARGV[nextArg + 4]), shadow = ARGV[nextArg + 5] == '1',
  }
  nextKey, nextArg = nextKey + 4, nextArg + 6
end
local remembered
if has(features, Feature.Remembered) then
  remembered = KEYS[nextKey]
  nextKey = nextKey + 1
end
local audit
if auditing then
  audit = { stream = KEYS[nextKey], cap = ARGV[nextArg], policy = ARGV[nextArg + 1], mobile = ARGV[nextArg + 2] }
end

local reason, wait = Refusal.None, 0
local shadow, blockedNow, sends, verified = Refusal.None, 0, 0, 0
local function answer(r, left, nonce)
  if block then return {r, left, nonce or '', shadow, blockedNow, sends, verified} end
  if remembered then return {r, left, nonce or '', redis.call('EXISTS', remembered)} end
  if nonce then return {r, left, nonce} end
  return {r, left}
end
local function refuse(r, left, window)
  if left < 0 then left = window end
  if left > wait then reason, wait = r, left end
end
local function record(outcome)
  if audit then
    redis.call('XADD', audit.stream, 'MAXLEN', '~', audit.cap, '*', 'policy', audit.policy, 'mobile', audit.mobile, 'outcome', outcome)
  end
end
local function idempotencyKey(nonce)
  local bar = string.find(nonce, '|', 1, true)
  return bar and string.sub(nonce, bar) or nil
end
-- The block's refusal (reads, and the blocked key when this request blocks it), or Refusal.None.
local function checkBlock()
  local counts = redis.call('HMGET', block.counter, 'sends', 'verified')
  sends, verified = tonumber(counts[1] or '0'), tonumber(counts[2] or '0')
  local refusal, left = Refusal.None, 0
  if block.minConversion > 0 then
    left = redis.call('PTTL', block.blocked)
    if left == -2 and sends >= block.minSends and verified < block.minConversion * sends then
      redis.call('HSET', block.blocked, 'sends', sends, 'verified', verified)
      redis.call('PEXPIRE', block.blocked, block.blockFor)
      blockedNow, left = 1, block.blockFor
    end
    if left ~= -2 and redis.call('EXISTS', block.remembered) == 0 then
      refusal = Refusal.Block
      if left < 0 then left = block.blockFor end
    end
  end
  if refusal == Refusal.None and block.cap > 0 and tonumber(redis.call('GET', block.hour) or '0') >= block.cap then
    refusal, left = Refusal.BlockHour, redis.call('PTTL', block.hour)
    if left < 0 then left = windows[1] end
  end
  if refusal ~= Refusal.None and block.shadow then shadow, refusal = refusal, Refusal.None end
  return refusal, left
end
local function countBlock()
  if block.cap > 0 and redis.call('INCR', block.hour) == 1 then redis.call('PEXPIRE', block.hour, windows[1]) end
  if block.minConversion > 0 then
    sends = redis.call('HINCRBY', block.counter, 'sends', 1)
    if redis.call('PTTL', block.counter) < 0 then redis.call('PEXPIRE', block.counter, block.window) end
  end
end
local outcomes = {[Refusal.Interval] = 'interval', [Refusal.Hour] = 'hour', [Refusal.Day] = 'day', [Refusal.Ip] = 'ip',
  [Refusal.Spend] = 'spend', [Refusal.Block] = 'block', [Refusal.BlockHour] = 'block_hour'}
-- The counters' refusals, in KEYS order.
local counterRefusals = {Refusal.Hour, Refusal.Day, Refusal.Ip, Refusal.Spend}
local function takeBack(key, count)
  if count == 1 then redis.call('DEL', key) else redis.call('DECR', key) end
end

local flag = redis.call('PTTL', KEYS[1])
if flag ~= -2 then
  local key = idempotencyKey(ARGV[4])
  local first = key and redis.call('HGET', KEYS[3], 'nonce') or ''
  if key and idempotencyKey(first) == key then
    record('repeat')
    return answer(Refusal.Repeat, flag, first)
  end
  refuse(Refusal.Interval, flag, tonumber(ARGV[2]))
  if counting then
    local counts = redis.call('MGET', KEYS[4], KEYS[5], KEYS[6], KEYS[7])
    for i = 1, 4 do
      if caps[i] > 0 and tonumber(counts[i] or '0') >= caps[i] then
        refuse(counterRefusals[i], redis.call('PTTL', KEYS[i + 3]), windows[i])
      end
    end
  end
else
  if block then
    local refusal, left = checkBlock()
    if refusal ~= Refusal.None then
      record('refused:' .. outcomes[refusal])
      return answer(refusal, left)
    end
  end
  if counting then
    local counted = {}
    for i = 1, 4 do
      if caps[i] > 0 then
        local count = redis.pcall('INCR', KEYS[i + 3])
        if type(count) == 'table' then
          for _, c in ipairs(counted) do takeBack(KEYS[c[1] + 3], c[2]) end
          return count
        end
        counted[#counted + 1] = {i, count}
        if count > caps[i] then refuse(counterRefusals[i], redis.call('PTTL', KEYS[i + 3]), windows[i]) end
      end
    end
    for _, c in ipairs(counted) do
      local i, count = c[1], c[2]
      if reason ~= Refusal.None then
        takeBack(KEYS[i + 3], count)
      elseif count == 1 then
        redis.call('PEXPIRE', KEYS[i + 3], windows[i])
      end
    end
  end
end
if reason ~= Refusal.None then
  record('refused:' .. outcomes[reason])
  return answer(reason, wait)
end
if block then countBlock() end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], 'nonce', ARGV[4])
redis.call('PEXPIRE', KEYS[3], math.max(tonumber(ARGV[2]), tonumber(ARGV[3])))
record('issued')
return answer(Refusal.None, 0)
