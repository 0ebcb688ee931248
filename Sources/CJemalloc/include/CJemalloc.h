// Linking this target makes jemalloc the process's allocator, configured by
// `malloc_conf` (jemalloc_config.c). Nothing here is called: the allocator is
// reached through malloc and free, and read through `mallctl` in CMalloc.
