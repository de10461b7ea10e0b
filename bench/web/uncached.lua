-- wrk script: slot searches around Privas with a different radius on every request, so that
-- no answer comes from vigie-web's per-query cache (the cost of the search itself).
math.randomseed(os.time())
request = function()
  local r = string.format("%.6f", 40 + math.random() * 20)
  return wrk.format(nil, "/api/v1/slots/search?commune=07186&radius_km=" .. r)
end
