-- Several bibliographies in one pandoc run: quaestio's csl.py calls pandoc once with this filter instead
-- of once per bibliography (each run spends most of its time reading the CSL style and locale).
--
-- The document's metadata names the groups (`quaestio-groups`: a list of CSL JSON files) and holds the
-- style, language and other citeproc settings. Each group is formatted by its own citeproc call, exactly
-- as a document with that file as its only bibliography would be, and written after a separator
-- paragraph holding `quaestio-separator` and the group's number, for csl.py to split the output on; a last
-- separator ends the output.

function Pandoc(doc)
  local separator = pandoc.utils.stringify(doc.meta["quaestio-separator"])
  local blocks = {}
  for number, file in ipairs(doc.meta["quaestio-groups"]) do
    local meta = {}
    for key, value in pairs(doc.meta) do
      if key ~= "quaestio-groups" and key ~= "quaestio-separator" then
        meta[key] = value
      end
    end
    meta.bibliography = pandoc.utils.stringify(file)
    local formatted = pandoc.utils.citeproc(pandoc.Pandoc({}, meta))
    table.insert(blocks, pandoc.Para({ pandoc.Str(separator .. tostring(number)) }))
    for _, block in ipairs(formatted.blocks) do
      table.insert(blocks, block)
    end
  end
  -- A closing separator: pandoc's Markdown writer leaves out a bibliography that ends the document.
  table.insert(blocks, pandoc.Para({ pandoc.Str(separator .. "end") }))
  return pandoc.Pandoc(blocks, pandoc.Meta({}))
end
