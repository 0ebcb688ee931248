// The allocator's controls: glibc's (malloc_trim, mallopt), which Swift's Glibc module does not
// export, and jemalloc's settings read through mallctl when jemalloc serves malloc.
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

// Whether jemalloc serves malloc in this process (the `contact-sync` binary links
// it), read through `mallctl` found at run time, so that the library and its
// tests, which run on glibc, need not link jemalloc. Each returns -1 on glibc.
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

typedef int (*contact_sync_mallctl_fn)(const char *, void *, size_t *, void *, size_t);

static inline contact_sync_mallctl_fn contact_sync_mallctl(void) {
    return (contact_sync_mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
}

// Reads one of jemalloc's values of `size` bytes; 0 on success, -1 on glibc.
static inline int contact_sync_jemalloc_read(const char *name, void *value, size_t size) {
    contact_sync_mallctl_fn mallctl = contact_sync_mallctl();
    size_t length = size;
    return (mallctl != NULL && mallctl(name, value, &length, NULL, 0) == 0 && length == size) ? 0 : -1;
}

// Copies jemalloc's version into `buffer` (NUL-terminated, cut to fit).
static inline int contact_sync_jemalloc_version(char *buffer, size_t capacity) {
    const char *version = NULL;
    if (capacity == 0 || contact_sync_jemalloc_read("version", &version, sizeof(version)) != 0 || version == NULL) return -1;
    strncpy(buffer, version, capacity - 1);
    buffer[capacity - 1] = 0;
    return 0;
}

// jemalloc's arena count and dirty-page decay as in effect (after malloc_conf and MALLOC_CONF).
static inline long contact_sync_jemalloc_arenas(void) {
    unsigned arenas = 0;
    return contact_sync_jemalloc_read("opt.narenas", &arenas, sizeof(arenas)) == 0 ? (long)arenas : -1;
}

static inline long contact_sync_jemalloc_dirty_decay_ms(void) {
    ssize_t decay = 0;
    return contact_sync_jemalloc_read("opt.dirty_decay_ms", &decay, sizeof(decay)) == 0 ? (long)decay : -1;
}
