#ifndef CONTACT_SYNC_CSQLITE_SHIM_H
#define CONTACT_SYNC_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot
// import; this constant gives it a name. (sqlite3_config and other variadic
// calls are not used.)
static const sqlite3_destructor_type contact_sync_sqlite_transient = SQLITE_TRANSIENT;

#endif
