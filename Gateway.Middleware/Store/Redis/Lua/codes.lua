-- The return codes and feature bits every script shares with C#: Refusal is SmsCodeRefusal, Outcome is
-- SmsCodeVerifyOutcome, Feature is IssueFeatures (ScriptCodesTests keeps each table equal to its C# type).
-- Prepended to every script by RedisScripts.
local Refusal = { None = 0, Interval = 1, Hour = 2, Day = 3, Ip = 4, Spend = 5, Repeat = 6, Block = 7, BlockHour = 8 }
local Outcome = { Counted = 0, OverLimit = 1, NoCode = 2, FailuresPerDay = 3, Verified = 4, Wrong = 5, InFlight = 6 }
local Feature = { Counters = 1, Audit = 2, Block = 4, Remembered = 8 }
local function has(features, feature) return bit.band(features, feature) ~= 0 end
