-- wrk script: replays pre-signed Twilio requests, each wrk thread a disjoint share of them,
-- so every request is a new call (a new CallSid) with a valid X-Twilio-Signature.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  requests = {}
  for line in io.lines(args[1]) do
    local signature, body = line:match("([^\t]*)\t(.*)")
    requests[#requests + 1] = {signature, body}
  end
  step = tonumber(args[2])
  index = id
  path = args[3]
end

function request()
  index = index + step
  local r = requests[(index % #requests) + 1]
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r[1],
  }, r[2])
end
