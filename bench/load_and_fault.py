"""Mixed load with a hostile client against a running diming (standard library only).

    python3 bench/load_and_fault.py PORT [SECONDS]

For SECONDS (60) threads mix: public scans of several sign pages, searches (characters, pinyin,
initials), staff edits (GET a place of 嘉善县 for its ETag, PUT it back changed), staff photo uploads
(a valid 64x1 PNG), and a hostile client (malformed JSON, unknown query parameters, 10,000-byte
URLs, duplicate JSON keys, a wrong If-Match, bodies over the size limit, made-up tokens). Prints
per route class: requests, throughput, p50/p99 latency, statuses and the count of 5xx (target 0);
the first few 5xx bodies are printed in full. Every loop is bounded by time and by count.
"""
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_png import real_png  # noqa: E402

PORT = int(sys.argv[1])
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
MAX_PER_THREAD = 200000
MAX_BODY = int(os.environ.get("DIMING_MAX_BODY_BYTES", 1048576))
PASSWORD = "diming-demo-2026"

lock = threading.Lock()
lat = defaultdict(list)          # class -> latencies (s)
statuses = defaultdict(Counter)  # class -> status -> count
fivexx_bodies = []
hangs = []


def conn():
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)


def call(c, cls, method, path, body=None, headers=None):
    """One request; records its class, status and latency. Returns (conn, status, headers, body)."""
    t0 = time.monotonic()
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        status = r.status
        hdrs = r
        if r.getheader("connection", "").lower() == "close":
            c.close()
            c = conn()
    except TimeoutError:
        status, hdrs, data = "timeout", None, b""
        with lock:
            hangs.append((cls, method, path[:120]))
        c.close()
        c = conn()
    except (OSError, http.client.HTTPException) as e:
        status, hdrs, data = "conn:" + type(e).__name__, None, b""
        c.close()
        c = conn()
    dt = time.monotonic() - t0
    with lock:
        lat[cls].append(dt)
        statuses[cls][status] += 1
        if isinstance(status, int) and status >= 500 and len(fivexx_bodies) < 10:
            fivexx_bodies.append((cls, method, path[:200], status, data[:1000]))
    return c, status, hdrs, data


def login(username):
    c = conn()
    c.request("POST", "/api/v1/auth/login", body=json.dumps({"username": username, "password": PASSWORD}),
              headers={"content-type": "application/json"})
    r = c.getresponse()
    token = json.loads(r.read())["token"]
    c.close()
    return token


def setup():
    token = login("jiashan")
    c = conn()
    auth = {"authorization": "Bearer " + token}
    c.request("GET", "/api/v1/signs?division=330421&limit=20", headers=auth)
    signs = [s["sign"] for s in json.loads(c.getresponse().read())["signs"]]
    c.request("GET", "/api/v1/places?division=330421&limit=50", headers=auth)
    ids = [f["id"] for f in json.loads(c.getresponse().read())["features"]]
    c.close()
    return token, signs, ids


TOKEN, SIGNS, PLACE_IDS = setup()
AUTH = {"authorization": "Bearer " + TOKEN}
CODES = [s["public_code"] for s in SIGNS[:8]]
SIGN_IDS = [s["id"] for s in SIGNS[:4]]
QUERIES = ["西塘", "xitang", "xi tang", "嘉善", "jiashan", "魏塘", "xtz", "西t", "平湖", "姚庄", "cheng", "大云"]
PNG = real_png()
deadline = time.monotonic() + SECONDS


def running(i):
    return time.monotonic() < deadline and i < MAX_PER_THREAD


def scanner(n):
    c = conn()
    i = 0
    while running(i):
        code = CODES[(n + i) % len(CODES)]
        lang = "?lang=en" if i % 5 == 0 else ""
        c, *_ = call(c, "scan /s/<code>", "GET", f"/s/{code}{lang}", headers={"accept-language": "zh-CN"})
        i += 1


