-- wrk script for the writes (scripts/bench). Arguments: the mode and a fixtures
-- file written by the script.
--
--   register  every request registers a remiss (POST /remisser) with
--             `respondents` random respondent organs, as the registrar
--   mix       every other request registers a remiss; the others save a new
--             revision of a draft (POST /arenden/{id}/utkast, action=save), as a
--             handläggare of every organ, going round the drafts in the fixtures
--
-- Each thread takes its own share of the drafts and keeps each one's current
-- revision number: a 303 back to the editor moves it on; a 409 (stale base) is
-- counted and the newer number is read from the page that came back. Answers are
-- told apart by their Location, and counted per kind; `done` prints the totals,
-- which the script checks against the rows in the database.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local function urlencode(text)
   return (string.gsub(text, "[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

local function form(fields)
   local parts = {}
   for _, field in ipairs(fields) do
      table.insert(parts, urlencode(field[1]) .. "=" .. urlencode(field[2]))
   end
   return table.concat(parts, "&")
end

function init(args)
   mode = args[1]
   local nthreads = tonumber(args[3])
   registered, saved, conflicts, other = 0, 0, 0, 0
   organs, drafts, base = {}, {}, {}
   local fixture = {}
   local index = 0
   for line in io.lines(args[2]) do
      local key, a, b = string.match(line, "^(%S+)%s+(%S+)%s*(%S*)$")
      if key == "organ" then
         table.insert(organs, a)
      elseif key == "draft" then
         if index % nthreads == id then
            table.insert(drafts, a)
            base[a] = tonumber(b)
         end
         index = index + 1
      elseif key then
         fixture[key] = a
      end
   end
   registrar_cookie = "remiss_session=" .. fixture.registrar_cookie
   registrar_token = fixture.registrar_token
   writer_cookie = "remiss_session=" .. fixture.writer_cookie
   writer_token = fixture.writer_token
   today, deadline = fixture.today, fixture.deadline
   respondents = tonumber(fixture.respondents)
   math.randomseed(os.time() * 100 + id)
   -- The sender's numbers differ from one run (the warm-up, the measurement) to
   -- the next, so that none is warned of as a likely duplicate.
   run = os.time() % 1000000
   counter, draft_index = 0, 0
end

local function registration()
   local fields = {
      {"csrf_token", registrar_token},
      {"title", string.format("Belastningstest: remiss om trygghet och skola nr %d-%d", id, counter)},
      {"description", "Registrerad av lastgeneratorn för att mäta registreringar per sekund."},
      {"sender_organ", ""},
      {"sender_name", "Länsstyrelsen i Stockholms län"},
      {"sender_dnr", string.format("LST %s/%06d%d%06d", string.sub(today, 1, 4), run, id, counter)},
      {"received_on", today},
      {"deadline", deadline},
   }
   local chosen = {}
   while #chosen < respondents do
      local organ = organs[math.random(#organs)]
      local seen = false
      for _, c in ipairs(chosen) do
         if c == organ then seen = true end
      end
      if not seen then
         table.insert(chosen, organ)
         table.insert(fields, {"respondents", organ})
      end
   end
   return wrk.format("POST", "/remisser", {
      ["Cookie"] = registrar_cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
   }, form(fields))
end

local function draft_save()
   draft_index = draft_index % #drafts + 1
   local case = drafts[draft_index]
   local body = form({
      {"csrf_token", writer_token},
      {"base", tostring(base[case])},
      {"action", "save"},
      {"title", "Yttrande över remissen"},
      {"proposals", "Nämnden överlämnar förvaltningens tjänsteutlåtande som svar på remissen."},
      {"summary", string.format("Förvaltningen ställer sig i huvudsak positiv till förslaget (sparat %d-%d).", id, counter)},
      {"preparation", "Ärendet har beretts i samråd med berörda avdelningar."},
      {"background", "Remissen har inkommit för yttrande."},
      {"considerations", "Förvaltningen har inga invändningar mot förslaget men vill understryka vikten av samverkan."},
      {"signatory_name", "Anna Andersson"},
      {"signatory_title", "förvaltningsdirektör"},
   })
   return wrk.format("POST", "/arenden/" .. case .. "/utkast", {
      ["Cookie"] = writer_cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
   }, body)
end

function request()
   counter = counter + 1
   if mode == "mix" and counter % 2 == 0 and #drafts > 0 then
      return draft_save()
   end
   return registration()
end

function response(status, headers, body)
   local location = headers["location"] or headers["Location"] or ""
   if status == 303 and string.sub(location, 1, 10) == "/remisser/" then
      registered = registered + 1
   elseif status == 303 and string.find(location, "/utkast?sparat=1", 1, true) then
      saved = saved + 1
      local case = string.match(location, "^/arenden/([%w%-]+)/utkast")
      if case and base[case] then base[case] = base[case] + 1 end
   elseif status == 409 then
      conflicts = conflicts + 1
      local case = string.match(body, "/arenden/([%w%-]+)/utkast")
      local newer = string.match(body, 'name="base" value="(%d+)"')
      if case and newer and base[case] then base[case] = tonumber(newer) end
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local r, s, c, o = 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      r = r + thread:get("registered")
      s = s + thread:get("saved")
      c = c + thread:get("conflicts")
      o = o + thread:get("other")
   end
   io.write(string.format("BENCH registered=%d saved=%d conflicts=%d other=%d\n", r, s, c, o))
end
