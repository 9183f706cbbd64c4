-- A long-lived pandoc for the reports (`pandoc lua pandoc_worker.lua PANDOC`, see pandoc_worker.py). It reads a
-- request a line on stdin, a JSON object naming the Markdown file to read and the files to write from that one
-- reading, each with the options the pandoc command would be given; it converts as that command does and answers
-- one JSON line on stdout: {"ok": true}, or {"error": pandoc's message}. A failed request leaves the worker ready
-- for the next one.
--
-- A request: input (Markdown file), from (reader), epoch (SOURCE_DATE_EPOCH), environment (more variables, for
-- the filters), resource_path (the folder where images are found, as --resource-path) and writings, a list of:
-- to (writer), output (file), filters (Lua filter files), template (file), wrap, reference_doc, toc_depth (with a
-- table of contents), metadata (strings, as --metadata), before (Markdown read apart, whose blocks go before the
-- document's) and pictures (image sources replaced: {"chart.svg": "chart.png"}). Every path is absolute.

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

local function read(text, from)
  return pandoc.read(text, from, {
    abbreviations = ABBREVIATIONS,
    columns = COLUMNS,
    standalone = true,
  })
end

-- One file written from the document as read: its own copy of it, with what goes before it, its pictures, its
-- metadata and its filters.
local function write(doc, from, writing)
  doc = doc:clone()
  if writing.before then
    doc.blocks = read(writing.before, from).blocks .. doc.blocks
  end
  if writing.pictures and next(writing.pictures) then
    doc = doc:walk({
      Image = function(image)
        local shown = writing.pictures[image.src]
        if shown then
          image.src = shown
          return image
        end
      end,
    })
  end
  for name, value in pairs(writing.metadata or {}) do
    doc.meta[name] = meta_value(value)
  end
  FORMAT = writing.to
  for _, path in ipairs(writing.filters or {}) do
    for _, each in ipairs(filter(path)) do
      doc = doc:walk(each)
    end
  end
  local options = {
    columns = COLUMNS,
    template = writing.template and template(writing.template) or nil,
    wrap_text = writing.wrap or "auto",
    reference_doc = writing.reference_doc,
    table_of_contents = writing.toc_depth ~= nil,
    toc_depth = math.tointeger(writing.toc_depth or 3),
  }
  write_file(writing.output, pandoc.write(doc, writing.to, options))
end

-- The Markdown read once, and every file of the request written from that reading.
local function convert(request)
  pandoc.mediabag.empty()
  local doc = read(contents(request.input), request.from)
  for _, writing in ipairs(request.writings) do
    write(doc, request.from, writing)
  end
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
