// SPDX-License-Identifier: GPL-2.0-or-later
#include <signal.h>

#include "ispflash/interrupt.h"

static volatile sig_atomic_t interrupt_flag;
static volatile sig_atomic_t stop_flag;

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

void ispf_stop_request(void)
{
    stop_flag = 1;
}

bool ispf_stop_requested(void)
{
    return stop_flag != 0;
}

void ispf_stop_clear(void)
{
    stop_flag = 0;
}
