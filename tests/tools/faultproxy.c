/* faultproxy: a TCP proxy for the agent's tests that stands between a
 * client and a real HTTP server (nginx) and breaks things on purpose:
 *   --cut-at A,B,...      close the client's connection when the bytes sent
 *                         to clients (counted over all connections) reach A,
 *                         then B, ...
 *   --cuts N --seed S --span BYTES   N such offsets drawn at random in [1, BYTES)
 *   --cut-mode fin|rst    close normally (a truncated body) or with a reset
 *   --stall-at OFF --stall-ms MS     stop sending at OFF for MS ms (-1: until
 *                         the client gives up)
 *   --fail-first N [--fail-status CODE]  answer the first N requests itself
 *                         with CODE (default 503)
 *   --ignore-range        drop Range and If-Range from requests (the server
 *                         then sends whole files)
 *   --flip-at OFF         flip one bit of the byte at offset OFF of every
 *                         response body (offsets within the file: a 206's
 *                         Content-Range is followed)
 *   --rate BYTES_PER_S    send at most this fast
 * It listens on 127.0.0.1 (--port N, 0: any; the port is written to
 * --port-file), forwards to --upstream HOST:PORT, and keeps counts in
 * --stats FILE ("down=N up=N conns=N requests=N cuts=N"), updated before
 * bytes are sent, so a client that got them sees them counted.  Runs until
 * killed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 32
#define MAX_CUTS 1024
#define BUF 65536
#define HDR_MAX 16384

typedef struct conn {
    int cfd, ufd;
    char req[HDR_MAX];
    size_t req_len;
    uint8_t down[BUF];        /* from upstream, not yet sent to the client */
    size_t down_len, down_off;
    char hdr[HDR_MAX];        /* response header being read */
    size_t hdr_len;
    int in_body;
    uint64_t body_left, body_pos;
    int64_t stalled_until;    /* ms; -1 forever; 0 not stalled */
    int closing;              /* send down[] then close (own 5xx answers) */
} conn;

static struct {
    uint64_t cuts[MAX_CUTS];
    size_t ncuts, next_cut;
    int rst;
    int64_t stall_at, stall_ms;
    int stall_done;
    long fail_first, fail_status;
    int ignore_range;
    int64_t flip_at;
    double rate;
    const char *stats;
    struct sockaddr_in upstream;
} cfg = {.stall_at = -1, .flip_at = -1, .fail_status = 503};

static struct {
    uint64_t down, up, conns, requests, cuts;
} count;

static conn conns[MAX_CONNS];
static int64_t start_ms;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_stats(void)
{
    if (!cfg.stats)
        return;
    char tmp[4096], text[256];
    snprintf(tmp, sizeof tmp, "%s.tmp", cfg.stats);
    int n = snprintf(text, sizeof text, "down=%llu up=%llu conns=%llu requests=%llu cuts=%llu\n",
                     (unsigned long long)count.down, (unsigned long long)count.up,
                     (unsigned long long)count.conns, (unsigned long long)count.requests,
                     (unsigned long long)count.cuts);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    if (write(fd, text, (size_t)n) == n)
        rename(tmp, cfg.stats);
    close(fd);
}

