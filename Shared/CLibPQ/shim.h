#ifndef PURSER_CLIBPQ_SHIM_H
#define PURSER_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