def searcher(n):
    c = conn()
    i = 0
    while running(i):
        q = QUERIES[(n + i) % len(QUERIES)]
        extra = "&near=120.9,30.85" if i % 3 == 0 else ""
        c, *_ = call(c, "search", "GET", "/api/v1/search?q=" + urllib_quote(q) + extra)
        i += 1


def urllib_quote(s):
    from urllib.parse import quote
    return quote(s)


def editor(n):
    c = conn()
    i = 0
    while running(i):
        pid = PLACE_IDS[(n * 11 + i) % len(PLACE_IDS)]
        i += 1
        c, st, h, body = call(c, "edit: GET place", "GET", f"/api/v1/places/{pid}", headers=AUTH)
        if st != 200:
            continue
        f = json.loads(body)
        f["properties"]["meaning"] = f"load edit {n}-{i}"
        f["change"] = {"comment": "bench edit"}
        c, *_ = call(c, "edit: PUT place", "PUT", f"/api/v1/places/{pid}",
                     body=json.dumps(f, ensure_ascii=False).encode(),
                     headers={**AUTH, "content-type": "application/json", "if-match": h.getheader("etag")})


def multipart(photo):
    b = "benchboundary%08x" % random.getrandbits(32)
    body = (f"--{b}\r\ncontent-disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\n"
            "content-type: image/png\r\n\r\n").encode() + photo + f"\r\n--{b}--\r\n".encode()
    return body, f"multipart/form-data; boundary={b}"


def photographer(n):
    c = conn()
    i = 0
    while running(i):
        sid = SIGN_IDS[(n + i) % len(SIGN_IDS)]
        body, ctype = multipart(PNG)
        c, *_ = call(c, "photo upload", "POST", f"/api/v1/signs/{sid}/photos", body=body,
                     headers={**AUTH, "content-type": ctype})
        i += 1
        time.sleep(0.05)


