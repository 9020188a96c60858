"""PNG bombs against the two photo routes, with the service's RSS sampled every 50 ms.

    python3 bench/photo_bombs.py PORT PID CODE SIGN_ID TOKEN BOMB_FILE [REPORTS STAFF]

Sends REPORTS (32) bombs in parallel to the anonymous report form POST /s/CODE/report, then STAFF
(16) in parallel to POST /api/v1/signs/SIGN_ID/photos, sampling VmRSS of PID throughout; prints the
idle RSS, the peak, the difference and the statuses.
"""
import http.client
import sys
import threading
import time
import uuid
from collections import Counter

port, pid, code, sign_id, token, bomb_file = sys.argv[1:7]
port = int(port)
reports, staff = (int(sys.argv[7]), int(sys.argv[8])) if len(sys.argv) > 8 else (32, 16)
bomb = open(bomb_file, "rb").read()


def rss_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def multipart(fields, photo):
    boundary = uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += (f"--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n").encode() + value.encode() + b"\r\n"
    out += (f"--{boundary}\r\ncontent-disposition: form-data; name=\"photo\"; filename=\"bomb.png\"\r\n"
            "content-type: image/png\r\n\r\n").encode() + photo + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


samples = []
stop = threading.Event()


def sampler():
    deadline = time.monotonic() + 300  # bounded
    while not stop.is_set() and time.monotonic() < deadline:
        samples.append(rss_kb())
        time.sleep(0.05)


def fire(n, path, fields, headers):
    statuses, details = Counter(), {}
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def one():
        body, ctype = multipart(fields, bomb)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait(30)
        try:
            c.request("POST", path, body=body, headers={**headers, "content-type": ctype})
            r = c.getresponse()
            text = r.read()
            with lock:
                statuses[r.status] += 1
                details.setdefault(r.status, text[:300])
        except (OSError, http.client.HTTPException) as e:
            with lock:
                statuses["error:" + type(e).__name__] += 1
        finally:
            c.close()

    threads = [threading.Thread(target=one) for _ in range(n)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    return statuses, details, time.monotonic() - t0


idle = rss_kb()
s = threading.Thread(target=sampler)
s.start()
results = []
for name, n, path, fields, headers in [
    ("report form", reports, f"/s/{code}/report", [("kind", "damaged"), ("text", "牌子倒了"), ("website", "")], {}),
    ("staff photos", staff, f"/api/v1/signs/{sign_id}/photos", [], {"authorization": "Bearer " + token}),
]:
    before = len(samples)
    statuses, details, took = fire(n, path, fields, headers)
    time.sleep(0.2)
    results.append((name, n, path, statuses, details, took, max(samples[before:] or [rss_kb()])))
time.sleep(0.5)
stop.set()
s.join()
peak = max(samples + [idle])
print(f"bomb: {len(bomb)} bytes, IHDR 9000 x 9000 (81 Mpixel; 243 MB as RGB if decoded)")
print(f"idle RSS                {idle / 1024:8.1f} MB")
for name, n, path, statuses, details, took, phase_peak in results:
    print(f"{name:<14} {n:3d} in parallel to {path}: statuses {dict(statuses)} in {took:.2f} s; peak RSS in phase {phase_peak / 1024:.1f} MB")
    for st, d in details.items():
        if st != 413:
            print(f"   unexpected {st}: {d!r}")
print(f"peak RSS                {peak / 1024:8.1f} MB  ({len(samples)} samples every 50 ms)")
diff = (peak - idle) / 1024
print(f"peak - idle             {diff:8.1f} MB  target < 300 MB  {'met' if diff < 300 else 'NOT met'}")
all413 = all(set(r[3]) == {413} for r in results)
print(f"all answers 413         {'yes' if all413 else 'NO'}")
