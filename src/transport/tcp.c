// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TCP byte stream for -P net:HOST:PORT (ser2net, ESP-link, the test emulators).
 * Non-blocking socket + poll(): every wait has a timeout, and a peer that closes
 * the connection is ISPF_E_DISCONNECTED at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define LOG_PREFIX "tcp"
#include "base/clock.h"
#include "ispflash/log.h"
#include "transport/stream_impl.h"

#define TCP_CONNECT_TIMEOUT_MS 5000
#define TCP_WRITE_TIMEOUT_MS 5000

struct tcp_impl {
    int fd;
};

/* Split "net:HOST:PORT" (HOST may be [v6addr]) into host and service. */
static int tcp_parse(const char *port, char *host, size_t hostsz, char *serv, size_t servsz,
                     struct ispf_error *err)
{
    const char *p = port + 4; /* after "net:" */
    const char *colon;
    const char *hbeg = p, *hend;
    if (*p == '[') {
        hbeg = p + 1;
        hend = strchr(hbeg, ']');
        if (hend == NULL || hend[1] != ':')
            goto bad;
        colon = hend + 1;
    } else {
        colon = strrchr(p, ':');
        if (colon == NULL)
            goto bad;
        hend = colon;
    }
    size_t hl = (size_t)(hend - hbeg);
    size_t sl = strlen(colon + 1);
    if (hl == 0 || hl >= hostsz || sl == 0 || sl >= servsz)
        goto bad;
    memcpy(host, hbeg, hl);
    host[hl] = '\0';
    memcpy(serv, colon + 1, sl + 1);
    return ISPF_OK;
bad:
    return ispf_fail(err, ISPF_E_USAGE, "bad network port '%s': expected net:HOST:PORT", port);
}

static int tcp_connect_one(const struct addrinfo *ai, int *out, int *saved_errno)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *saved_errno = errno;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        *saved_errno = errno;
        close(fd);
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            *saved_errno = errno;
            close(fd);
            return -1;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int pr;
        do
            pr = poll(&pfd, 1, TCP_CONNECT_TIMEOUT_MS);
        while (pr < 0 && errno == EINTR);
        if (pr == 0) {
            *saved_errno = ETIMEDOUT;
            close(fd);
            return -1;
        }
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (pr < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
            *saved_errno = soerr != 0 ? soerr : errno;
            close(fd);
            return -1;
        }
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = fd;
    return 0;
}

static int tcp_open(struct stream *s, const char *port, int baud, struct ispf_error *err)
{
    (void)baud;
    char host[256], serv[64];
    int rc = tcp_parse(port, host, sizeof host, serv, sizeof serv, err);
    if (rc < 0)
        return rc;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, serv, &hints, &res);
    if (gai != 0)
        return ispf_fail(err, ISPF_E_NO_DEVICE, "%s: cannot resolve '%s' port '%s': %s", port, host,
                         serv, gai_strerror(gai));
    int fd = -1, e = 0;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
        if (tcp_connect_one(ai, &fd, &e) < 0)
            fd = -1;
    freeaddrinfo(res);
    if (fd < 0) {
        if (e == ETIMEDOUT)
            return ispf_fail(err, ISPF_E_TIMEOUT, "%s: no answer connecting to %s:%s within %d ms",
                             port, host, serv, TCP_CONNECT_TIMEOUT_MS);
        return ispf_fail(err, ISPF_E_NO_DEVICE, "%s: cannot connect to %s:%s: %s", port, host, serv,
                         strerror(e));
    }
    struct tcp_impl *t = calloc(1, sizeof *t);
    if (t == NULL) {
        close(fd);
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    }
    t->fd = fd;
    s->impl = t;
    log_dbg("connected to %s:%s", host, serv);
    return ISPF_OK;
}

static void tcp_close(struct stream *s)
{
    struct tcp_impl *t = s->impl;
    if (t == NULL)
        return;
    close(t->fd);
    free(t);
    s->impl = NULL;
}

static int tcp_gone(struct stream *s, int e, struct ispf_error *err)
{
    if (e == 0)
        return ispf_fail(err, ISPF_E_DISCONNECTED, "%s: the programmer closed the connection",
                         s->port);
    return ispf_fail(err, ISPF_E_DISCONNECTED, "%s: the connection to the programmer was lost (%s)",
                     s->port, strerror(e));
}

static int tcp_write(struct stream *s, const uint8_t *buf, size_t len, struct ispf_error *err)
{
    struct tcp_impl *t = s->impl;
    size_t done = 0;
    long long deadline = clock_now_ms() + TCP_WRITE_TIMEOUT_MS;
    while (done < len) {
        ssize_t n = send(t->fd, buf + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
                return tcp_gone(s, errno, err);
            return ispf_fail(err, ISPF_E_IO, "%s: write failed: %s", s->port, strerror(errno));
        }
        long long left = deadline - clock_now_ms();
        if (left <= 0)
            return ispf_fail(err, ISPF_E_TIMEOUT,
                             "%s: the programmer accepted no data for %d ms (%zu of %zu bytes "
                             "sent)",
                             s->port, TCP_WRITE_TIMEOUT_MS, done, len);
        struct pollfd pfd = {.fd = t->fd, .events = POLLOUT};
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
            return ispf_fail(err, ISPF_E_IO, "%s: poll failed: %s", s->port, strerror(errno));
    }
    return ISPF_OK;
}

static int tcp_read_some(struct stream *s, uint8_t *buf, size_t len, int timeout_ms,
                         struct ispf_error *err)
{
    struct tcp_impl *t = s->impl;
    long long deadline = clock_now_ms() + timeout_ms;
    for (;;) {
        ssize_t n = recv(t->fd, buf, len, 0);
        if (n > 0)
            return (int)n;
        if (n == 0)
            return tcp_gone(s, 0, err);
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            if (errno == ECONNRESET || errno == ENOTCONN || errno == EPIPE)
                return tcp_gone(s, errno, err);
            return ispf_fail(err, ISPF_E_IO, "%s: read failed: %s", s->port, strerror(errno));
        }
        long long left = deadline - clock_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno != EINTR)
            return ispf_fail(err, ISPF_E_IO, "%s: poll failed: %s", s->port, strerror(errno));
    }
}

const struct stream_ops stream_tcp_ops = {
    .name = "tcp",
    .open = tcp_open,
    .close = tcp_close,
    .write = tcp_write,
    .read_some = tcp_read_some,
    .set_baud = NULL,
    .set_lines = NULL,
};
