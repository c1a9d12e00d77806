// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers every backend shares (see backend.h). */
#include <string.h>

#include "ispflash/isp.h"
#include "programmers/backend.h"
#include "transport/stream.h"
#include "transport/usb.h"

int pgm_load_ext_addr(struct pgm *pgm, uint32_t addr, struct ispf_error *err)
{
    if (!part_has_ext_addr(pgm->cfg.part))
        return ISPF_OK;
    int ext = (int)((addr >> 17) & 0xFFu);
    if (ext == pgm->ext_addr)
        return ISPF_OK;
    uint8_t cmd[4], res[4];
    isp_load_ext_addr(cmd, addr);
    int rc = pgm->ops->spi(pgm, cmd, res, err);
    if (rc == ISPF_OK)
        pgm->ext_addr = ext;
    return rc;
}

const char *pgm_xopt(const struct pgm *pgm, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < pgm->cfg.n_xopts; i++) {
        const char *x = pgm->cfg.xopts[i];
        if (strncmp(x, key, klen) == 0 && (x[klen] == '\0' || x[klen] == '='))
            return x[klen] == '=' ? x + klen + 1 : x + klen;
    }
    return NULL;
}

int pgm_baud(const struct pgm *pgm)
{
    return pgm->cfg.baud > 0 ? pgm->cfg.baud : pgm->entry->default_baud;
}

void pgm_stats_from_stream(struct pgm *pgm, const struct stream *s)
{
    if (s == NULL)
        return;
    pgm->stats.bytes_tx = s->tx;
    pgm->stats.bytes_rx = s->rx;
}

void pgm_stats_from_usb(struct pgm *pgm, const struct usb_dev *usb)
{
    struct usb_counters c = usb_get_counters(usb);
    pgm->stats.commands = c.transfers;
    pgm->stats.bytes_tx = c.bytes_out + 8u * c.transfers; /* setup packets count too */
    pgm->stats.bytes_rx = c.bytes_in;
}
