-- wrk script: POSTs to the URL's path, rotating through the JWTs of many distinct users.
-- Arguments (after `--`): <tokens file> <mode: rest | rpc>
--   rest: empty POST with "Authorization: Bearer <token>" (POST /presence/me/heartbeat, POST /bench/noop)
--   rpc:  one Effect RPC NDJSON line, userPresenceStatus.heartbeat, token in the message's "headers"
--         array, as the Effect 4.1.0 client sends it (see shared effect-rpc/PROTOCOL.md)
-- Each wrk thread starts at a different token; all requests are formatted once in init().
-- done() prints one machine-readable RESULT line.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
local index = 0

function init(args)
  local path = wrk.path
  local tokens = {}
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(tokens, line) end
  end
  if #tokens == 0 then error("no tokens in " .. args[1]) end
  local mode = args[2] or "rest"
  for i, token in ipairs(tokens) do
    if mode == "rpc" then
      local body = '{"_tag":"Request","id":' .. (i - 1) ..
        ',"tag":"userPresenceStatus.heartbeat","payload":{},' ..
        '"traceId":"5349e5fd21ebb4684874c475bc1223ab","spanId":"9940e2da03b3e84d","sampled":true,' ..
        '"headers":[["authorization","Bearer ' .. token .. '"]]}\n'
      requests[i] = wrk.format("POST", path, { ["Content-Type"] = "application/x-ndjson" }, body)
    else
      requests[i] = wrk.format("POST", path, { ["Authorization"] = "Bearer " .. token, ["Content-Length"] = "0" }, nil)
    end
  end
  index = (tonumber(wrk.thread:get("offset")) or 0) * math.floor(#requests / 2)
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests_)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
