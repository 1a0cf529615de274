#!/usr/bin/env python3
"""Deterministic NDJSON generator for the transform benchmark (Sluice vs dlt).

    python3 bench/gen_ndjson.py --rows N --out FILE [--seed S]

Every value is raw, as a source API would hand it over (numbers as strings, untrimmed
names, lowercase codes, nulls). Same N and seed -> byte-identical file.
Speed: values are drawn from pre-escaped pools with Random.choices(k=batch) and each
row is one %-format, written in batches of 50k rows (no json.dumps per row).
"""
import argparse
import json
import random
import sys
import time
from datetime import date, timedelta

BATCH = 50_000

ROW = ('{"order_id":"ORD-%09d","customer":%s,"country":"%s","quantity":"%d",'
       '"unit_price":"%s","discount":%s,"is_member":"%s","order_date":"%s",'
       '"updated_at":"%sT%sZ","note":%s}\n')

FIRST = ["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoë"]
LAST = ["smith", "jones", "müller", "garcia", "rossi", "dubois", "nowak", "silva", "kim", "o'brien"]
COUNTRIES = ["us", "gb", "de", "fr", "it", "es", "nl", "pl", "br", "jp"]
NOTES = ["leave at door", "gift wrap", 'fragile: "glass"', "call before delivery",
         "back\\order", "tab\there", "2nd attempt", "ünïcödé note", "", "rush"]


def case(rng, s):
    k = rng.randrange(4)
    return s if k == 0 else s.upper() if k == 1 else s.title() if k == 2 else s.capitalize()


def pools(rng):
    customers = []
    for _ in range(2000):
        name = case(rng, f"{rng.choice(FIRST)} {rng.choice(LAST)}")
        name = " " * rng.randrange(3) + name + " " * rng.randrange(3)
        customers.append(json.dumps(name, ensure_ascii=False))
    prices = [f"{rng.randrange(50, 100_000) / 100:.2f}" for _ in range(5000)]
    # ~10% null discounts, otherwise a JSON float
    discounts = ["null"] * 100 + [repr(round(rng.uniform(0, 0.3), 3)) for _ in range(900)]
    # ~30% null notes
    notes = ["null"] * 300 + [json.dumps(rng.choice(NOTES), ensure_ascii=False) for _ in range(700)]
    start = date(2026, 1, 1)
    days = [(start + timedelta(days=i)).isoformat() for i in range(365)]
    times = [f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}" for _ in range(3600)]
    return customers, prices, discounts, notes, days, times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()

    t0 = time.perf_counter()
    rng = random.Random(a.seed)
    customers, prices, discounts, notes, days, times = pools(rng)
    qty = range(1, 21)
    member = ["true", "false"]
    choices = rng.choices
    with open(a.out, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as f:
        done = 0
        while done < a.rows:
            # Always draw full batches (zip stops at the id range), so a smaller file is
            # exactly the first rows of a larger one with the same seed.
            k = BATCH
            day = choices(days, k=k)
            f.write("".join(ROW % r for r in zip(
                range(done + 1, min(done + k, a.rows) + 1),
                choices(customers, k=k), choices(COUNTRIES, k=k), choices(qty, k=k),
                choices(prices, k=k), choices(discounts, k=k), choices(member, k=k),
                day, day, choices(times, k=k), choices(notes, k=k))))
            done += k
    dt = time.perf_counter() - t0
    print(f"wrote {a.rows} rows to {a.out} in {dt:.2f} s ({a.rows / dt:,.0f} rows/s)", file=sys.stderr)


if __name__ == "__main__":
    main()
