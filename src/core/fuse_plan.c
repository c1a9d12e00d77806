// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuse write planning (see include/ispflash/fuse.h): the values in effect after a plan,
 * and the order in which its bytes are written.
 */
#include "core/fuse_internal.h"

void fuse_plan_result(const struct fuse_plan *plan, uint8_t out[FUSE_NBYTES])
{
    for (int i = 0; i < FUSE_NBYTES; i++) {
        const struct fuse_byte *fb = &plan->part->fuse[i];
        uint8_t v = plan->write[i] ? plan->next[i] : plan->cur[i];
        uint8_t used = fb->present ? fb->used : 0;
        out[i] = (uint8_t)((v & used) | (uint8_t)~used);
    }
}

size_t fuse_write_order(const struct part *p, const bool write[FUSE_NBYTES],
                        enum mem_id order[FUSE_NBYTES])
{
    enum mem_id clk_mem = MEM_LOCK;
    bool has_clk = fuse_clock_field(p, &clk_mem) != NULL;
    size_t n = 0;
    for (int i = 0; i < FUSE_NBYTES - 1; i++)
        if (write[i] && !(has_clk && fuse_mem(i) == clk_mem))
            order[n++] = fuse_mem(i);
    if (has_clk && clk_mem != MEM_LOCK && write[fuse_index(clk_mem)])
        order[n++] = clk_mem;
    if (write[fuse_index(MEM_LOCK)])
        order[n++] = MEM_LOCK;
    return n;
}
