-- wrk script of the SMS-code gateway benchmark (bench/run.sh).
--
--   wrk -t2 -c32 -d10s -s bench/sms.lua http://127.0.0.1:PORT -- PREFIX MODE TAG
--
--   PREFIX  path before the mobile, e.g. /sms_codes/ (the request is PREFIX<mobile>/)
--   MODE    fresh: a new mobile on every request; fixed: one mobile for every request
--   TAG     three digits, the first one 3-9, unique per run: fresh mobiles are 1<TAG><thread><6-digit counter>
--           (unique per thread and per run, up to 10 threads); the fixed mobile is 1<TAG>0000000.
--           Every mobile matches ^1[3-9]\d{9}$.
--
-- wrk sends the next request on a connection as soon as its answer is in: this script measures the most a server
-- takes. Fixed loads are bench/loadgen's job (open loop, latency from the scheduled start).
--
-- Answers are counted by status class. When done, prints one line "RESULT {json}" with the totals, the
-- requests per second and the latency percentiles (milliseconds), which bench/run.sh reads.

local threads = {}

function setup(thread)
    if #threads >= 10 then
        error("at most 10 threads: the thread id is one digit of the mobile")
    end
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

function init(args)
    prefix, mode, tag = args[1], args[2], args[3]
    if not (prefix and (mode == "fresh" or mode == "fixed") and tag and tag:match("^[3-9]%d%d$")) then
        error("usage: -- PREFIX fresh|fixed TAG (three digits, the first one 3-9)")
    end
    counter = 0
    s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
    if mode == "fixed" then
        fixed_request = wrk.format("GET", prefix .. "1" .. tag .. "0000000/")
    end
    mobile_prefix = prefix .. "1" .. tag .. tid
end

function request()
    if fixed_request then
        return fixed_request
    end
    counter = counter + 1
    return wrk.format("GET", string.format("%s%06d/", mobile_prefix, counter))
end

function response(status, headers, body)
    if status < 300 then
        s2xx = s2xx + 1
    elseif status < 400 then
        s3xx = s3xx + 1
    elseif status < 500 then
        s4xx = s4xx + 1
    else
        s5xx = s5xx + 1
    end
end

function done(summary, latency, requests)
    local totals = { s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0 }
    for _, thread in ipairs(threads) do
        for name, value in pairs(totals) do
            totals[name] = value + thread:get(name)
        end
    end
    local seconds = summary.duration / 1e6
    local errors = summary.errors
    io.write(string.format(
        'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,'
            .. '"max_ms":%.3f,"s2xx":%d,"s3xx":%d,"s4xx":%d,"s5xx":%d,"connect_errors":%d,"read_errors":%d,'
            .. '"write_errors":%d,"timeouts":%d}\n',
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000, latency.max / 1000, totals.s2xx, totals.s3xx, totals.s4xx, totals.s5xx,
        errors.connect, errors.read, errors.write, errors.timeout))
end
