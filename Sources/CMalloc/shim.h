// glibc's allocator controls (malloc_trim, mallopt), which Swift's Glibc module does not export.
#include <malloc.h>

// mallopt's parameter names are macros; these name the three we set.
static inline int contact_sync_set_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }
static inline int contact_sync_set_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
static inline int contact_sync_set_trim_threshold(int bytes) { return mallopt(M_TRIM_THRESHOLD, bytes); }

// For tests: whether glibc served `pointer` by its own mmap (the IS_MMAPPED bit,
// 0x2, of the size word that precedes every chunk glibc hands out).
static inline int contact_sync_chunk_is_mmapped(void *pointer) {
    return (((const size_t *)pointer)[-1] & 0x2) != 0;
}
