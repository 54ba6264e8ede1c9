-- wrk script for the handler: GETs the paths listed (one a line) in the file named by
-- the first script argument, in turn, and prints the figures as one JSON line.
local requests = {}
local n = 0
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      n = n + 1
      requests[n] = wrk.format("GET", line)
    end
  end
  i = 0
end

function request()
  i = i % n + 1
  return requests[i]
end

dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
