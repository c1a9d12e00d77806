// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STK500v2 framing: message build, checksum, and the receiver's hunting for the
 * start byte, sequence check, token/size checks and checksum verdicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "programmers/stk500v2_proto.h"

/* Feed bytes until the receiver finishes; returns the verdict and how many bytes it used. */
static enum stk2_rx_result feed_all(struct stk2_rx *rx, const uint8_t *buf, size_t len,
                                    size_t *used)
{
    for (size_t i = 0; i < len; i++) {
        enum stk2_rx_result r = stk2_rx_feed(rx, buf[i]);
        if (r != STK2_RX_MORE) {
            *used = i + 1;
            return r;
        }
    }
    *used = len;
    return STK2_RX_MORE;
}

static void test_frame_sign_on(void **state)
{
    (void)state;
    /* SIGN_ON with sequence 1: 1B 01 00 01 0E 01, checksum = XOR of them all. */
    uint8_t out[16];
    const uint8_t body[1] = {STK2_CMD_SIGN_ON};
    size_t n = stk2_frame(out, 1, body, 1);
    const uint8_t want[7] = {0x1B, 0x01, 0x00, 0x01, 0x0E, 0x01, 0x1B ^ 0x01 ^ 0x01 ^ 0x0E ^ 0x01};
    assert_int_equal(n, 7);
    assert_memory_equal(out, want, 7);
    assert_int_equal(want[6], 0x14);
    assert_int_equal(stk2_xor(out, n), 0); /* a whole frame XORs to zero */
}

static void test_frame_size_msb_first(void **state)
{
    (void)state;
    uint8_t body[266], out[300];
    memset(body, 0xA5, sizeof body);
    body[0] = STK2_CMD_PROGRAM_FLASH_ISP;
    size_t n = stk2_frame(out, 0xFF, body, sizeof body);
    assert_int_equal(n, 272);
    assert_int_equal(out[1], 0xFF);
    assert_int_equal(out[2], 0x01); /* 266 = 0x010A */
    assert_int_equal(out[3], 0x0A);
    assert_int_equal(out[4], STK2_TOKEN);
    assert_int_equal(stk2_xor(out, n), 0);
}

static void test_rx_roundtrip(void **state)
{
    (void)state;
    const uint8_t body[6] = {STK2_CMD_SPI_MULTI, 0x00, 0x00, 0xAC, 0x53, 0x00};
    uint8_t frame[32];
    size_t n = stk2_frame(frame, 42, body, sizeof body);
    struct stk2_rx rx;
    stk2_rx_init(&rx, 42);
    size_t used;
    assert_int_equal(feed_all(&rx, frame, n, &used), STK2_RX_DONE);
    assert_int_equal(used, n);
    assert_int_equal(rx.size, sizeof body);
    assert_memory_equal(rx.body, body, sizeof body);
    assert_int_equal(rx.skipped, 0);
}

static void test_rx_hunts_through_noise(void **state)
{
    (void)state;
    const uint8_t body[2] = {STK2_CMD_LOAD_ADDRESS, STK2_STATUS_CMD_OK};
    uint8_t buf[64];
    /* Garbage, including a start byte followed by a wrong sequence number. */
    const uint8_t noise[] = {0x00, 0xFF, 0x1B, 0x77, 0x55};
    memcpy(buf, noise, sizeof noise);
    size_t n = sizeof noise + stk2_frame(buf + sizeof noise, 9, body, sizeof body);
    struct stk2_rx rx;
    stk2_rx_init(&rx, 9);
    size_t used;
    assert_int_equal(feed_all(&rx, buf, n, &used), STK2_RX_DONE);
    assert_int_equal(used, n);
    assert_memory_equal(rx.body, body, 2);
    assert_int_equal(rx.wrong_seq, 1);
    assert_true(rx.skipped >= 4);
}

static void test_rx_skips_stale_answer(void **state)
{
    (void)state;
    /* A late answer to the previous command (sequence 3) arrives before ours (4):
     * it is skipped as a whole, ours is taken. */
    const uint8_t old[3] = {STK2_CMD_READ_FUSE_ISP, 0x00, 0x5E};
    const uint8_t cur[3] = {STK2_CMD_READ_LOCK_ISP, 0x00, 0x3F};
    uint8_t buf[64];
    size_t n = stk2_frame(buf, 3, old, 3);
    n += stk2_frame(buf + n, 4, cur, 3);
    struct stk2_rx rx;
    stk2_rx_init(&rx, 4);
    size_t used;
    assert_int_equal(feed_all(&rx, buf, n, &used), STK2_RX_DONE);
    assert_int_equal(used, n);
    assert_memory_equal(rx.body, cur, 3);
    assert_int_equal(rx.wrong_seq, 1);
}

