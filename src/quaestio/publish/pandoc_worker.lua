-- A long-lived pandoc for the reports (`pandoc lua pandoc_worker.lua PANDOC`, see pandoc_worker.py). It reads a
-- request a line on stdin, a JSON object naming the files of a conversion and the options the pandoc command
-- would be given; it converts as that command does and answers one JSON line on stdout: {"ok": true}, or
-- {"error": pandoc's message}. A failed request leaves the worker ready for the next one.
--
-- A request: input (Markdown file), from (reader), to (writer), output (file), epoch (SOURCE_DATE_EPOCH),
-- environment (more variables, for the filters), filters (Lua filter files), resource_path (the folder where
-- images are found, as --resource-path), template (file), wrap, reference_doc, toc_depth (with a table of
-- contents), metadata (strings, as --metadata). Every path is absolute.

-- The pandoc command reads and writes 72 columns; pandoc.read's own default is 80 (a pipe table's columns
-- would be shared out otherwise).
local COLUMNS = 72

-- The abbreviations the pandoc command's Markdown reader knows ("No." keeps its number on its line): the data
-- file of the pandoc binary the worker runs under (arg[1]); pandoc.read's own default list is shorter.
local function default_abbreviations()
  local listed = pandoc.pipe(arg[1], { "--print-default-data-file", "abbreviations" }, "")
  local words = {}
  for word in listed:gmatch("[^\n]+") do
    words[word] = true
  end
  return words
end

local ABBREVIATIONS = default_abbreviations()

local function contents(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("a")
  file:close()
  return text
end

local function write_file(path, text)
  local file = assert(io.open(path, "wb"))
  file:write(text)
  file:close()
end

local templates = {}

local function template(path)
  if not templates[path] then
    templates[path] = pandoc.template.compile(contents(path), path)
  end
  return templates[path]
end

local filters = {}

-- A Lua filter file loaded as the pandoc command loads it: the filters it returns, or else the functions it
-- defines (in globals of its own, so that one filter's functions do not leak into another's).
local function filter(path)
  if not filters[path] then
    local globals = setmetatable({}, { __index = _G })
    local returned = assert(loadfile(path, "t", globals))()
    if returned == nil then
      returned = {}
      for name, value in pairs(globals) do
        if type(value) == "function" then
          returned[name] = value
        end
      end
    end
    filters[path] = returned[1] and returned or { returned }
  end
  return filters[path]
end

-- A --metadata value as the pandoc command reads it: a boolean for true or false, else a string.
local BOOLEANS = { ["true"] = true, True = true, TRUE = true, ["false"] = false, False = false, FALSE = false }

local function meta_value(text)
  if BOOLEANS[text] ~= nil then
    return BOOLEANS[text]
  end
  return text
end

local function convert(request)
  pandoc.mediabag.empty()
  local doc = pandoc.read(contents(request.input), request.from, {
    abbreviations = ABBREVIATIONS,
    columns = COLUMNS,
    standalone = true,
  })
  for name, value in pairs(request.metadata or {}) do
    doc.meta[name] = meta_value(value)
  end
  FORMAT = request.to
  for _, path in ipairs(request.filters or {}) do
    for _, each in ipairs(filter(path)) do
      doc = doc:walk(each)
    end
  end
  local options = {
    columns = COLUMNS,
    template = request.template and template(request.template) or nil,
    wrap_text = request.wrap or "auto",
    reference_doc = request.reference_doc,
    table_of_contents = request.toc_depth ~= nil,
    toc_depth = math.tointeger(request.toc_depth or 3),
  }
  write_file(request.output, pandoc.write(doc, request.to, options))
end

-- The request converted with its own SOURCE_DATE_EPOCH and variables, in its resource folder: true, or false
-- and pandoc's message.
local function answer(request)
  local environment = pandoc.system.environment()
  for name, value in pairs(request.environment or {}) do
    environment[name] = value
  end
  environment.SOURCE_DATE_EPOCH = string.format("%d", request.epoch)
  return pandoc.system.with_environment(environment, function()
    return pandoc.system.with_working_directory(request.resource_path, function()
      return pcall(convert, request)
    end)
  end)
end

for line in io.stdin:lines() do
  local parsed, request = pcall(pandoc.json.decode, line)
  local ok, failure
  if parsed and type(request) == "table" then
    local called, converted, message = pcall(answer, request) -- its folder missing, say
    ok, failure = called and converted, called and message or converted
  else
    ok, failure = false, "not a JSON request: " .. tostring(request)
  end
  io.stdout:write(pandoc.json.encode(ok and { ok = true } or { error = tostring(failure) }), "\n")
  io.stdout:flush()
end
