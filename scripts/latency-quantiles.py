"""Prints p50 and p99 (bucket upper bounds, seconds) of contact-sync's
consume -> acknowledged result histogram, read from its /metrics endpoint."""
import sys
import urllib.request

text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics").read().decode()
buckets = []
for line in text.splitlines():
    if line.startswith("contact_sync_event_to_result_seconds_bucket{") and 'from="consumed"' in line:
        bound = line.split('le="')[1].split('"')[0]
        buckets.append((float("inf") if bound == "+Inf" else float(bound), float(line.split()[-1])))
buckets.sort()
total = buckets[-1][1] if buckets else 0


def quantile(p):
    for bound, count in buckets:
        if total and count >= p * total:
            return bound
    return float("nan")


print(f"{quantile(0.5)} {quantile(0.99)}")
