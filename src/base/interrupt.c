// SPDX-License-Identifier: GPL-2.0-or-later
#include <signal.h>

#include "ispflash/interrupt.h"

static volatile sig_atomic_t interrupt_flag;

void ispf_interrupt_request(void)
{
    interrupt_flag = 1;
}

bool ispf_interrupted(void)
{
    return interrupt_flag != 0;
}

void ispf_interrupt_clear(void)
{
    interrupt_flag = 0;
}
