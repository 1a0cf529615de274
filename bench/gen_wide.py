#!/usr/bin/env python3
"""Deterministic generator of wide ad-report rows (19 columns) as CSV or NDJSON.

    python3 bench/gen_wide.py --rows N --out FILE --format csv|ndjson [--seed S]

The same N and seed give the same rows in either format (byte-identical files run to
run), so bench/csv.sh can compare the two on equal data. Rows look like an export of
an ad platform: ids, quoted campaign names holding commas and doubled quotes, counts,
floats, ~10-30% nulls in some columns, dates and ISO timestamps, URLs, and now and
then a note holding a line break. In CSV a null is an empty field; in NDJSON it is
`null`, numbers are JSON numbers and everything else a JSON string.
Speed: values come from pre-rendered pools drawn with Random.choices(k=batch), one
%-format per row, written in batches of 50k rows.
"""
import argparse
import json
import random
import sys
import time
from datetime import date, timedelta

BATCH = 50_000

# (name, kind): kind decides how a value is rendered in each format.
COLUMNS = [
    ("event_id", "str"), ("account_id", "num"), ("campaign", "str"), ("ad_group", "str"),
    ("country", "str"), ("device", "str"), ("impressions", "num"), ("clicks", "num"),
    ("cost", "num"), ("conversions", "num"), ("revenue", "num"), ("ctr", "num"),
    ("is_active", "bool"), ("event_date", "str"), ("created_at", "str"),
    ("updated_at", "str"), ("currency", "str"), ("landing_url", "str"), ("note", "str"),
]

CAMPAIGNS = ["Spring sale, EU", "Brand", 'Retargeting "warm"', "Black Friday, US, 2026",
             "Prospecting", "App installs, iOS", "Search - generic", "Video, 15s, mid-roll"]
GROUPS = ["shoes", "bags, leather", "outdoor", "kids", "new arrivals", "clearance"]
COUNTRIES = ["US", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "BR", "JP"]
DEVICES = ["mobile", "desktop", "tablet", "connected_tv"]
CURRENCIES = ["EUR", "USD", "GBP", "JPY"]
NOTES = ["paused, budget reached", 'said "ok", resumed', "", "check bids", "ünïcödé",
         "a,b,c", "manual override"]


def csv_field(v):
    """A CSV field: empty for null, quoted when it holds a delimiter, quote or newline."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    s = v if isinstance(v, str) else str(v)
    if any(c in s for c in ',"\n\r') or s == "":
        return '"' + s.replace('"', '""') + '"'
    return s


def json_field(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v, ensure_ascii=False)


def pools(rng):
    """Each column's pool of raw values (None is null), drawn from per row."""
    start = date(2026, 1, 1)
    days = [(start + timedelta(days=i)).isoformat() for i in range(365)]

    def ts():
        return (f"{rng.choice(days)}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:"
                f"{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z")

    return {
        "account_id": [rng.randrange(1000, 99_999) for _ in range(500)],
        "campaign": CAMPAIGNS,
        "ad_group": [f"{rng.choice(GROUPS)} #{i}" for i in range(300)],
        "country": COUNTRIES,
        "device": DEVICES,
        "impressions": [rng.randrange(0, 200_000) for _ in range(5000)],
        "clicks": [rng.randrange(0, 5_000) for _ in range(5000)],
        "cost": [round(rng.uniform(0, 5000), 4) for _ in range(5000)],
        "conversions": [None] * 100 + [round(rng.uniform(0, 50), 2) for _ in range(900)],
        "revenue": [None] * 200 + [round(rng.uniform(0, 20000), 2) for _ in range(800)],
        "ctr": [rng.random() / 10 for _ in range(5000)],
        "is_active": [True, False],
        "event_date": days,
        "created_at": [ts() for _ in range(5000)],
        "updated_at": [None] * 300 + [ts() for _ in range(4700)],
        "currency": CURRENCIES,
        "landing_url": [f"https://shop.example.com/p/{rng.randrange(10**6)}?utm_source=ads&utm_id={i}"
                        for i in range(2000)],
        # ~30% null notes; about one in fifty holds a line break.
        "note": [None] * 300 + ["line one\nline two"] * 20
                + [rng.choice(NOTES) for _ in range(680)],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--format", choices=["csv", "ndjson"], required=True)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()

    t0 = time.perf_counter()
    rng = random.Random(a.seed)
    raw = pools(rng)
    names = [n for n, _ in COLUMNS]
    render = csv_field if a.format == "csv" else json_field
    # Pools rendered once per format: a row is then one %-format of pre-rendered text.
    rendered = {k: [render(v) for v in vs] for k, vs in raw.items()}
    if a.format == "csv":
        row = ",".join(["EVT-%09d"] + ["%s"] * (len(names) - 1)) + "\n"
        head = ",".join(names) + "\n"
    else:
        row = "{" + ",".join([f'"{names[0]}":"EVT-%09d"'] + [f'"{n}":%s' for n in names[1:]]) + "}\n"
        head = ""
    choices = rng.choices
    with open(a.out, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as f:
        f.write(head)
        done = 0
        while done < a.rows:
            # Full batches are always drawn, so a smaller file is the first rows of a
            # larger one with the same seed.
            k = BATCH
            cols = [choices(rendered[n], k=k) for n in names[1:]]
            f.write("".join(row % r for r in zip(
                range(done + 1, min(done + k, a.rows) + 1), *cols)))
            done += k
    dt = time.perf_counter() - t0
    print(f"wrote {a.rows} {a.format} rows to {a.out} in {dt:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
