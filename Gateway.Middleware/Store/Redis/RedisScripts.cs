namespace Gateway.Middleware.Store.Redis;

/// <summary>
/// The Lua scripts of the Redis store. Each runs atomically in one round trip, sent by its SHA1 (EVALSHA), and by
/// its source only when the server answers NOSCRIPT (see <see cref="RedisScript"/>). Every key a script touches is
/// passed in KEYS, so Redis Cluster can route it.
/// </summary>
/// <remarks>
/// KEYS: [1] send flag, [2] code, [3] code state (a hash: the nonce of the request that issued the code), then
/// [4] hour, [5] day, [6] IP and [7] spend counters when any cap is on, then the audit stream when the audit is on.
/// A counter whose cap is off is passed as the send flag's key and never touched, so that every key shares the
/// flag's hash slot. Features that are off pass neither keys nor arguments: Redis parses and copies each argument
/// of every call, about as much work as a read command.
/// </remarks>
internal static class RedisScripts
{
    /// <summary>The audit stream's cap, approximate (<c>XADD ... MAXLEN ~</c>): Redis trims whole nodes.</summary>
    public const int AuditStreamMaxLength = 100_000;

    /// <summary>
    /// ARGV: [1] code, [2] send interval (ms), [3] code lifetime (ms), [4] the request's nonce, then [5..8] caps of
    /// KEYS[4..7] (0 = off) when the counters are passed, then the audit stream's cap, the policy and the masked
    /// mobile when the audit is on: 4, 7 (audit), 8 (counters) or 11 (both) arguments. The counters' windows are an
    /// hour, a day, an hour and a minute (<see cref="SmsCodeCounter"/>). A refused request counts nowhere, an issued
    /// one everywhere. Returns {0, 0} when issued, else {refusal, ms until the binding limit frees}. A flag or counter
    /// without expiry (written by hand) counts for a whole window. The code state lives as long as the longer of flag
    /// and code, so that a revoke can still recognise its own request. With the audit on, one XADD records the
    /// outcome. A nonce may end in <c>|&lt;Idempotency-Key&gt;</c>: under the flag, a request whose key is the stored
    /// code's gets {6, ms left, the first request's nonce}, the first request's answer again, instead of a refusal.
    /// </summary>
    /// <remarks>
    /// A mobile under its flag is refused by reads alone: the flag's PTTL, one MGET of the counters, and the PTTL of
    /// each counter over its cap (MGET reads a wrongly typed counter as absent; counting it fails). Otherwise each
    /// counter is counted at once (INCR) and the count compared with its cap; if one is over, every count is taken
    /// back before anything else is written, so the outcome is that of checking first, with one command a counter
    /// fewer. A counter that cannot be counted (WRONGTYPE, not an integer) takes back the counts before it and ends
    /// the script with that error, before any write.
    /// </remarks>
    public static readonly RedisScript Issue = new("""
        local counters = #ARGV == 8 or #ARGV == 11
        local auditing = #ARGV == 7 or #ARGV == 11
        local windows = {3600000, 86400000, 3600000, 60000}
        local reason, wait = 0, 0
        local function refuse(r, left, window)
          if left < 0 then left = window end
          if left > wait then reason, wait = r, left end
        end
        local function audit(outcome)
          local a = #ARGV - 2
          redis.call('XADD', KEYS[#KEYS], 'MAXLEN', '~', ARGV[a], '*', 'policy', ARGV[a + 1], 'mobile', ARGV[a + 2], 'outcome', outcome)
        end
        local function idempotencyKey(nonce)
          local bar = string.find(nonce, '|', 1, true)
          return bar and string.sub(nonce, bar) or nil
        end
        local flag = redis.call('PTTL', KEYS[1])
        if flag ~= -2 then
          local key = idempotencyKey(ARGV[4])
          local first = key and redis.call('HGET', KEYS[3], 'nonce') or ''
          if key and idempotencyKey(first) == key then
            if auditing then audit('repeat') end
            return {6, flag, first}
          end
          refuse(1, flag, tonumber(ARGV[2]))
          if counters then
            local counts = redis.call('MGET', KEYS[4], KEYS[5], KEYS[6], KEYS[7])
            for i = 4, 7 do
              local cap = tonumber(ARGV[i + 1])
              if cap > 0 and tonumber(counts[i - 3] or '0') >= cap then
                refuse(i - 2, redis.call('PTTL', KEYS[i]), windows[i - 3])
              end
            end
          end
        elseif counters then
          local counted = {}
          for i = 4, 7 do
            local cap = tonumber(ARGV[i + 1])
            if cap > 0 then
              local count = redis.pcall('INCR', KEYS[i])
              if type(count) == 'table' then
                for _, c in ipairs(counted) do
                  if c[2] == 1 then redis.call('DEL', KEYS[c[1]]) else redis.call('DECR', KEYS[c[1]]) end
                end
                return count
              end
              counted[#counted + 1] = {i, count}
              if count > cap then refuse(i - 2, redis.call('PTTL', KEYS[i]), windows[i - 3]) end
            end
          end
          for _, c in ipairs(counted) do
            local i, count = c[1], c[2]
            if reason ~= 0 then
              if count == 1 then redis.call('DEL', KEYS[i]) else redis.call('DECR', KEYS[i]) end
            elseif count == 1 then
              redis.call('PEXPIRE', KEYS[i], windows[i - 3])
            end
          end
        end
        if reason ~= 0 then
          if auditing then audit('refused:' .. ({'interval', 'hour', 'day', 'ip', 'spend'})[reason]) end
          return {reason, wait}
        end
        redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
        redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
        redis.call('DEL', KEYS[3])
        redis.call('HSET', KEYS[3], 'nonce', ARGV[4])
        redis.call('PEXPIRE', KEYS[3], math.max(tonumber(ARGV[2]), tonumber(ARGV[3])))
        if auditing then audit('issued') end
        return {0, 0}
        """);

