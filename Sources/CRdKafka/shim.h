#ifndef CONTACT_SYNC_CRDKAFKA_SHIM_H
#define CONTACT_SYNC_CRDKAFKA_SHIM_H
// Prefer the librdkafka >= 2.1 that scripts/setup.sh builds into .deps; fall
// back to the system's headers (e.g. in the Docker image, where it is new enough).
#if __has_include("../../.deps/librdkafka/include/librdkafka/rdkafka.h")
#include "../../.deps/librdkafka/include/librdkafka/rdkafka.h"
#else
#include <librdkafka/rdkafka.h>
#endif
#endif
