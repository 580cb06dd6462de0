-- wrk script for the read pages and the ceiling (scripts/bench): counts every
-- answer other than 200, so that a lost session (a redirect to the login page)
-- or an error cannot pass for a fast page.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   not_ok = 0
end

function response(status, headers, body)
   if status ~= 200 then
      not_ok = not_ok + 1
   end
end

function done(summary, latency, requests)
   local total = 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("not_ok")
   end
   io.write(string.format("BENCH not_ok=%d\n", total))
end
