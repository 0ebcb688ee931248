"""Judges an RSS series (one sample a second, kB, one per line): prints it in MB
and fails (exit 1) when memory keeps rising or goes past a ceiling.

The first WARMUP share of samples is left out (the contact memory and
librdkafka's buffers fill up then, as they should). Of the rest, the last
third's median must not exceed the first third's by more than GROWTH percent,
and a straight line fitted through it must not climb by more than GROWTH
percent of its mean over its length. And no sample may exceed LIMIT_MB: RSS is
a high-water mark (glibc keeps what was freed), so memory that piles up and is
let go now and then shows as a few steps up that a trend alone can miss.

Usage: rss-trend.py FILE [GROWTH_PERCENT=10] [LIMIT_MB=150] [WARMUP_SHARE=0.25]"""
import statistics
import sys

samples = [int(line) for line in open(sys.argv[1]).read().split() if line.isdigit()]
growth_limit = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
limit_mb = float(sys.argv[3]) if len(sys.argv) > 3 else 150.0
warmup_share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.25

mb = [kb / 1024 for kb in samples]
print("rss_mb_per_second: " + " ".join(f"{value:.0f}" for value in mb))
judged = mb[int(len(mb) * warmup_share):]
if len(judged) < 9:
    print(f"rss-trend: only {len(judged)} samples after the warm-up; run longer (more events)")
    sys.exit(2)

third = len(judged) // 3
first, last = statistics.median(judged[:third]), statistics.median(judged[-third:])
median_growth = (last - first) / first * 100

xs = range(len(judged))
x_mean, y_mean = statistics.mean(xs), statistics.mean(judged)
slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, judged)) / sum((x - x_mean) ** 2 for x in xs)
fitted_growth = slope * (len(judged) - 1) / y_mean * 100

print(
    f"rss-trend: {len(mb)} samples, peak {max(mb):.0f} MB; after the warm-up ({len(mb) - len(judged)} s): "
    f"first-third median {first:.0f} MB, last-third median {last:.0f} MB ({median_growth:+.1f}%), "
    f"fitted slope {slope * 60:+.1f} MB/min ({fitted_growth:+.1f}% over the window); limits {growth_limit:.0f}% and {limit_mb:.0f} MB")
if median_growth > growth_limit or fitted_growth > growth_limit:
    print("rss-trend: FAIL, memory keeps rising")
    sys.exit(1)
if max(mb) > limit_mb:
    print(f"rss-trend: FAIL, RSS went past {limit_mb:.0f} MB")
    sys.exit(1)
print("rss-trend: ok, memory levels off below the ceiling")
