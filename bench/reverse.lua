-- wrk: GET /api/v1/reverse for a different point of .cache/peers/demo_points.lua each request.
dofile(os.getenv("POINTS"))
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/reverse?k=1&" .. points[(counter % #points) + 1])
end
