-- Every entry of the list of references (a division of class csl-entry, which links lead to) starts with
-- report.typ's quaestio-anchor carrying the entry's label: typst writes a named destination for a labelled
-- heading only, and pdf_tags.py points each link at the named destination of its label.
function Div(div)
  if div.identifier == "" or not div.classes:includes("csl-entry") then
    return nil
  end
  local name = div.identifier:gsub('[\\"]', "\\%0")
  local anchor = pandoc.RawInline("typst", '#quaestio-anchor("' .. name .. '")')
  local first = div.content[1]
  if first and (first.t == "Para" or first.t == "Plain") then
    first.content:insert(1, anchor)
  else
    div.content:insert(1, pandoc.Plain({ anchor }))
  end
  return div
end
