-- wrk script for scripts/bench-intake.sh: replays pre-signed webhook deliveries
-- written by scripts/intake-requests.py, each exactly once.
--   wrk -t2 -c16 -d20s --latency -s scripts/intake-wrk.lua URL -- PREFIX
-- Thread k (0-based) replays the file PREFIX.k, so threads never share a request.
-- A thread that runs out stops (its last request, if it still goes out, is a GET
-- that the intake answers 405) and reports exhausted=1: the run is not clean.
-- p50/p99 are wrk's, per request, closed loop (each connection waits for its answer).
-- Prints one line the benchmark parses:
--   intake-wrk: sent=N completed=N status_2xx=N non_2xx=N duplicates=N exhausted=N
--               duration_s=S span_s=S p50_ms=X p99_ms=Y socket_errors=N statuses=CODE:N,...
-- duration_s is wrk's run time; span_s runs from the first request sent to the last
-- response received, the right divisor when a thread ran out before the end.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } intake_timespec;
int clock_gettime(int clock, intake_timespec *t);
]]
local now_ts = ffi.new("intake_timespec")
local function now()  -- CLOCK_MONOTONIC, seconds (the same clock in every thread)
   ffi.C.clock_gettime(1, now_ts)
   return tonumber(now_ts.tv_sec) + tonumber(now_ts.tv_nsec) / 1e9
end

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

function init(args)
   local prefix = args[1] or error("usage: wrk ... -s intake-wrk.lua URL -- PREFIX")
   local file = io.open(prefix .. "." .. id, "r") or error("cannot open " .. prefix .. "." .. id)
   queue = {}
   for line in file:lines() do
      local webhook_id, timestamp, signature, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
      if not webhook_id then error("bad line in " .. prefix .. "." .. id) end
      queue[#queue + 1] = wrk.format("POST", "/v1/events", {
         ["Content-Type"] = "application/json",
         ["webhook-id"] = webhook_id,
         ["webhook-timestamp"] = timestamp,
         ["webhook-signature"] = signature,
      }, body)
   end
   file:close()
   available = #queue
   next_index = 1
   sent = 0
   exhausted = 0
   ok = 0
   non_2xx = 0
   duplicates = 0
   statuses = {}
   first_request = 0
   last_response = 0
end

function request()
   local r = queue[next_index]
   if r == nil then
      exhausted = 1
      wrk.thread:stop()
      return wrk.format("GET", "/v1/events")
   end
   queue[next_index] = nil  -- each request once; also frees it
   next_index = next_index + 1
   sent = sent + 1
   -- wrk asks thread 0 for one request before the run starts, to check its form;
   -- that one never goes out: not counted, and the clock starts with the next.
   if id == 0 and sent == 1 and not verified then
      verified = true
      sent = 0
      return r
   end
   if first_request == 0 then first_request = now() end
   return r
end

function response(status, headers, body)
   last_response = now()
   if status >= 200 and status < 300 then
      ok = ok + 1
      if body and body:find('"duplicate":true', 1, true) then duplicates = duplicates + 1 end
   else
      non_2xx = non_2xx + 1
      statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
   end
end

function done(summary, latency, requests)
   local t = { sent = 0, ok = 0, non_2xx = 0, duplicates = 0, exhausted = 0, available = 0 }
   local codes = {}
   local first, last = math.huge, 0
   for _, thread in ipairs(threads) do
      local f = thread:get("first_request") or 0
      if f > 0 and f < first then first = f end
      last = math.max(last, thread:get("last_response") or 0)
      for key, _ in pairs(t) do t[key] = t[key] + (thread:get(key) or 0) end
      for code, n in pairs(thread:get("statuses") or {}) do codes[code] = (codes[code] or 0) + n end
   end
   local parts = {}
   for code, n in pairs(codes) do parts[#parts + 1] = code .. ":" .. n end
   local e = summary.errors
   local span = last > first and last - first or 0
   io.write(string.format(
      "intake-wrk: sent=%d completed=%d status_2xx=%d non_2xx=%d duplicates=%d exhausted=%d available=%d " ..
      "duration_s=%.3f span_s=%.3f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f socket_errors=%d statuses=%s\n",
      t.sent, summary.requests, t.ok, t.non_2xx, t.duplicates, t.exhausted, t.available,
      summary.duration / 1e6, span, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      e.connect + e.read + e.write + e.timeout, table.concat(parts, ",")))
end
