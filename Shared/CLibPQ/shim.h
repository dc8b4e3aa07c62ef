#ifndef PURSER_CLIBPQ_SHIM_H
#define PURSER_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <sys/prctl.h>

/* Names the calling thread (15 bytes kept) so pool threads show in `top -H`;
   prctl is variadic, hence the wrapper. */
static inline int purser_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/* Copies the calling thread's name into `buffer` (at least 16 bytes). */
static inline int purser_get_thread_name(char *buffer) {
    return prctl(PR_GET_NAME, (unsigned long)buffer, 0, 0, 0);
}
#endif