static void test_rx_bad_checksum(void **state)
{
    (void)state;
    const uint8_t body[3] = {STK2_CMD_GET_PARAMETER, 0x00, 50};
    uint8_t frame[16];
    size_t n = stk2_frame(frame, 7, body, 3);
    frame[n - 1] ^= 0x01;
    struct stk2_rx rx;
    stk2_rx_init(&rx, 7);
    size_t used;
    assert_int_equal(feed_all(&rx, frame, n, &used), STK2_RX_BADSUM);
    assert_int_equal(used, n);
    /* A flipped body byte is caught too. */
    n = stk2_frame(frame, 7, body, 3);
    frame[7] ^= 0x40;
    stk2_rx_init(&rx, 7);
    assert_int_equal(feed_all(&rx, frame, n, &used), STK2_RX_BADSUM);
}

static void test_rx_bad_token_and_size(void **state)
{
    (void)state;
    const uint8_t body[2] = {STK2_CMD_LEAVE_PROGMODE_ISP, 0x00};
    uint8_t buf[64];
    size_t n = 0;
    /* Right sequence, wrong token. */
    const uint8_t badtok[] = {0x1B, 0x05, 0x00, 0x02, 0x0F};
    memcpy(buf, badtok, sizeof badtok);
    n += sizeof badtok;
    /* Right sequence, size above the 275-byte limit. */
    const uint8_t badsize[] = {0x1B, 0x05, 0x01, 0x20};
    memcpy(buf + n, badsize, sizeof badsize);
    n += sizeof badsize;
    n += stk2_frame(buf + n, 5, body, 2);
    struct stk2_rx rx;
    stk2_rx_init(&rx, 5);
    size_t used;
    assert_int_equal(feed_all(&rx, buf, n, &used), STK2_RX_DONE);
    assert_int_equal(used, n);
    assert_memory_equal(rx.body, body, 2);
    assert_int_equal(rx.bad_frames, 2);
}

static void test_rx_cksum_error_answer(void **state)
{
    (void)state;
    /* The programmer's "your message had a bad checksum" answer is a normal frame
     * whose body starts with ANSWER_CKSUM_ERROR; the caller decides to resend. */
    const uint8_t body[2] = {STK2_ANSWER_CKSUM_ERROR, STK2_STATUS_CKSUM_ERROR};
    uint8_t frame[16];
    size_t n = stk2_frame(frame, 200, body, 2);
    struct stk2_rx rx;
    stk2_rx_init(&rx, 200);
    size_t used;
    assert_int_equal(feed_all(&rx, frame, n, &used), STK2_RX_DONE);
    assert_int_equal(rx.body[0], 0xB0);
    assert_int_equal(rx.body[1], 0xC1);
}

static void test_rx_pending(void **state)
{
    (void)state;
    uint8_t body[100];
    memset(body, 0x11, sizeof body);
    uint8_t frame[128];
    size_t n = stk2_frame(frame, 1, body, sizeof body);
    struct stk2_rx rx;
    stk2_rx_init(&rx, 1);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(stk2_rx_pending(&rx), 0);
        assert_int_equal(stk2_rx_feed(&rx, frame[i]), STK2_RX_MORE);
    }
    /* Inside the body: the rest of the body plus the checksum. */
    assert_int_equal(stk2_rx_pending(&rx), 101);
    for (size_t i = 5; i < 5 + 40; i++)
        stk2_rx_feed(&rx, frame[i]);
    assert_int_equal(stk2_rx_pending(&rx), 61);
    size_t used;
    assert_int_equal(feed_all(&rx, frame + 45, n - 45, &used), STK2_RX_DONE);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(stk2_cmd_name(0x13), "PROGRAM_FLASH_ISP");
    assert_string_equal(stk2_cmd_name(0x1D), "SPI_MULTI");
    assert_non_null(strstr(stk2_status_name(0x80), "TOUT"));
    assert_non_null(strstr(stk2_status_name(0x81), "RDY_BSY"));
    assert_string_equal(stk2_status_name(0xC0), "CMD_FAILED");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_sign_on),
        cmocka_unit_test(test_frame_size_msb_first),
        cmocka_unit_test(test_rx_roundtrip),
        cmocka_unit_test(test_rx_hunts_through_noise),
        cmocka_unit_test(test_rx_skips_stale_answer),
        cmocka_unit_test(test_rx_bad_checksum),
        cmocka_unit_test(test_rx_bad_token_and_size),
        cmocka_unit_test(test_rx_cksum_error_answer),
        cmocka_unit_test(test_rx_pending),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
