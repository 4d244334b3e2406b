-- wrk script for bench/run.js: cycles through pre-built requests read from a file.
-- Usage: wrk ... -s bench/wrk/requests.lua URL -- <request-file> <threads>
-- One request per line, fields separated by tabs: METHOD, PATH, BODY, then any number of "Name: value" headers.
-- Each wrk thread takes every <threads>-th line (disjoint slices), so with one thread the order is strictly cyclic.
-- done() prints one line "BENCH_JSON {...}" that bench/run.js parses (latencies in microseconds).

local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

local requests = {}
local count = 0
local index = 0

local function split(line)
  local out = {}
  for field in string.gmatch(line, "([^\t]*)\t?") do
    out[#out + 1] = field
  end
  -- gmatch yields a trailing empty match at the end of the string
  if out[#out] == "" then out[#out] = nil end
  return out
end

function init(args)
  local file = args[1]
  local threads = tonumber(args[2] or "1")
  local me = tid or 0
  local n = 0
  for line in io.lines(file) do
    if line ~= "" then
      if n % threads == me then
        local f = split(line)
        local headers = {}
        for i = 4, #f do
          local name, value = string.match(f[i], "^([^:]+):%s*(.*)$")
          if name then headers[name] = value end
        end
        local body = f[3]
        if body == "" then body = nil end
        count = count + 1
        requests[count] = wrk.format(f[1], f[2], headers, body)
      end
      n = n + 1
    end
  end
  if count == 0 then
    io.stderr:write("requests.lua: no requests for thread " .. me .. " in " .. file .. "\n")
    os.exit(2)
  end
end

function request()
  index = index + 1
  if index > count then index = 1 end
  return requests[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
