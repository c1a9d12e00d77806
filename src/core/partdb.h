/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part table (generated into partdb.c by tools/gen_partdb.py). Private to the
 * core: everyone else goes through include/ispflash/part.h.
 */
#ifndef ISPF_CORE_PARTDB_H
#define ISPF_CORE_PARTDB_H

#include <stddef.h>

#include "ispflash/part.h"

extern const struct part partdb_parts[];
extern const size_t partdb_count;

#endif
