"""Concurrent editors for the bench scripts (standard library only).

    python3 bench/edit_loop.py PORT SECONDS EDITORS [PAUSE]

Each editor signs in as jiashan, lists the places of 嘉善县 (division 330421, limit 50), then until
SECONDS have passed: GET /api/v1/places/{id} (for the ETag), PUT the same Feature back with
properties.meaning changed and change.comment = "bench edit" under If-Match, then waits PAUSE seconds
(default 0: as fast as the service answers; an office's editor saves a few times a minute, so 0 is
far beyond real use and 1 is still busier than any office). Prints one JSON line:
the count of PUT answers by status, and of failed GETs.
"""
import http.client
import json
import sys
import threading
import time
from collections import Counter

port, seconds, editors = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
MAX_EDITS_PER_EDITOR = 100000  # a bound beside the time bound


def login(conn):
    conn.request("POST", "/api/v1/auth/login",
                 body=json.dumps({"username": "jiashan", "password": "diming-demo-2026"}),
                 headers={"content-type": "application/json"})
    r = conn.getresponse()
    return json.loads(r.read())["token"]


conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
token = login(conn)
conn.request("GET", "/api/v1/places?division=330421&limit=50", headers={"authorization": "Bearer " + token})
ids = [f["id"] for f in json.loads(conn.getresponse().read())["features"]]
conn.close()

puts, gets = Counter(), Counter()
latencies = []
lock = threading.Lock()
deadline = time.monotonic() + seconds


def editor(n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    auth = {"authorization": "Bearer " + token}
    i = 0
    while time.monotonic() < deadline and i < MAX_EDITS_PER_EDITOR:
        pid = ids[(n * 7 + i) % len(ids)]
        i += 1
        try:
            c.request("GET", f"/api/v1/places/{pid}", headers=auth)
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                with lock:
                    gets[r.status] += 1
                continue
            etag = r.getheader("etag")
            feature = json.loads(body)
            feature["properties"]["meaning"] = f"bench edit {n}-{i}"
            feature["change"] = {"comment": "bench edit"}
            t0 = time.monotonic()
            c.request("PUT", f"/api/v1/places/{pid}", body=json.dumps(feature, ensure_ascii=False).encode(),
                      headers={**auth, "content-type": "application/json", "if-match": etag})
            r = c.getresponse()
            rb = r.read()
            dt = time.monotonic() - t0
            with lock:
                puts[r.status] += 1
                latencies.append(dt)
                if r.status >= 500 and puts[r.status] <= 3:
                    print(f"5xx on PUT /api/v1/places/{pid}: {r.status} {rb[:500]!r}", file=sys.stderr)
            if pause:
                time.sleep(pause)
        except (OSError, http.client.HTTPException) as e:
            with lock:
                puts["error:" + type(e).__name__] += 1
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.close()


threads = [threading.Thread(target=editor, args=(n,)) for n in range(editors)]
for t in threads:
    t.start()
for t in threads:
    t.join(seconds + 60)
latencies.sort()
p = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None
print(json.dumps({"put_status": {str(k): v for k, v in sorted(puts.items(), key=str)},
                  "get_failures": {str(k): v for k, v in gets.items()},
                  "put_p50_ms": p(0.50), "put_p99_ms": p(0.99)}))
