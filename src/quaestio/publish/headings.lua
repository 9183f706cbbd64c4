-- A pandoc filter that changes nothing: it writes the document's headings (those at the top level and
-- inside divisions, in reading order) as pandoc JSON to the file QUAESTIO_HEADINGS names, so that the
-- Word document's contents page is listed from the same parse that made the document.
local function collect(blocks, found)
  for _, block in ipairs(blocks) do
    if block.t == "Header" then
      found:insert(block)
    elseif block.t == "Div" then
      collect(block.content, found)
    end
  end
  return found
end

function Pandoc(doc)
  local out = assert(io.open(os.getenv("QUAESTIO_HEADINGS"), "w"))
  out:write(pandoc.write(pandoc.Pandoc(collect(doc.blocks, pandoc.List())), "json"))
  out:close()
end
