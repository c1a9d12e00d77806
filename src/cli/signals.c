// SPDX-License-Identifier: GPL-2.0-or-later
/* See signals.h. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#ifdef _WIN32
#include <windows.h>
#endif

#include "ispflash/interrupt.h"
#include "signals.h"

static volatile sig_atomic_t cli_signal_count;
static volatile sig_atomic_t cli_batch_mode;

void cli_signals_batch(bool on)
{
    cli_batch_mode = on;
}

static void cli_on_signal(int sig)
{
    (void)sig;
    if (cli_batch_mode && cli_signal_count == 0) {
        /* A batch: finish the board under way, then stop. */
        static const char msg[] = "\nispflash: stopping after the board under way (Ctrl-C "
                                  "again stops it now)\n";
        ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)n;
        cli_signal_count = 1;
        ispf_stop_request();
        return;
    }
    if (cli_signal_count++ > (cli_batch_mode ? 1 : 0)) {
        static const char msg[] = "\nispflash: interrupted again: exiting at once; the "
                                  "target may be left in programming mode\n";
        ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)n;
        _exit(130);
    }
    ispf_interrupt_request();
}

#ifdef _WIN32
/* Windows has no sigaction: Ctrl-C, Ctrl-Break and closing the console window come
 * to this handler, in a thread of their own; the waits (clock.c, tcp.c) look at
 * ispf_interrupted() at least every 100 ms. TRUE: handled, the process goes on. A
 * closed console ends the process when the handler returns anyway. */
static BOOL WINAPI cli_on_console(DWORD event)
{
    switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
        cli_on_signal(SIGINT);
        return TRUE;
    default:
        return FALSE;
    }
}

void cli_signals_install(void)
{
    SetConsoleCtrlHandler(cli_on_console, TRUE);
}
#else
void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cli_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a read or sleep under way returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, NULL);
}
#endif
