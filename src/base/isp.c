// SPDX-License-Identifier: GPL-2.0-or-later
#include "ispflash/isp.h"

void isp_read_fuse(uint8_t cmd[4], enum mem_id mem)
{
    switch (mem) {
    case MEM_LFUSE:
        isp_set(cmd, 0x50, 0x00, 0x00, 0x00);
        break;
    case MEM_HFUSE:
        isp_set(cmd, 0x58, 0x08, 0x00, 0x00);
        break;
    case MEM_EFUSE:
        isp_set(cmd, 0x50, 0x08, 0x00, 0x00);
        break;
    default:
        isp_set(cmd, 0x58, 0x00, 0x00, 0x00);
        break; /* lock */
    }
}

void isp_write_fuse(uint8_t cmd[4], enum mem_id mem, uint8_t val)
{
    switch (mem) {
    case MEM_LFUSE:
        isp_set(cmd, 0xAC, 0xA0, 0x00, val);
        break;
    case MEM_HFUSE:
        isp_set(cmd, 0xAC, 0xA8, 0x00, val);
        break;
    case MEM_EFUSE:
        isp_set(cmd, 0xAC, 0xA4, 0x00, val);
        break;
    default:
        isp_set(cmd, 0xAC, 0xE0, 0x00, (uint8_t)(val | 0xC0u));
        break; /* lock: 11xx.xxxx */
    }
}
