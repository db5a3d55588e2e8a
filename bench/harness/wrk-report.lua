-- wrk script of the Rampart bench harness (bench/harness/wrk.ts runs it; see bench/README.md).
--
--   wrk -t1 -c<connections> -d<seconds>s --latency -s wrk-report.lua <url> -- <pipelining>
--
-- done() prints one line, "RAMPART_BENCH_WRK {json}", that the harness parses: total completed
-- responses, run duration (µs), wrk's error counts and latency percentiles (µs).
--
-- Pipelining: with a depth above 1, init() defines the global request(), which returns that many
-- copies of the request in one buffer. wrk counts the requests in it (it parses the buffer once at
-- start) and sends the next batch on a connection when all responses of the previous one are in.
-- Latency is then recorded once per batch, not per request. With depth 1, request() is left
-- undefined, so wrk keeps its static request and calls no Lua per request: the cheapest mode.
-- No response() either: defining it would make wrk hand every header and body to Lua.

init = function(args)
   -- wrk passes the URL as args[0] and what follows "--" from args[1].
   local depth = tonumber(args[1] or "1") or 1
   if depth > 1 then
      local batch = string.rep(wrk.format(), depth)
      request = function()
         return batch
      end
   end
end

done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'RAMPART_BENCH_WRK {"requests":%.0f,"durationUs":%.0f,"bytes":%.0f,' ..
      '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
      '"latencyUs":{"p50":%.0f,"p99":%.0f,"max":%.0f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
   io.flush()
end
