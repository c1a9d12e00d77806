/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table tools/gen_fingerprints.py generates (src/core/fingerprint_db.c). */
#ifndef ISPFLASH_CORE_FINGERPRINT_DB_H
#define ISPFLASH_CORE_FINGERPRINT_DB_H

#include <stddef.h>

#include "ispflash/fingerprint.h"

extern const struct fp_entry fp_db[];
extern const size_t fp_db_count;

#endif
