#!/usr/bin/env python3
"""Pre-signed webhook deliveries for scripts/bench-intake.sh.

Writes N requests for `POST /v1/events`, signed with the PyPI `standardwebhooks`
package (an implementation independent of the service's), into SHARDS files
PREFIX.0 .. PREFIX.<SHARDS-1>: request i goes to shard i % SHARDS, so each wrk
thread replays its own shard and no request is sent twice. One line per request:

    webhook-id <TAB> webhook-timestamp <TAB> webhook-signature <TAB> body

Every webhook-id and event_id is unique (a repeated webhook-id would be answered
202 {"duplicate":true} without producing); external_ids are spread uniformly over
CUSTOMERS customers; 80% logins, 20% profile changes with 1-3 custom attributes.
All requests carry the current timestamp: replay them within the intake's
tolerance (5 minutes by default).
"""
import argparse
import json
import random
import sys
import time
from datetime import datetime, timezone

from standardwebhooks import Webhook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret-file", required=True, help="file whose first line is a whsec_... secret")
    parser.add_argument("--out", required=True, help="prefix of the shard files")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--events-per-request", type=int, default=1)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--run", default="run", help="prefix of webhook-ids and event_ids, unique per run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.events_per_request < 1 or args.requests < 1 or args.shards < 1:
        parser.error("--requests, --events-per-request and --shards must be positive")

    with open(args.secret_file, encoding="ascii") as f:
        secret = f.readline().strip()
    webhook = Webhook(secret)
    rng = random.Random(args.seed)

    now = int(time.time())
    signed_at = datetime.fromtimestamp(now, timezone.utc)
    timestamp = str(now)
    occurred_at = signed_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    plans = ("free", "pro", "team", "enterprise")

    def event(n: int) -> dict:
        customer = f"cust-{rng.randrange(args.customers)}"
        event_id = f"{args.run}-e{n}"
        if rng.random() < 0.8:
            return {"type": "login", "event_id": event_id, "occurred_at": occurred_at, "external_id": customer}
        attributes = {"plan": rng.choice(plans), "orders": rng.randrange(100), "vip": rng.random() < 0.1}
        keep = rng.randint(1, 3)
        return {
            "type": "profile_changed", "event_id": event_id, "occurred_at": occurred_at, "external_id": customer,
            "email": f"{customer}@example.com", "name": f"Customer {customer[5:]}",
            "custom_attributes": dict(list(attributes.items())[:keep]),
        }

    shards = [open(f"{args.out}.{k}", "w", encoding="utf-8") for k in range(args.shards)]
    sample = None
    n = 0
    for i in range(args.requests):
        if args.events_per_request == 1:
            payload = event(n)
            n += 1
        else:
            payload = {"events": [event(n + j) for j in range(args.events_per_request)]}
            n += args.events_per_request
        body = json.dumps(payload, separators=(",", ":"))
        webhook_id = f"msg_{args.run}_{i}"
        signature = webhook.sign(webhook_id, signed_at, body)
        shards[i % args.shards].write(f"{webhook_id}\t{timestamp}\t{signature}\t{body}\n")
        if sample is None:
            sample = (webhook_id, signature, body)
    for f in shards:
        f.close()

    # The package's own verifier accepts what it signed (a check of this script's use of it).
    webhook_id, signature, body = sample
    webhook.verify(body, {"webhook-id": webhook_id, "webhook-timestamp": timestamp, "webhook-signature": signature})
    print(f"intake-requests: {args.requests} requests, {n} events, signed at {timestamp}, {args.shards} shards",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
