// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prints the compiled-in part database, one part per line, as key=value fields
 * separated by tabs, for tests/parts/crosscheck.py to compare with avrdude.
 */
#include <stdio.h>

#include "ispflash/part.h"

int main(void)
{
    static const char *const fuse_names[4] = {"lfuse", "hfuse", "efuse", "lock"};
    for (size_t i = 0; i < part_count(); i++) {
        const struct part *p = part_at(i);
        const struct stk500v2_params *v = &p->v2;
        printf("id=%s\tname=%s\taliases=%s\tsignature=%02x%02x%02x", p->id, p->name, p->aliases,
               p->signature[0], p->signature[1], p->signature[2]);
        printf("\tflash_size=%u\tflash_page=%u\teeprom_size=%u\teeprom_page=%u",
               (unsigned)p->flash_size, p->flash_page, p->eeprom_size, p->eeprom_page);
        printf("\tcalibration=%u\tflash_delay=%u\teeprom_delay=%u\tfuse_delay=%u\terase_delay=%u",
               p->n_calibration, (unsigned)p->flash_delay_us, (unsigned)p->eeprom_delay_us,
               (unsigned)p->fuse_delay_us, (unsigned)p->erase_delay_us);
        printf("\tstk500_devcode=%u", p->stk500_devcode);
        printf("\ttimeout=%u\tstabdelay=%u\tcmdexedelay=%u\tsynchloops=%u\tbytedelay=%u"
               "\tpollvalue=%u\tpollindex=%u\tpredelay=%u\tpostdelay=%u\tpollmethod=%u",
               v->timeout, v->stabdelay, v->cmdexedelay, v->synchloops, v->bytedelay, v->pollvalue,
               v->pollindex, v->predelay, v->postdelay, v->pollmethod);
        printf("\tflash_mode=%u\tflash_v2delay=%u\tflash_readback=%u,%u", v->flash_mode,
               v->flash_delay, v->flash_readback[0], v->flash_readback[1]);
        printf("\teeprom_mode=%u\teeprom_v2delay=%u\teeprom_readback=%u,%u", v->eeprom_mode,
               v->eeprom_delay, v->eeprom_readback[0], v->eeprom_readback[1]);
        for (int b = 0; b < 4; b++) {
            const struct fuse_byte *fb = &p->fuse[b];
            if (fb->present)
                printf("\t%s=used:%u,initval:%u", fuse_names[b], fb->used, fb->initval);
        }
        printf("\tboot=");
        for (size_t s = 0; s < p->n_boot_sections; s++)
            printf("%s%u", s ? "," : "", (unsigned)p->boot_sections[s].size);
        printf("\n");
    }
    return 0;
}
