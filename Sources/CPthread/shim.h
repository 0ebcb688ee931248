// Thread naming, which Swift's Glibc module does not export (glibc declares
// pthread_setname_np only under _GNU_SOURCE).
#include <pthread.h>

extern int pthread_setname_np(pthread_t thread, const char *name);

// Names the calling thread; Linux keeps the first 15 bytes.
static inline int contact_sync_name_current_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
