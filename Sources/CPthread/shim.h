// Thread naming and non-blocking joins, which Swift's Glibc module does not
// export (glibc declares these only under _GNU_SOURCE).
#include <pthread.h>

extern int pthread_setname_np(pthread_t thread, const char *name);
extern int pthread_tryjoin_np(pthread_t thread, void **retval);

// Names the calling thread; Linux keeps the first 15 bytes.
static inline int contact_sync_name_current_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

// Joins `thread` if it has exited (0); EBUSY while it still runs. Never blocks.
static inline int contact_sync_try_join(pthread_t thread) {
    return pthread_tryjoin_np(thread, NULL);
}
