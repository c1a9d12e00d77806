// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STK500v2 framing (see stk500v2_proto.h). Pure functions, no I/O.
 */
#include <string.h>

#include "programmers/stk500v2_proto.h"

uint8_t stk2_xor(const uint8_t *buf, size_t len)
{
    uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= buf[i];
    return x;
}

size_t stk2_frame(uint8_t *out, uint8_t seq, const uint8_t *body, size_t len)
{
    out[0] = STK2_MESSAGE_START;
    out[1] = seq;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    out[4] = STK2_TOKEN;
    memcpy(out + 5, body, len);
    out[5 + len] = stk2_xor(out, 5 + len);
    return len + STK2_FRAME_OVERHEAD;
}

void stk2_rx_init(struct stk2_rx *rx, uint8_t expect_seq)
{
    rx->state = STK2_RX_START;
    rx->seq = expect_seq;
    rx->size = 0;
    rx->got = 0;
    rx->csum = 0;
    rx->skipped = 0;
    rx->wrong_seq = 0;
    rx->bad_frames = 0;
}

enum stk2_rx_result stk2_rx_feed(struct stk2_rx *rx, uint8_t c)
{
    switch (rx->state) {
    case STK2_RX_START:
        if (c == STK2_MESSAGE_START) {
            rx->csum = c;
            rx->state = STK2_RX_SEQ;
        } else {
            rx->skipped++;
        }
        return STK2_RX_MORE;
    case STK2_RX_SEQ:
        if (c != rx->seq) {
            /* An answer to another command (a stale one), or garbage: hunt again.
             * The byte itself may be the start of the real answer. */
            rx->wrong_seq++;
            rx->skipped++;
            rx->state = STK2_RX_START;
            if (c == STK2_MESSAGE_START) {
                rx->csum = c;
                rx->state = STK2_RX_SEQ;
            }
            return STK2_RX_MORE;
        }
        rx->csum ^= c;
        rx->state = STK2_RX_SIZE1;
        return STK2_RX_MORE;
    case STK2_RX_SIZE1:
        rx->csum ^= c;
        rx->size = (uint16_t)(c << 8);
        rx->state = STK2_RX_SIZE2;
        return STK2_RX_MORE;
    case STK2_RX_SIZE2:
        rx->csum ^= c;
        rx->size |= c;
        if (rx->size == 0 || rx->size > STK2_MAX_BODY) {
            rx->bad_frames++;
            rx->skipped += 4;
            rx->state = STK2_RX_START;
            return STK2_RX_MORE;
        }
        rx->state = STK2_RX_TOKEN;
        return STK2_RX_MORE;
    case STK2_RX_TOKEN:
        if (c != STK2_TOKEN) {
            rx->bad_frames++;
            rx->skipped += 5;
            rx->state = STK2_RX_START;
            if (c == STK2_MESSAGE_START) {
                rx->csum = c;
                rx->state = STK2_RX_SEQ;
            }
            return STK2_RX_MORE;
        }
        rx->csum ^= c;
        rx->got = 0;
        rx->state = STK2_RX_BODY;
        return STK2_RX_MORE;
    case STK2_RX_BODY:
        rx->csum ^= c;
        rx->body[rx->got++] = c;
        if (rx->got == rx->size)
            rx->state = STK2_RX_CSUM;
        return STK2_RX_MORE;
    case STK2_RX_CSUM:
        rx->csum ^= c;
        rx->state = STK2_RX_START;
        return rx->csum == 0 ? STK2_RX_DONE : STK2_RX_BADSUM;
    }
    return STK2_RX_MORE;
}

size_t stk2_rx_pending(const struct stk2_rx *rx)
{
    if (rx->state == STK2_RX_BODY)
        return (size_t)(rx->size - rx->got) + 1u;
    if (rx->state == STK2_RX_CSUM)
        return 1u;
    return 0;
}

const char *stk2_cmd_name(uint8_t cmd)
{
    switch (cmd) {
    case STK2_CMD_SIGN_ON:
        return "SIGN_ON";
    case STK2_CMD_SET_PARAMETER:
        return "SET_PARAMETER";
    case STK2_CMD_GET_PARAMETER:
        return "GET_PARAMETER";
    case STK2_CMD_LOAD_ADDRESS:
        return "LOAD_ADDRESS";
    case STK2_CMD_ENTER_PROGMODE_ISP:
        return "ENTER_PROGMODE_ISP";
    case STK2_CMD_LEAVE_PROGMODE_ISP:
        return "LEAVE_PROGMODE_ISP";
    case STK2_CMD_CHIP_ERASE_ISP:
        return "CHIP_ERASE_ISP";
    case STK2_CMD_PROGRAM_FLASH_ISP:
        return "PROGRAM_FLASH_ISP";
    case STK2_CMD_READ_FLASH_ISP:
        return "READ_FLASH_ISP";
    case STK2_CMD_PROGRAM_EEPROM_ISP:
        return "PROGRAM_EEPROM_ISP";
    case STK2_CMD_READ_EEPROM_ISP:
        return "READ_EEPROM_ISP";
    case STK2_CMD_PROGRAM_FUSE_ISP:
        return "PROGRAM_FUSE_ISP";
    case STK2_CMD_READ_FUSE_ISP:
        return "READ_FUSE_ISP";
    case STK2_CMD_PROGRAM_LOCK_ISP:
        return "PROGRAM_LOCK_ISP";
    case STK2_CMD_READ_LOCK_ISP:
        return "READ_LOCK_ISP";
    case STK2_CMD_READ_SIGNATURE_ISP:
        return "READ_SIGNATURE_ISP";
    case STK2_CMD_READ_OSCCAL_ISP:
        return "READ_OSCCAL_ISP";
    case STK2_CMD_SPI_MULTI:
        return "SPI_MULTI";
    default:
        return "unknown command";
    }
}

const char *stk2_status_name(uint8_t status)
{
    switch (status) {
    case STK2_STATUS_CMD_OK:
        return "OK";
    case STK2_STATUS_CMD_TOUT:
        return "CMD_TOUT (command timed out)";
    case STK2_STATUS_RDY_BSY_TOUT:
        return "RDY_BSY_TOUT (target stayed busy)";
    case STK2_STATUS_SET_PARAM_MISSING:
        return "SET_PARAM_MISSING";
    case STK2_STATUS_CMD_FAILED:
        return "CMD_FAILED";
    case STK2_STATUS_CKSUM_ERROR:
        return "CKSUM_ERROR";
    case STK2_STATUS_CMD_UNKNOWN:
        return "CMD_UNKNOWN (programmer does not know this command)";
    case STK2_STATUS_ILLEGAL_PARAMETER:
        return "ILLEGAL_PARAMETER";
    case 0xCB:
        return "PHY_ERROR";
    case 0xCC:
        return "CLOCK_ERROR";
    case 0xCD:
        return "BAUD_INVALID";
    default:
        return "unknown status";
    }
}