static void close_conn(conn *c, int reset)
{
    if (reset) {
        struct linger l = {.l_onoff = 1, .l_linger = 0};
        setsockopt(c->cfd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(c->cfd);
    if (c->ufd >= 0)
        close(c->ufd);
    c->cfd = -1;
    c->ufd = -1;
}

static void parse_response_header(conn *c)
{
    c->hdr[c->hdr_len] = '\0';
    long status = 0;
    sscanf(c->hdr, "HTTP/%*s %ld", &status);
    uint64_t length = 0, start = 0;
    for (char *line = strstr(c->hdr, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        char *p = line + 2;
        if (!strncasecmp(p, "Content-Length:", 15))
            length = strtoull(p + 15, NULL, 10);
        else if (!strncasecmp(p, "Content-Range:", 14)) {
            char *b = strstr(p, "bytes");
            if (b)
                start = strtoull(b + 5, NULL, 10);
        }
    }
    int no_body = status / 100 == 1 || status == 204 || status == 304;
    c->body_left = no_body ? 0 : length;
    c->body_pos = start;
    c->in_body = c->body_left > 0;
    c->hdr_len = 0;
}

/* Follows responses in the bytes from upstream, flipping the chosen byte. */
static void track_response(conn *c, uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (c->in_body) {
            size_t take = len - i < c->body_left ? len - i : (size_t)c->body_left;
            if (cfg.flip_at >= 0 && (uint64_t)cfg.flip_at >= c->body_pos &&
                (uint64_t)cfg.flip_at < c->body_pos + take)
                data[i + (cfg.flip_at - c->body_pos)] ^= 0x01;
            c->body_pos += take;
            c->body_left -= take;
            i += take;
            if (!c->body_left)
                c->in_body = 0;
            continue;
        }
        if (c->hdr_len < HDR_MAX - 1)
            c->hdr[c->hdr_len++] = (char)data[i];
        i++;
        if (c->hdr_len >= 4 && !memcmp(c->hdr + c->hdr_len - 4, "\r\n\r\n", 4))
            parse_response_header(c);
    }
}

static void remove_header(char *req, size_t *len, const char *name)
{
    size_t n = strlen(name);
    char *p = req;
    while ((p = strstr(p, "\r\n")) && p + 2 < req + *len) {
        char *line = p + 2;
        if (!strncasecmp(line, name, n)) {
            char *end = strstr(line, "\r\n");
            if (!end)
                break;
            size_t cut = (size_t)(end + 2 - line);
            memmove(line, end + 2, *len - (size_t)(end + 2 - req));
            *len -= cut;
            continue;
        }
        p = line;
    }
}

static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Bytes from the client: requests, forwarded header by header. */
static void from_client(conn *c)
{
    ssize_t n = read(c->cfd, c->req + c->req_len, sizeof c->req - 1 - c->req_len);
    if (n <= 0) {
        close_conn(c, 0);
        return;
    }
    c->req_len += (size_t)n;
    c->req[c->req_len] = '\0';
    char *end;
    while ((end = strstr(c->req, "\r\n\r\n"))) {
        size_t hlen = (size_t)(end + 4 - c->req);
        char one[HDR_MAX];
        memcpy(one, c->req, hlen);
        one[hlen] = '\0';
        memmove(c->req, c->req + hlen, c->req_len - hlen + 1);
        c->req_len -= hlen;
        count.requests++;
        if (cfg.fail_first > 0) {
            cfg.fail_first--;
            int m = snprintf((char *)c->down, sizeof c->down,
                             "HTTP/1.1 %ld Injected Failure\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n", cfg.fail_status);
            c->down_len = (size_t)m;
            c->down_off = 0;
            c->closing = 1;
            return;
        }
        if (cfg.ignore_range) {
            remove_header(one, &hlen, "Range:");
            remove_header(one, &hlen, "If-Range:");
        }
        count.up += hlen;
        if (send_all(c->ufd, one, hlen) < 0) {
            close_conn(c, 0);
            return;
        }
    }
    if (c->req_len >= sizeof c->req - 1)
        close_conn(c, 0);
}

/* How many bytes may go to the client now (0: wait). */
static size_t allowance(conn *c, size_t want, int64_t now)
{
    if (c->stalled_until == -1 || (c->stalled_until && now < c->stalled_until))
        return 0;
    c->stalled_until = 0;
    if (cfg.stall_at >= 0 && !cfg.stall_done) {
        if (count.down == (uint64_t)cfg.stall_at) {
            cfg.stall_done = 1;
            c->stalled_until = cfg.stall_ms < 0 ? -1 : now + cfg.stall_ms;
            return 0;
        }
        if (count.down < (uint64_t)cfg.stall_at && count.down + want > (uint64_t)cfg.stall_at)
            want = (size_t)((uint64_t)cfg.stall_at - count.down);
    }
    if (cfg.next_cut < cfg.ncuts && count.down + want > cfg.cuts[cfg.next_cut])
        want = (size_t)(cfg.cuts[cfg.next_cut] - count.down);
    if (cfg.rate > 0) {
        double budget = cfg.rate * (double)(now - start_ms) / 1000.0 - (double)count.down;
        if (budget < 1)
            return 0;
        if ((double)want > budget)
            want = (size_t)budget;
    }
    return want;
}

static void to_client(conn *c, int64_t now)
{
    size_t want = c->down_len - c->down_off;
    size_t n = allowance(c, want, now);
    if (n == 0)
        return;
    count.down += n; /* counted before the client can see them */
    write_stats();
    ssize_t w = write(c->cfd, c->down + c->down_off, n);
    if (w < 0 && errno == EINTR)
        w = 0;
    if (w < 0) {
        count.down -= n;
        close_conn(c, 0);
        return;
    }
    if ((size_t)w < n) {
        count.down -= n - (size_t)w;
        write_stats();
    }
    c->down_off += (size_t)w;
    if (c->down_off == c->down_len)
        c->down_off = c->down_len = 0;
    while (cfg.next_cut < cfg.ncuts && count.down >= cfg.cuts[cfg.next_cut]) {
        if (count.down == cfg.cuts[cfg.next_cut]) {
            count.cuts++;
            cfg.next_cut++;
            write_stats();
            close_conn(c, cfg.rst);
            return;
        }
        cfg.next_cut++;
    }
    if (c->closing && c->down_len == 0)
        close_conn(c, 0);
}

static void from_upstream(conn *c)
{
    ssize_t n = read(c->ufd, c->down, sizeof c->down);
    if (n <= 0) {
        close_conn(c, 0);
        return;
    }
    track_response(c, c->down, (size_t)n);
    c->down_len = (size_t)n;
    c->down_off = 0;
}

static void accept_one(int lfd)
{
    int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (cfd < 0)
        return;
    conn *c = NULL;
    for (int i = 0; i < MAX_CONNS && !c; i++)
        if (conns[i].cfd < 0)
            c = &conns[i];
    int ufd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!c || ufd < 0 || connect(ufd, (struct sockaddr *)&cfg.upstream, sizeof cfg.upstream) < 0) {
        close(cfd);
        if (ufd >= 0)
            close(ufd);
        return;
    }
    memset(c, 0, sizeof *c);
    c->cfd = cfd;
    c->ufd = ufd;
    count.conns++;
    write_stats();
}

static void parse_cuts(const char *list)
{
    for (const char *p = list; *p && cfg.ncuts < MAX_CUTS;) {
        cfg.cuts[cfg.ncuts++] = strtoull(p, (char **)&p, 10);
        if (*p == ',')
            p++;
        else
            break;
    }
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: faultproxy --upstream HOST:PORT [--port N] [--port-file F] [--stats F]\n"
                 "  [--cut-at A,B,..] [--cuts N --seed S --span BYTES] [--cut-mode fin|rst]\n"
                 "  [--stall-at OFF --stall-ms MS] [--fail-first N] [--fail-status CODE]\n"
                 "  [--ignore-range] [--flip-at OFF] [--rate BYTES_PER_S]\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"upstream", 1, 0, 'u'}, {"port", 1, 0, 'p'},      {"port-file", 1, 0, 'P'},
        {"stats", 1, 0, 's'},    {"cut-at", 1, 0, 'c'},    {"cuts", 1, 0, 'n'},
        {"seed", 1, 0, 'S'},     {"span", 1, 0, 'L'},      {"cut-mode", 1, 0, 'm'},
        {"stall-at", 1, 0, 't'}, {"stall-ms", 1, 0, 'T'},  {"fail-first", 1, 0, 'f'},
        {"fail-status", 1, 0, 'F'}, {"ignore-range", 0, 0, 'i'}, {"flip-at", 1, 0, 'x'},
        {"rate", 1, 0, 'r'},     {"help", 0, 0, 'h'},      {0, 0, 0, 0},
    };
    int port = 0, ncuts = 0;
    unsigned seed = 1;
    uint64_t span = 0;
    const char *port_file = NULL, *upstream = NULL;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'u': upstream = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'P': port_file = optarg; break;
        case 's': cfg.stats = optarg; break;
        case 'c': parse_cuts(optarg); break;
        case 'n': ncuts = atoi(optarg); break;
        case 'S': seed = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'L': span = strtoull(optarg, NULL, 10); break;
        case 'm': cfg.rst = !strcmp(optarg, "rst"); break;
        case 't': cfg.stall_at = strtoll(optarg, NULL, 10); break;
        case 'T': cfg.stall_ms = strtoll(optarg, NULL, 10); break;
        case 'f': cfg.fail_first = atol(optarg); break;
        case 'F': cfg.fail_status = atol(optarg); break;
        case 'i': cfg.ignore_range = 1; break;
        case 'x': cfg.flip_at = strtoll(optarg, NULL, 10); break;
        case 'r': cfg.rate = strtod(optarg, NULL); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    char host[64];
    int uport;
    if (!upstream || sscanf(upstream, "%63[^:]:%d", host, &uport) != 2) {
        usage(stderr);
        return 2;
    }
    cfg.upstream.sin_family = AF_INET;
    cfg.upstream.sin_port = htons((uint16_t)uport);
    if (inet_pton(AF_INET, host, &cfg.upstream.sin_addr) != 1) {
        fprintf(stderr, "faultproxy: upstream must be an IPv4 address: %s\n", host);
        return 2;
    }
    if (ncuts > 0 && span > 1) {
        srandom(seed);
        for (int i = 0; i < ncuts && cfg.ncuts < MAX_CUTS; i++)
            cfg.cuts[cfg.ncuts++] =
                1 + (((uint64_t)random() << 31) ^ (uint64_t)random()) % (span - 1);
    }
    qsort(cfg.cuts, cfg.ncuts, sizeof cfg.cuts[0], by_value);
    signal(SIGPIPE, SIG_IGN);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 16) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
        perror("faultproxy: listen");
        return 1;
    }
    for (int i = 0; i < MAX_CONNS; i++)
        conns[i].cfd = conns[i].ufd = -1;
    write_stats();
    if (port_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", ntohs(addr.sin_port)) < 0 || fclose(f) != 0 ||
            rename(tmp, port_file) < 0) {
            perror("faultproxy: port file");
            return 1;
        }
    }
    start_ms = now_ms();
    for (;;) {
        struct pollfd pfd[1 + 2 * MAX_CONNS];
        conn *owner[1 + 2 * MAX_CONNS];
        int nfd = 0, timeout = -1;
        int64_t now = now_ms();
        pfd[nfd].fd = lfd;
        pfd[nfd].events = POLLIN;
        owner[nfd++] = NULL;
        for (int i = 0; i < MAX_CONNS; i++) {
            conn *c = &conns[i];
            if (c->cfd < 0)
                continue;
            int pending = c->down_len > c->down_off;
            short cev = POLLIN;
            if (pending) {
                size_t can = allowance(c, c->down_len - c->down_off, now);
                if (can)
                    cev |= POLLOUT;
                else if (c->stalled_until != -1)
                    timeout = 5; /* rate or stall timer */
            }
            pfd[nfd].fd = c->cfd;
            pfd[nfd].events = cev;
            owner[nfd++] = c;
            if (!pending && !c->closing) {
                pfd[nfd].fd = c->ufd;
                pfd[nfd].events = POLLIN;
                owner[nfd++] = c;
            }
        }
        if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR)
            return 1;
        now = now_ms();
        for (int k = 0; k < nfd; k++) {
            conn *c = owner[k];
            if (!c) {
                if (pfd[k].revents & POLLIN)
                    accept_one(lfd);
                continue;
            }
            if (c->cfd < 0 || !pfd[k].revents)
                continue;
            if (pfd[k].fd == c->cfd) {
                if (pfd[k].revents & POLLOUT)
                    to_client(c, now);
                if (c->cfd >= 0 && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                    from_client(c);
            } else if (pfd[k].fd == c->ufd) {
                from_upstream(c);
            }
        }
    }
}
