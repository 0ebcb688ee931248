// jemalloc reads this string once, before its first allocation; MALLOC_CONF in
// the environment is applied after it and wins (README, "The allocator").
//
// narenas:2          two arenas for two cores' worth of threads (jemalloc's
//                    default is four per CPU): fewer half-empty arenas.
// dirty_decay_ms:100 freed pages go back to the system within 100 ms (default
// muzzy_decay_ms:0   10 s), directly: the batches free megabytes several times a
//                    second, and peak RSS has a bound (100 MB in the benchmarks).
// background_thread  jemalloc's own thread returns them on time, also when the
//                    service goes quiet and nothing allocates.
// tcache_max:4096    per-thread caches for small sizes only (default 32 KiB).
//
// Against glibc with the service's glibc settings (BENCHMARKS.md, session 30):
// 200,000 events, 3.06 to 4.10 against 3.53 to 4.40 CPU s (5 pairs), peak RSS
// 77 to 79 against 69 to 75 MB; 2,000,000 events, 46 and 49 against 66 and 75
// CPU s, 95 against 86 to 88 MB.
__attribute__((used, visibility("default")))
const char *malloc_conf = "narenas:2,dirty_decay_ms:100,muzzy_decay_ms:0,background_thread:true,tcache_max:4096";