    /// <summary>
    /// KEYS as <see cref="Issue"/>'s, without the audit stream. ARGV: [1] the nonce of the request that issued, then
    /// [2..5] caps of KEYS[4..7] when the counters are passed. Only
    /// while the code state still holds this request's nonce (no newer request issued since, whether or not the flag
    /// has expired): deletes flag, code and state, and takes this request's count back from each counter. Returns 1
    /// when revoked, else 0.
    /// </summary>
    public static readonly RedisScript Revoke = new("""
        if redis.call('HGET', KEYS[3], 'nonce') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
        for i = 4, #KEYS do
          if tonumber(ARGV[i - 2]) > 0 and redis.call('EXISTS', KEYS[i]) == 1 and redis.call('DECR', KEYS[i]) <= 0 then
            redis.call('DEL', KEYS[i])
          end
        end
        return 1
        """);
    /// <summary>
    /// Redis Cluster only, for a counter that cannot share the mobile's hash slot (per IP, spend guard).
    /// KEYS[1] counter. ARGV[1] cap, ARGV[2] window (ms). Counts one if below the cap.
    /// Returns {1, 0} when counted, else {0, ms until the window frees}.
    /// </summary>
    public static readonly RedisScript Reserve = new("""
        if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then
          local left = redis.call('PTTL', KEYS[1])
          if left < 0 then left = tonumber(ARGV[2]) end
          return {0, left}
        end
        if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return {1, 0}
        """);

    /// <summary>Takes back one count that <see cref="Reserve"/> made. KEYS[1] counter. Returns 1.</summary>
    public static readonly RedisScript Release = new("""
        if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('DECR', KEYS[1]) <= 0 then
          redis.call('DEL', KEYS[1])
        end
        return 1
        """);

    /// <summary>
    /// A legacy verify route's attempt. KEYS: [1] code, [2] code state, [3] send flag, [4] daily failures counter
    /// (the code's key when that cap is off). ARGV: [1] attempts per code (0 = off), [2] failures per day (0 = off),
    /// [3] the day (ms), [4] the code lifetime (ms, for a state that a code written by someone else lacks), [5] how
    /// long the attempt may hold the code (ms, 0 = no hold), [6] the attempt's token.
    /// No code: nothing is written. Past the limit the code is deleted and its state marked spent, so that later
    /// guesses at it are refused too; the next issue starts a fresh state. A counted attempt holds the code: the state's
    /// <c>busy</c> field is a deadline on Redis's own clock (TIME), <c>busy_by</c> the token, so that one attempt at a
    /// time reaches the app and a crashed gateway's hold lapses by itself. A held code refuses the attempt (6) without
    /// counting it. Returns {outcome, ms until the client may try again, nonce} (see <c>SmsCodeVerifyOutcome</c>).
    /// </summary>
    public static readonly RedisScript CountAttempt = new("""
        if redis.call('HGET', KEYS[2], 'spent') then return {1, math.max(redis.call('PTTL', KEYS[3]), 0), ''} end
        local left = redis.call('PTTL', KEYS[1])
        if left == -2 then return {2, 0, ''} end
        local cap = tonumber(ARGV[2])
        if cap > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= cap then
          local wait = redis.call('PTTL', KEYS[4])
          if wait < 0 then wait = tonumber(ARGV[3]) end
          return {3, wait, ''}
        end
        local hold = tonumber(ARGV[5])
        local now = 0
        if hold > 0 then
          local time = redis.call('TIME')
          now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
          local busy = tonumber(redis.call('HGET', KEYS[2], 'busy') or '0')
          if busy > now then return {6, busy - now, ''} end
        end
        local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
        if redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], left > 0 and left or ARGV[4]) end
        local max = tonumber(ARGV[1])
        if max > 0 and attempts > max then
          redis.call('DEL', KEYS[1])
          redis.call('HDEL', KEYS[2], 'busy', 'busy_by')
          redis.call('HSET', KEYS[2], 'spent', '1')
          return {1, math.max(redis.call('PTTL', KEYS[3]), 0), ''}
        end
        if hold > 0 then redis.call('HSET', KEYS[2], 'busy', now + hold, 'busy_by', ARGV[6]) end
        if cap > 0 and redis.call('INCR', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
        return {0, 0, redis.call('HGET', KEYS[2], 'nonce') or ''}
        """);

