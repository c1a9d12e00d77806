// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the target socket (src/sim/avrsocket.c) on its own and through the
 * dryrun programmer (-x target=FILE): an empty socket reads as no target, an empty
 * file is a fresh chip, a saved chip comes back, a new file is a new board, a board
 * taken away (even mid-write) is never written back, and enable fails and succeeds
 * again as boards come and go, with one programmer per thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <cmocka.h>

#include "core/pgm.h"
#include "ispflash/part.h"
#include "ispflash/programmer.h"
#include "sim/avrchip.h"
#include "sim/avrsocket.h"

static char test_dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(test_dir, sizeof test_dir, "/tmp/test_avrsocket.XXXXXX");
    return mkdtemp(test_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *in_dir(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", test_dir, name);
    return path;
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void spi(struct avrchip *c, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3, uint8_t out[4])
{
    uint8_t in[4] = {b0, b1, b2, b3};
    avrchip_spi(c, in, out);
}

/* RESET held and Programming Enable: true when the target answers 0x53. */
static bool chip_enable(struct avrchip *c)
{
    uint8_t out[4];
    avrchip_set_reset(c, false);
    avrchip_set_reset(c, true);
    spi(c, 0xAC, 0x53, 0x00, 0x00, out);
    return out[2] == 0x53;
}

/* Load bytes 0..n-1 of the first flash page, then optionally commit it. */
static void load_page(struct avrchip *c, const uint8_t *data, unsigned n)
{
    uint8_t out[4];
    for (unsigned i = 0; i < n; i++)
        spi(c, (i & 1) ? 0x48 : 0x40, 0x00, (uint8_t)(i / 2), data[i], out);
}

static uint8_t read_flash(struct avrchip *c, uint32_t a)
{
    uint8_t out[4];
    spi(c, (a & 1) ? 0x28 : 0x20, (uint8_t)(a >> 9), (uint8_t)(a >> 1), 0x00, out);
    return out[3];
}

struct fixture {
    const struct part *part;
    struct avrchip chip;
    struct avrsocket sock;
    struct ispf_error err;
};

static int open_socket(struct fixture *f, const char *path)
{
    f->part = part_find("m328p");
    assert_non_null(f->part);
    ispf_error_clear(&f->err);
    assert_int_equal(avrchip_init(&f->chip, f->part, &f->err), ISPF_OK);
    return avrsocket_open(&f->sock, &f->chip, NULL, path, &f->err);
}

static void close_socket(struct fixture *f)
{
    assert_int_equal(avrsocket_close(&f->sock, &f->err), ISPF_OK);
    assert_null(f->chip.watch.fn);
    avrchip_free(&f->chip);
}

/* A chip state file as another process would read it back. */
static uint8_t saved_flash_byte(const char *path, uint32_t a)
{
    struct avrchip c;
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(avrchip_init(&c, part_find("m328p"), &err), ISPF_OK);
    assert_int_equal(avrchip_load(&c, path, &err), ISPF_OK);
    uint8_t v = c.flash[a];
    avrchip_free(&c);
    return v;
}

static void test_absent(void **state)
{
    (void)state;
    struct fixture f;
    const char *path = in_dir("absent.chip");
    assert_int_equal(open_socket(&f, path), ISPF_OK);
    assert_false(f.sock.present);
    assert_true(f.chip.absent);
    uint8_t out[4];
    avrchip_set_reset(&f.chip, true);
    spi(&f.chip, 0xAC, 0x53, 0x00, 0x00, out);
    assert_int_equal(out[0] | out[1] | out[2] | out[3], 0x00); /* MISO reads 0x00 */
    spi(&f.chip, 0x30, 0x00, 0x00, 0x00, out);
    assert_int_equal(out[3], 0x00); /* signature byte 0 reads 00 */
    avrchip_set_reset(&f.chip, false);
    close_socket(&f);
    assert_false(exists(path)); /* an empty socket never creates its file */
}

static void test_fresh_write_save_reload(void **state)
{
    (void)state;
    struct fixture f;
    const char *path = in_dir("board.chip");
    assert_int_equal(open_socket(&f, path), ISPF_OK);
    assert_false(chip_enable(&f.chip));
    touch(path); /* a fresh chip put in the socket */
    assert_true(chip_enable(&f.chip));
    assert_int_equal(f.sock.stats.inserts, 1);
    assert_int_equal(read_flash(&f.chip, 0), 0xFF);
    uint8_t out[4];
    spi(&f.chip, 0x50, 0x00, 0x00, 0x00, out);
    assert_int_equal(out[3], f.part->fuse[0].initval); /* default lfuse */
    uint8_t page[4] = {0x12, 0x34, 0x56, 0x78};
    load_page(&f.chip, page, 4);
    spi(&f.chip, 0x4C, 0x00, 0x00, 0x00, out);
    assert_true(f.chip.modified);
    assert_int_equal(file_size(path), 0); /* not yet: still in programming mode */
    avrchip_set_reset(&f.chip, false);    /* leaving programming mode writes it back */
    assert_int_equal(f.sock.stats.saves, 1);
    assert_int_equal(saved_flash_byte(path, 2), 0x56);
    /* The saved file is the same board: entering again does not reload it. */
    assert_true(chip_enable(&f.chip));
    assert_int_equal(f.sock.stats.inserts, 1);
    assert_int_equal(read_flash(&f.chip, 3), 0x78);
    avrchip_set_reset(&f.chip, false);
    assert_int_equal(f.sock.stats.saves, 1); /* unchanged: not rewritten */
    close_socket(&f);

    /* A second socket on the same file finds the saved board. */
    assert_int_equal(open_socket(&f, path), ISPF_OK);
    assert_true(f.sock.present);
    assert_true(chip_enable(&f.chip));
    assert_int_equal(read_flash(&f.chip, 0), 0x12);
    close_socket(&f);
}

static void test_new_inode_is_new_board(void **state)
{
    (void)state;
    struct fixture f;
    const char *path = in_dir("swap.chip");
    touch(path);
    assert_int_equal(open_socket(&f, path), ISPF_OK);
    assert_true(chip_enable(&f.chip));
    uint8_t out[4], page[2] = {0x00, 0x00};
    load_page(&f.chip, page, 2);
    spi(&f.chip, 0x4C, 0x00, 0x00, 0x00, out);
    avrchip_set_reset(&f.chip, false);
    assert_int_equal(saved_flash_byte(path, 0), 0x00);
    /* rm F; touch F with no look in between: a new board, even if the file system
     * gives the new file the old inode number. */
    assert_int_equal(unlink(path), 0);
    touch(path);
    assert_true(chip_enable(&f.chip));
    assert_int_equal(f.sock.stats.inserts, 2);
    assert_int_equal(read_flash(&f.chip, 0), 0xFF);
    avrchip_set_reset(&f.chip, false);
    assert_int_equal(file_size(path), 0); /* the fresh board was not changed */
    close_socket(&f);
}

static void test_removed_never_written_back(void **state)
{
    (void)state;
    struct fixture f;
    const char *path = in_dir("pulled.chip");
    touch(path);
    assert_int_equal(open_socket(&f, path), ISPF_OK);
    assert_true(chip_enable(&f.chip));
    uint8_t out[4], page[2] = {0xAA, 0x55};
    load_page(&f.chip, page, 2);
    spi(&f.chip, 0x4C, 0x00, 0x00, 0x00, out); /* written, not saved yet */
    assert_int_equal(unlink(path), 0);         /* the board is taken away */
    avrchip_set_reset(&f.chip, false);
    assert_false(exists(path));
    assert_int_equal(f.sock.stats.dropped, 1);
    assert_int_equal(f.sock.stats.saves, 0);

    /* Taken away and put back (a new file) before RESET is released: the new board
     * is not overwritten with the old board's contents. */
    touch(path);
    assert_true(chip_enable(&f.chip));
    load_page(&f.chip, page, 2);
    spi(&f.chip, 0x4C, 0x00, 0x00, 0x00, out);
    assert_int_equal(unlink(path), 0);
    touch(path);
    avrchip_set_reset(&f.chip, false);
    assert_int_equal(file_size(path), 0);
    assert_int_equal(f.sock.stats.dropped, 2);
    close_socket(&f);
    assert_int_equal(file_size(path), 0);
}

static void test_pulled_mid_write(void **state)
{
    (void)state;
    struct fixture f;
    const char *path = in_dir("mid.chip");
    touch(path);
    assert_int_equal(open_socket(&f, path), ISPF_OK);
    assert_true(chip_enable(&f.chip));
    uint8_t out[4], page[128];
    memset(page, 0x00, sizeof page);
    load_page(&f.chip, page, 64); /* half a page in the buffer */
    assert_int_equal(unlink(path), 0);
    load_page(&f.chip, page, 128);
    spi(&f.chip, 0x4C, 0x00, 0x00, 0x00, out); /* the commit finds the socket empty */
    assert_true(f.chip.absent);
    assert_int_equal(read_flash(&f.chip, 0), 0x00); /* nothing answers any more */
    spi(&f.chip, 0xF0, 0x00, 0x00, 0x00, out);
    assert_int_equal(out[3], 0x00);
    avrchip_set_reset(&f.chip, false);
    close_socket(&f);
    assert_false(exists(path));
}

static void test_bad_file(void **state)
{
    (void)state;
    struct fixture f;
    const char *path = in_dir("bad.chip");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("not a chip\n", fp);
    fclose(fp);
    assert_int_equal(open_socket(&f, path), ISPF_E_INPUT);
    assert_non_null(strstr(f.err.msg, "is not an ispflash chip state file"));
    assert_false(f.sock.present);
    assert_false(chip_enable(&f.chip));
    assert_int_equal(avrsocket_take_error(&f.sock, &f.err), ISPF_OK); /* not reported twice */
    close_socket(&f);

    /* Another part's state in the socket. */
    struct avrchip c;
    assert_int_equal(avrchip_init(&c, part_find("m32u4"), &f.err), ISPF_OK);
    assert_int_equal(avrchip_save(&c, path, &f.err), ISPF_OK);
    avrchip_free(&c);
    assert_int_equal(open_socket(&f, path), ISPF_E_INPUT);
    assert_non_null(strstr(f.err.msg, "not ATmega328P"));
    /* A bad board found later by the watcher: kept as the socket's error. */
    assert_int_equal(unlink(path), 0);
    assert_false(chip_enable(&f.chip));
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("garbage\n", fp);
    fclose(fp);
    assert_false(chip_enable(&f.chip));
    assert_int_equal(avrsocket_take_error(&f.sock, &f.err), ISPF_E_INPUT);
    assert_non_null(strstr(f.err.msg, "the board in the socket"));
    close_socket(&f);
}

/* ---- through the dryrun programmer ---- */

static struct pgm *dryrun_pgm(const char *port, const char *const *xopts, size_t n, int *rc,
                              struct ispf_error *err)
{
    struct pgm_config cfg = {
        .port = port, .part = part_find("m328p"), .xopts = xopts, .n_xopts = n};
    struct pgm *pgm = NULL;
    ispf_error_clear(err);
    *rc = pgm_create(pgm_registry_find("dryrun"), &cfg, &pgm, err);
    if (*rc == ISPF_OK)
        *rc = pgm_open(pgm, err);
    return pgm;
}

static int dryrun_signature(struct pgm *pgm, uint8_t sig[3], struct ispf_error *err)
{
    for (uint8_t i = 0; i < 3; i++) {
        uint8_t cmd[4] = {0x30, 0x00, i, 0x00}, res[4];
        int rc = pgm_spi(pgm, cmd, res, err);
        if (rc)
            return rc;
        sig[i] = res[3];
    }
    return ISPF_OK;
}

static void test_dryrun_state_and_target(void **state)
{
    (void)state;
    const char *x[] = {"state=a.chip", "target=b.chip"};
    struct ispf_error err;
    int rc;
    struct pgm *pgm = dryrun_pgm(NULL, x, 2, &rc, &err);
    assert_int_equal(rc, ISPF_E_USAGE);
    assert_non_null(strstr(err.msg, "cannot be used together"));
    pgm_destroy(pgm);
}

struct board_loop {
    const char *port;
    int result; /* 0: every step as expected; otherwise the failing step */
};

/* What a batch loop does: enable + signature until a board answers, program it,
 * leave, wait until it is gone; several times, on one open programmer. */
static void *board_loop(void *arg)
{
    struct board_loop *b = arg;
    char spec[512], path[512];
    snprintf(spec, sizeof spec, "target=%s/%%P.chip", test_dir);
    snprintf(path, sizeof path, "%s/%s.chip", test_dir, b->port);
    const char *x[] = {spec};
    struct ispf_error err;
    int rc;
    struct pgm *pgm = dryrun_pgm(b->port, x, 1, &rc, &err);
    b->result = rc ? 1 : 0;
    for (int board = 0; board < 3 && b->result == 0; board++) {
        uint8_t sig[3];
        for (int poll = 0; poll < 3; poll++) { /* polling an empty socket */
            if (b->result == 0 && pgm_enable(pgm, &err) != ISPF_E_NO_TARGET)
                b->result = 10 + board;
            pgm_disable(pgm); /* harmless after a failed enable */
        }
        touch(path);
        if (b->result == 0 && pgm_enable(pgm, &err) != ISPF_OK)
            b->result = 20 + board;
        if (b->result == 0 && (dryrun_signature(pgm, sig, &err) || sig[0] != 0x1E ||
                               sig[1] != 0x95 || sig[2] != 0x0F))
            b->result = 30 + board;
        uint8_t cmd[4] = {0xC0, 0x00, 0x00, (uint8_t)(0x40 + board)}, res[4]; /* EEPROM */
        if (b->result == 0 && pgm_spi(pgm, cmd, res, &err))
            b->result = 40 + board;
        pgm_disable(pgm); /* written back */
        if (b->result == 0 && file_size(path) <= 0)
            b->result = 50 + board;
        if (unlink(path) != 0 && b->result == 0)
            b->result = 60 + board;
    }
    pgm_destroy(pgm);
    return NULL;
}

static void test_dryrun_board_after_board(void **state)
{
    (void)state;
    struct board_loop b[2] = {{"b1", -1}, {"b2", -1}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, board_loop, &b[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(b[i].result, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_fresh_write_save_reload),
        cmocka_unit_test(test_new_inode_is_new_board),
        cmocka_unit_test(test_removed_never_written_back),
        cmocka_unit_test(test_pulled_mid_write),
        cmocka_unit_test(test_bad_file),
        cmocka_unit_test(test_dryrun_state_and_target),
        cmocka_unit_test(test_dryrun_board_after_board),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
