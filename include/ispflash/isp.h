/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AVR serial-programming instruction layer: builds the 4-byte ISP
 * instructions (protocols.md section 1.2). Every backend and the core use these
 * instead of spelling opcodes themselves.
 */
#ifndef ISPFLASH_ISP_H
#define ISPFLASH_ISP_H

#include <stdbool.h>
#include <stdint.h>

#include "ispflash/part.h"

#define ISP_RDY_BSY_BUSY 0x01u

static inline void isp_set(uint8_t cmd[4], uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    cmd[0] = a;
    cmd[1] = b;
    cmd[2] = c;
    cmd[3] = d;
}

static inline void isp_prog_enable(uint8_t cmd[4])
{
    isp_set(cmd, 0xAC, 0x53, 0x00, 0x00);
}
static inline void isp_chip_erase(uint8_t cmd[4])
{
    isp_set(cmd, 0xAC, 0x80, 0x00, 0x00);
}
static inline void isp_poll(uint8_t cmd[4])
{
    isp_set(cmd, 0xF0, 0x00, 0x00, 0x00);
}

/* Flash byte address -> read instruction (20 low byte / 28 high byte, word address). */
static inline void isp_read_flash(uint8_t cmd[4], uint32_t byteaddr)
{
    uint32_t w = byteaddr >> 1;
    isp_set(cmd, (byteaddr & 1u) ? 0x28 : 0x20, (uint8_t)(w >> 8), (uint8_t)w, 0x00);
}

/* Load Program Memory Page (40 low / 48 high) for the byte at byteaddr. */
static inline void isp_load_flash(uint8_t cmd[4], uint32_t byteaddr, uint8_t val)
{
    uint32_t w = byteaddr >> 1;
    isp_set(cmd, (byteaddr & 1u) ? 0x48 : 0x40, (uint8_t)(w >> 8), (uint8_t)w, val);
}

/* Write Program Memory Page containing byteaddr. */
static inline void isp_write_flash_page(uint8_t cmd[4], uint32_t byteaddr)
{
    uint32_t w = byteaddr >> 1;
    isp_set(cmd, 0x4C, (uint8_t)(w >> 8), (uint8_t)w, 0x00);
}

/* Load Extended Address (word address bits 23..16) for parts above 128 KiB. */
static inline void isp_load_ext_addr(uint8_t cmd[4], uint32_t byteaddr)
{
    isp_set(cmd, 0x4D, 0x00, (uint8_t)(byteaddr >> 17), 0x00);
}

static inline void isp_read_eeprom(uint8_t cmd[4], uint32_t addr)
{
    isp_set(cmd, 0xA0, (uint8_t)(addr >> 8), (uint8_t)addr, 0x00);
}
static inline void isp_write_eeprom(uint8_t cmd[4], uint32_t addr, uint8_t val)
{
    isp_set(cmd, 0xC0, (uint8_t)(addr >> 8), (uint8_t)addr, val);
}
static inline void isp_load_eeprom_page(uint8_t cmd[4], uint32_t addr, uint8_t val)
{
    isp_set(cmd, 0xC1, 0x00, (uint8_t)addr, val);
}
static inline void isp_write_eeprom_page(uint8_t cmd[4], uint32_t addr)
{
    isp_set(cmd, 0xC2, (uint8_t)(addr >> 8), (uint8_t)addr, 0x00);
}
static inline void isp_read_signature(uint8_t cmd[4], unsigned n)
{
    isp_set(cmd, 0x30, 0x00, (uint8_t)n, 0x00);
}
static inline void isp_read_calibration(uint8_t cmd[4], unsigned n)
{
    isp_set(cmd, 0x38, 0x00, (uint8_t)n, 0x00);
}

/* Fuse/lock read and write instructions for MEM_LFUSE..MEM_LOCK. */
void isp_read_fuse(uint8_t cmd[4], enum mem_id mem);
void isp_write_fuse(uint8_t cmd[4], enum mem_id mem, uint8_t val);

#endif