    /// <summary>
    /// The legacy app accepted a code. KEYS as <see cref="CountAttempt"/>. ARGV: [1] the nonce the attempt was
    /// counted against, [2] failures per day (0 = off). Deletes code and state while they are still that code's,
    /// and takes the attempt back from the day's failures. Returns 1.
    /// </summary>
    public static readonly RedisScript UseUp = new("""
        if (redis.call('HGET', KEYS[2], 'nonce') or '') == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) end
        if tonumber(ARGV[2]) > 0 and redis.call('EXISTS', KEYS[4]) == 1 and redis.call('DECR', KEYS[4]) <= 0 then
          redis.call('DEL', KEYS[4])
        end
        return 1
        """);

    /// <summary>
    /// The legacy app did not accept the attempt: lets go of the code it held. KEYS as <see cref="CountAttempt"/>.
    /// ARGV: [1] the attempt's token. Only while the hold is still that attempt's. Returns 1 when released, else 0.
    /// </summary>
    public static readonly RedisScript ReleaseAttempt = new("""
        if redis.call('HGET', KEYS[2], 'busy_by') ~= ARGV[1] then return 0 end
        redis.call('HDEL', KEYS[2], 'busy', 'busy_by')
        return 1
        """);

    /// <summary>
    /// The gate's own verify endpoint. KEYS as <see cref="CountAttempt"/>. ARGV: [1] the guess, then [2..5] as
    /// <see cref="CountAttempt"/>'s [1..4]. A right guess deletes code and state; a wrong one counts
    /// as a failure for the day; no code writes nothing, so that guesses at a mobile without a code cost its owner
    /// nothing. A code held by a legacy route's attempt (see <see cref="CountAttempt"/>) refuses the guess (6) uncounted.
    /// Returns {outcome, ms until the client may try again}.
    /// </summary>
    public static readonly RedisScript Verify = new("""
        local cap = tonumber(ARGV[3])
        local function failed(outcome)
          if cap > 0 and redis.call('INCR', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[4]) end
          return {outcome, 0}
        end
        if cap > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') >= cap then
          local wait = redis.call('PTTL', KEYS[4])
          if wait < 0 then wait = tonumber(ARGV[4]) end
          return {3, wait}
        end
        if redis.call('HGET', KEYS[2], 'spent') then return {1, math.max(redis.call('PTTL', KEYS[3]), 0)} end
        local busy = redis.call('HGET', KEYS[2], 'busy')
        if busy then
          local time = redis.call('TIME')
          local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
          if tonumber(busy) > now then return {6, tonumber(busy) - now} end
        end
        local stored = redis.call('GET', KEYS[1])
        if not stored then return {2, 0} end
        local left = redis.call('PTTL', KEYS[1])
        local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
        if redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], left > 0 and left or ARGV[5]) end
        local max = tonumber(ARGV[2])
        if max > 0 and attempts > max then
          redis.call('DEL', KEYS[1])
          redis.call('HSET', KEYS[2], 'spent', '1')
          return {1, math.max(redis.call('PTTL', KEYS[3]), 0)}
        end
        if stored == ARGV[1] then
          redis.call('DEL', KEYS[1], KEYS[2])
          return {4, 0}
        end
        return failed(5)
        """);
}