def hostile(n):
    c = conn()
    i = 0
    pid = PLACE_IDS[-1 - n]
    code = CODES[0]
    json_h = {"content-type": "application/json"}
    c0 = conn()
    c0.request("GET", f"/api/v1/places/{pid}")
    feature = json.loads(c0.getresponse().read())
    c0.close()
    feature["properties"]["meaning"] = "hostile"
    feature["change"] = {"comment": "hostile"}
    valid_put = json.dumps(feature, ensure_ascii=False).encode()  # a valid body: only If-Match is wrong
    big = b'{"type":"Feature","properties":{"meaning":"' + b"x" * (MAX_BODY + 1024) + b'"}}'
    attacks = [
        ("hostile: malformed JSON PUT place", lambda: ("PUT", f"/api/v1/places/{pid}", b'{"type":"Feature","properties":{',
                                             {**AUTH, **json_h, "if-match": f'"p{pid}.v1"'})),
        ("hostile: malformed JSON login", lambda: ("POST", "/api/v1/auth/login", b'{"username": "x", "password"', json_h)),
        ("hostile: non-UTF-8 POST place", lambda: ("POST", "/api/v1/places", b"\xff\xfe not json", {**AUTH, **json_h})),
        ("hostile: unknown query param", lambda: ("GET", "/api/v1/places?division=330421&frobnicate=1", None, {})),
        ("hostile: unknown query param", lambda: ("GET", "/api/v1/search?q=xitang&evil=%00%ff", None, {})),
        ("hostile: unknown query param", lambda: ("GET", f"/s/{code}?utm_source=x&lang=xx", None, {})),
        ("hostile: 10 KB URL", lambda: ("GET", "/api/v1/search?q=" + "%E8%A5%BF" * 1109 + "aa", None, {})),
        ("hostile: 10 KB URL", lambda: ("GET", "/s/" + "A" * 9997, None, {})),
        ("hostile: 10 KB URL", lambda: ("GET", "/api/v1/places?division=" + "3" * 9976, None, {})),
        ("hostile: dup JSON keys login", lambda: ("POST", "/api/v1/auth/login",
                                                  b'{"username":"benchghost","username":"benchghost2","password":"a","password":"b"}', json_h)),
        ("hostile: dup JSON keys PUT", lambda: ("PUT", f"/api/v1/places/{pid}",
                                                  b'{"type":"Feature","type":"Feature","properties":{},"properties":{},"change":{"comment":"x"}}',
                                                  {**AUTH, **json_h, "if-match": f'"p{pid}.v1"'})),
        ("hostile: wrong If-Match", lambda: ("PUT", f"/api/v1/places/{pid}", valid_put,
                                             {**AUTH, **json_h, "if-match": '"p999999.v0"'})),
        ("hostile: wrong If-Match", lambda: ("PUT", f"/api/v1/places/{pid}", valid_put,
                                             {**AUTH, **json_h, "if-match": "garbage"})),
        ("hostile: wrong If-Match", lambda: ("PUT", f"/api/v1/places/{pid}", valid_put,
                                             {**AUTH, **json_h, "if-match": '"p%d.v0"' % pid})),
        ("hostile: body over limit", lambda: ("POST", "/api/v1/places", big, {**AUTH, **json_h})),
        ("hostile: body over limit", lambda: ("PUT", f"/api/v1/places/{pid}", big, {**AUTH, **json_h, "if-match": f'"p{pid}.v1"'})),
        ("hostile: made-up token GET", lambda: ("GET", "/api/v1/signs", None, {"authorization": "Bearer " + "%032x" % random.getrandbits(128)})),
        ("hostile: made-up token PUT", lambda: ("PUT", f"/api/v1/places/{pid}", b"{}",
                                            {"authorization": "Bearer forged.token.here", **json_h, "if-match": '"p1.v1"'})),
        ("hostile: Basic auth header", lambda: ("GET", "/api/v1/auth/me", None, {"authorization": "Basic YWRtaW46YWRtaW4="})),
    ]
    while running(i):
        cls, make = attacks[(n + i) % len(attacks)]
        method, path, body, headers = make()
        c, *_ = call(c, cls, method, path, body=body, headers=headers)
        i += 1
        time.sleep(0.01)


workers = ([(scanner, n) for n in range(6)] + [(searcher, n) for n in range(3)] + [(editor, n) for n in range(3)]
           + [(photographer, n) for n in range(1)] + [(hostile, n) for n in range(2)])
threads = [threading.Thread(target=f, args=(n,), daemon=True) for f, n in workers]
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join(max(1.0, deadline - time.monotonic() + 45))
elapsed = time.monotonic() - t0
stuck = sum(t.is_alive() for t in threads)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else float("nan")


print(f"{SECONDS:.0f} s mix on {os.cpu_count()} cores: {len(workers)} client threads "
      f"(6 scan, 3 search, 3 edit, 1 photo, 2 hostile); {elapsed:.1f} s wall")
print(f"{'class':<30} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'5xx':>5}  statuses")
total5 = 0
for cls in sorted(lat):
    xs = lat[cls]
    n5 = sum(v for k, v in statuses[cls].items() if isinstance(k, int) and k >= 500)
    total5 += n5
    st = ", ".join(f"{k}: {v}" for k, v in sorted(statuses[cls].items(), key=lambda kv: str(kv[0])))
    print(f"{cls:<30} {len(xs):8d} {len(xs) / SECONDS:8.1f} {pct(xs, 0.5):8.1f} {pct(xs, 0.99):8.1f} {n5:5d}  {st}")
print(f"total 5xx: {total5}  target 0  {'met' if total5 == 0 else 'NOT met'}; timeouts (30 s): {len(hangs)}; "
      f"threads still running at the end: {stuck}")
for cls, method, path, status, body in fivexx_bodies:
    print(f"5xx: {cls}: {method} {path} -> {status}: {body!r}")
for h in hangs[:5]:
    print("timeout:", h)
