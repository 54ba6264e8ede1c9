-- wrk script for Azurite alone: replays pre-signed Table Storage point reads
-- (SharedKey, with the headers the handler's client sends). Each line of the file named by
-- the first script argument is "path<TAB>x-ms-date<TAB>Authorization"; the lines come
-- in pairs (the link row, then its invitation row), so requests alternate between the
-- two reads of the email link.
local requests = {}
local n = 0
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    local path, date, auth = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if path then
      n = n + 1
      requests[n] = wrk.format("GET", path, {
        ["Accept"] = "application/json;odata=fullmetadata",
        ["x-ms-version"] = "2022-11-02",
        ["x-ms-date"] = date,
        ["Authorization"] = auth,
        ["User-Agent"] = "azsdk-rust-data_tables/0.21.0 (1.95.0; linux; x86_64)",
      }, "") -- an empty body: "Content-Length: 0", as the handler's client sends
    end
  end
  i = 0
end

function request()
  i = i % n + 1
  return requests[i]
end

dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
