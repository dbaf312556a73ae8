/*
 * smtp-server.c: the benchmark's trivial SMTP server, written so that it is never the thing
 * being measured.
 *
 * bench/banner-server.ts speaks the same dialogue, but it runs on Node and uses up a whole core
 * at about 5,000 sessions/s. Past that rate the benchmark measures that server, not the clients
 * it is meant to compare. This server uses one thread, non-blocking sockets and epoll, and does
 * almost no work per session besides the system calls that TCP needs anyway: every reply is a
 * constant string, there is no allocation on the lockstep path besides the connection itself,
 * and the replies to one read are sent with one send().
 *
 * The dialogue (the same as banner-server.ts):
 *   on accept  220 bench ESMTP
 *   EHLO       250-bench Hello / 250-PIPELINING / 250-SIZE 10240000 / 250-8BITMIME /
 *              250 ENHANCEDSTATUSCODES
 *   HELO       250 bench
 *   HELP       214 2.0.0 bench: EHLO HELO HELP NOOP QUIT
 *   NOOP       250 2.0.0 OK
 *   QUIT       221 2.0.0 bench closing, then the connection is closed once that is sent
 *   otherwise  502 5.5.2 not implemented
 * A command is known by its first four letters, in any case; lines end in LF or CRLF;
 * pipelined commands are answered in order; a partial line longer than 4 KiB closes the
 * connection.
 *
 *   smtp-server --port 25 [--host 0.0.0.0] [--delay-ms N [--delay-max-ms M] [--seed S]]
 *               [--tarpit-share F [--tarpit-ms T]] [--max-seconds S] [--max-life-ms L]
 *
 * Held replies: --delay-ms holds every reply (the greeting too) N ms, measured from when its
 * command arrived (from accept, for the greeting). With --delay-max-ms each connection draws
 * its own delay once, uniformly in [N, M], from a PRNG seeded by --seed, so runs repeat. With
 * --tarpit-share a share F of connections hold every reply --tarpit-ms instead: slow servers
 * the client has to live with. Thousands of connections may hold replies at once, so the
 * connections that have one waiting sit in a binary min-heap keyed on the due time of their
 * earliest held reply, and epoll_wait sleeps exactly until the top of that heap is due. A
 * connection's delay never changes, so its held replies fall due in the order their commands
 * came in; a per-connection FIFO keeps them, and only its head needs a place in the heap.
 *
 * Bounded by construction: every connection is cut after --max-life-ms, the process exits by
 * itself after --max-seconds, and it exits as soon as the process that started it is gone, so
 * a crashed benchmark never leaves it behind. It prints `ready <port>` on stdout once it
 * listens, and at exit one line of counts on stderr. SIGTERM and SIGINT exit 0.
 *
 * Build: gcc -O2 -Wall -o dist/bench/smtp-server bench/c/smtp-server.c (bench/c-server.ts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- the replies ---------------------------------------------------------------------- */

enum { R_GREET, R_EHLO, R_HELO, R_HELP, R_NOOP, R_QUIT, R_502, R_COUNT };

#define S(text) { text, sizeof text - 1 }
static const struct {
    const char *text;
    size_t len;
} REPLY[R_COUNT] = {
    [R_GREET] = S("220 bench ESMTP\r\n"),
    [R_EHLO] = S("250-bench Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
                 "250 ENHANCEDSTATUSCODES\r\n"),
    [R_HELO] = S("250 bench\r\n"),
    [R_HELP] = S("214 2.0.0 bench: EHLO HELO HELP NOOP QUIT\r\n"),
    [R_NOOP] = S("250 2.0.0 OK\r\n"),
    [R_QUIT] = S("221 2.0.0 bench closing\r\n"),
    [R_502] = S("502 5.5.2 not implemented\r\n"),
};
#undef S

/* The four letters of a verb as one little-endian word, lower case. */
#define VERB(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* Which reply a command line gets. OR-ing 0x20 folds case: the verbs are all letters, and the
 * only bytes that fold onto a lower-case letter are that letter and its capital. */
static int reply_for(const char *line, size_t len) {
    if (len < 4) return R_502;
    uint32_t word;
    memcpy(&word, line, 4);
    switch (word | 0x20202020u) {
    case VERB('e', 'h', 'l', 'o'): return R_EHLO;
    case VERB('h', 'e', 'l', 'o'): return R_HELO;
    case VERB('h', 'e', 'l', 'p'): return R_HELP;
    case VERB('n', 'o', 'o', 'p'): return R_NOOP;
    case VERB('q', 'u', 'i', 't'): return R_QUIT;
    default: return R_502;
    }
}

/* ---- limits --------------------------------------------------------------------------- */

#define LINE_LIMIT 4096     /* a partial line longer than this closes the connection */
#define READ_CHUNK 16384    /* one recv() per readiness event, at most this much */
#define HELD_PAUSE 64       /* stop reading a connection with this many replies held... */
#define OUT_PAUSE 65536     /* ...or this many bytes the kernel has not taken yet */
#define MAX_EVENTS 1024
#define ACCEPTS_PER_WAKE 512 /* so a burst of connects cannot starve the open sessions */

/* ---- options -------------------------------------------------------------------------- */

static const char *opt_host = "0.0.0.0";
static int opt_port = 25;
static int64_t opt_delay_us = 0;
static int64_t opt_delay_max_us = -1;
static uint64_t opt_seed = 1;
static double opt_tarpit_share = 0;
static int64_t opt_tarpit_us = 30000 * 1000LL;
static int64_t opt_max_us = 1800 * 1000000LL;
static int64_t opt_life_us = 120000 * 1000LL;

/* ---- state ---------------------------------------------------------------------------- */

struct held {
    int64_t due;   /* monotonic µs */
    uint8_t reply; /* R_* */
};

struct conn {
    int fd;
    uint32_t events;  /* the epoll mask as last set */
    int heap_index;   /* its place in the timer heap, -1 when it holds no reply */
    int64_t due;      /* the heap key: when its earliest held reply is due */
    int64_t delay_us; /* drawn once, at accept */
    int64_t life_end; /* when --max-life-ms cuts it */
    struct conn *life_prev, *life_next;
    struct held *q; /* FIFO ring of held replies, allocated only when one is held */
    uint32_t qhead, qlen, qcap;
    char *part; /* the unfinished line carried over to the next read */
    uint32_t plen;
    char *out; /* bytes the kernel would not take yet, [ooff, olen) */
    uint32_t ooff, olen, ocap;
    uint8_t reading_done; /* QUIT seen or the peer has sent FIN: read no more */
    uint8_t dead;         /* a send failed: close it at the next settle */
};

static int ep;
static int64_t now; /* monotonic µs, refreshed after each epoll_wait */
static struct conn **heap;
static size_t heap_n, heap_cap;
/* Every connection has the same life, so the list in accept order is also in deadline order,
 * and only its head ever needs checking. */
static struct conn *life_head, *life_tail;
static unsigned long long n_accepted, n_closed, n_tarpits, n_life_cut, n_overlong;
/* How late held replies went out, past their due time: the proof that the server kept up. */
static unsigned long long n_held_sent, late_sum_us, late_max_us;
static char rbuf[LINE_LIMIT + READ_CHUNK];
static char batch[65536];
static size_t blen;
static uint64_t rng_state;

static int64_t clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* splitmix64: small, fast, and the same sequence for the same --seed. */
static uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void *xrealloc(void *p, size_t size) {
    void *q = realloc(p, size);
    if (!q) {
        fprintf(stderr, "smtp-server: out of memory\n");
        exit(1);
    }
    return q;
}

/* ---- the timer heap ------------------------------------------------------------------- */

static void heap_set(size_t i, struct conn *c) {
    heap[i] = c;
    c->heap_index = (int)i;
}

static void sift_up(size_t i) {
    struct conn *c = heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (heap[parent]->due <= c->due) break;
        heap_set(i, heap[parent]);
        i = parent;
    }
    heap_set(i, c);
}

static void sift_down(size_t i) {
    struct conn *c = heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= heap_n) break;
        if (child + 1 < heap_n && heap[child + 1]->due < heap[child]->due) child += 1;
        if (heap[child]->due >= c->due) break;
        heap_set(i, heap[child]);
        i = child;
    }
    heap_set(i, c);
}

static void heap_insert(struct conn *c) {
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 1024;
        heap = xrealloc(heap, heap_cap * sizeof *heap);
    }
    heap_set(heap_n, c);
    heap_n += 1;
    sift_up(heap_n - 1);
}

static void heap_remove(struct conn *c) {
    size_t i = (size_t)c->heap_index;
    c->heap_index = -1;
    heap_n -= 1;
    if (i == heap_n) return;
    struct conn *last = heap[heap_n];
    heap_set(i, last);
    sift_up(i);
    sift_down((size_t)last->heap_index);
}

/* ---- connections ---------------------------------------------------------------------- */

static void conn_close(struct conn *c, int graceful) {
    if (graceful) {
        /* Whatever the peer sent after QUIT is still unread; closing over unread bytes makes
         * the kernel answer with RST, which can destroy the 221 before the client reads it. */
        for (int i = 0; i < 8 && recv(c->fd, rbuf, sizeof rbuf, 0) > 0; i++) {
        }
    }
    if (c->heap_index >= 0) heap_remove(c);
    if (c->life_prev) c->life_prev->life_next = c->life_next;
    else life_head = c->life_next;
    if (c->life_next) c->life_next->life_prev = c->life_prev;
    else life_tail = c->life_prev;
    close(c->fd);
    free(c->q);
    free(c->part);
    free(c->out);
    free(c);
    n_closed += 1;
}

static void out_append(struct conn *c, const char *data, size_t len) {
    if (c->ooff > 0) {
        memmove(c->out, c->out + c->ooff, c->olen - c->ooff);
        c->olen -= c->ooff;
        c->ooff = 0;
    }
    if (c->olen + len > c->ocap) {
        size_t cap = c->ocap ? c->ocap : 4096;
        while (cap < c->olen + len) cap *= 2;
        c->out = xrealloc(c->out, cap);
        c->ocap = (uint32_t)cap;
    }
    memcpy(c->out + c->olen, data, len);
    c->olen += (uint32_t)len;
}

/* Sends at once what the kernel will take; keeps the rest, in order, for EPOLLOUT. */
static void conn_send(struct conn *c, const char *data, size_t len) {
    if (c->dead || len == 0) return;
    if (c->olen == c->ooff) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n == (ssize_t)len) return;
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                c->dead = 1;
                return;
            }
            n = 0;
        }
        data += n;
        len -= (size_t)n;
    }
    out_append(c, data, len);
}

static void conn_flush_out(struct conn *c) {
    if (c->dead || c->olen == c->ooff) return;
    ssize_t n = send(c->fd, c->out + c->ooff, c->olen - c->ooff, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c->dead = 1;
        return;
    }
    c->ooff += (uint32_t)n;
    if (c->ooff == c->olen) c->ooff = c->olen = 0;
}

/* Replies bound for one connection gather in `batch` and leave with one send(). */
static void batch_add(struct conn *c, int reply) {
    if (blen + REPLY[reply].len > sizeof batch) {
        conn_send(c, batch, blen);
        blen = 0;
    }
    memcpy(batch + blen, REPLY[reply].text, REPLY[reply].len);
    blen += REPLY[reply].len;
}

static void batch_send(struct conn *c) {
    conn_send(c, batch, blen);
    blen = 0;
}

/* Holds a reply until `due`, behind any reply already held. */
static void hold(struct conn *c, int64_t due, int reply) {
    if (c->qlen == c->qcap) {
        uint32_t cap = c->qcap ? c->qcap * 2 : 4;
        struct held *q = xrealloc(NULL, cap * sizeof *q);
        for (uint32_t i = 0; i < c->qlen; i++) q[i] = c->q[(c->qhead + i) % c->qcap];
        free(c->q);
        c->q = q;
        c->qcap = cap;
        c->qhead = 0;
    }
    c->q[(c->qhead + c->qlen) % c->qcap] = (struct held){ due, (uint8_t)reply };
    c->qlen += 1;
    if (c->qlen == 1) {
        c->due = due;
        heap_insert(c);
    }
}

/* After anything happened to a connection: close it if it is finished or broken, else ask
 * epoll for just what it needs now. Returns 0 when the connection is gone. */
static int conn_settle(struct conn *c) {
    if (c->dead) {
        conn_close(c, 0);
        return 0;
    }
    uint32_t pending = c->olen - c->ooff;
    if (c->reading_done && c->qlen == 0 && pending == 0) {
        conn_close(c, 1);
        return 0;
    }
    uint32_t want = 0;
    if (!c->reading_done && c->qlen < HELD_PAUSE && pending < OUT_PAUSE) want |= EPOLLIN;
    if (pending > 0) want |= EPOLLOUT;
    if (want != c->events) {
        struct epoll_event ev = { .events = want, .data.ptr = c };
        if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
            conn_close(c, 0);
            return 0;
        }
        c->events = want;
    }
    return 1;
}

static void conn_read(struct conn *c) {
    if (c->plen) memcpy(rbuf, c->part, c->plen);
    ssize_t n = recv(c->fd, rbuf + c->plen, READ_CHUNK, 0);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c->dead = 1;
        return;
    }
    if (n == 0) {
        /* FIN: answer what was asked, then close (an unfinished last line is dropped). */
        c->reading_done = 1;
        c->plen = 0;
        return;
    }
    size_t end = c->plen + (size_t)n, pos = 0;
    blen = 0;
    while (!c->reading_done) {
        char *nl = memchr(rbuf + pos, '\n', end - pos);
        if (!nl) break;
        size_t len = (size_t)(nl - (rbuf + pos));
        int reply = reply_for(rbuf + pos, len);
        pos += len + 1;
        if (c->delay_us == 0 && c->qlen == 0) batch_add(c, reply);
        else hold(c, now + c->delay_us, reply);
        if (reply == R_QUIT) c->reading_done = 1; /* anything after QUIT goes unanswered */
    }
    batch_send(c);
    if (c->reading_done) {
        c->plen = 0;
        return;
    }
    size_t rest = end - pos;
    if (rest > LINE_LIMIT) {
        n_overlong += 1;
        c->dead = 1;
        return;
    }
    if (rest > 0) {
        if (!c->part) c->part = xrealloc(NULL, LINE_LIMIT);
        memcpy(c->part, rbuf + pos, rest);
    }
    c->plen = (uint32_t)rest;
}

static void conn_accept(int fd) {
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->fd = fd;
    c->heap_index = -1;
    c->life_end = now + opt_life_us;
    c->life_prev = life_tail;
    if (life_tail) life_tail->life_next = c;
    else life_head = c;
    life_tail = c;
    n_accepted += 1;

    if (opt_tarpit_share > 0 && (double)(rng_next() >> 11) * 0x1.0p-53 < opt_tarpit_share) {
        c->delay_us = opt_tarpit_us;
        n_tarpits += 1;
    } else if (opt_delay_max_us > opt_delay_us) {
        c->delay_us = opt_delay_us + (int64_t)(rng_next() % (uint64_t)(opt_delay_max_us - opt_delay_us + 1));
    } else {
        c->delay_us = opt_delay_us;
    }

    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        conn_close(c, 0);
        return;
    }
    c->events = EPOLLIN;
    if (c->delay_us == 0) conn_send(c, REPLY[R_GREET].text, REPLY[R_GREET].len);
    else hold(c, now + c->delay_us, R_GREET);
    conn_settle(c);
}

/* Sends every held reply that is due, oldest first, one send() per connection. */
static void run_timers(void) {
    now = clock_us(); /* handling the events may have taken a while */
    while (heap_n > 0 && heap[0]->due <= now) {
        struct conn *c = heap[0];
        blen = 0;
        while (c->qlen > 0 && c->q[c->qhead].due <= now) {
            unsigned long long late = (unsigned long long)(now - c->q[c->qhead].due);
            late_sum_us += late;
            if (late > late_max_us) late_max_us = late;
            n_held_sent += 1;
            batch_add(c, c->q[c->qhead].reply);
            c->qhead = (c->qhead + 1) % c->qcap;
            c->qlen -= 1;
        }
        batch_send(c);
        if (c->qlen > 0) {
            c->due = c->q[c->qhead].due;
            sift_down(0);
        } else {
            heap_remove(c);
        }
        conn_settle(c);
    }
}

/* ---- setup ---------------------------------------------------------------------------- */

static void usage(int code) {
    fprintf(code ? stderr : stdout,
            "usage: smtp-server [--port 25] [--host 0.0.0.0] [--delay-ms N] [--delay-max-ms M]\n"
            "                   [--seed 1] [--tarpit-share F] [--tarpit-ms 30000]\n"
            "                   [--max-seconds 1800] [--max-life-ms 120000]\n");
    exit(code);
}

static double number_arg(const char *name, const char *text, double min, double max) {
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || *end || !(value >= min && value <= max)) {
        fprintf(stderr, "smtp-server: --%s takes a number in [%g, %g], not %s\n", name, min, max, text);
        exit(2);
    }
    return value;
}

static void parse_options(int argc, char **argv) {
    static const struct option options[] = {
        { "port", required_argument, NULL, 'p' },
        { "host", required_argument, NULL, 'h' },
        { "delay-ms", required_argument, NULL, 'd' },
        { "delay-max-ms", required_argument, NULL, 'D' },
        { "seed", required_argument, NULL, 's' },
        { "tarpit-share", required_argument, NULL, 't' },
        { "tarpit-ms", required_argument, NULL, 'T' },
        { "max-seconds", required_argument, NULL, 'm' },
        { "max-life-ms", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, '?' + 256 },
        { NULL, 0, NULL, 0 },
    };
    const double day_ms = 86400e3;
    for (;;) {
        int index = 0;
        int o = getopt_long(argc, argv, "", options, &index);
        if (o == -1) break;
        const char *name = options[index].name;
        switch (o) {
        case 'p': opt_port = (int)number_arg(name, optarg, 0, 65535); break;
        case 'h': opt_host = optarg; break;
        case 'd': opt_delay_us = (int64_t)(number_arg(name, optarg, 0, day_ms) * 1000); break;
        case 'D': opt_delay_max_us = (int64_t)(number_arg(name, optarg, 0, day_ms) * 1000); break;
        case 's': opt_seed = (uint64_t)number_arg(name, optarg, 0, 18446744073709549568.0); break;
        case 't': opt_tarpit_share = number_arg(name, optarg, 0, 1); break;
        case 'T': opt_tarpit_us = (int64_t)(number_arg(name, optarg, 0, day_ms) * 1000); break;
        case 'm': opt_max_us = (int64_t)(number_arg(name, optarg, 0, 1e7) * 1e6); break;
        case 'l': opt_life_us = (int64_t)(number_arg(name, optarg, 0, day_ms) * 1000); break;
        case '?' + 256: usage(0); break;
        default: usage(2);
        }
    }
    if (optind < argc) usage(2);
    if (opt_delay_max_us >= 0 && opt_delay_max_us < opt_delay_us) {
        fprintf(stderr, "smtp-server: --delay-max-ms must not be below --delay-ms\n");
        exit(2);
    }
    rng_state = opt_seed;
}

static int listen_socket(void) {
    char port[8];
    snprintf(port, sizeof port, "%d", opt_port);
    struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
                              .ai_family = AF_UNSPEC,
                              .ai_socktype = SOCK_STREAM };
    struct addrinfo *ai;
    int rc = getaddrinfo(opt_host, port, &hints, &ai);
    if (rc) {
        fprintf(stderr, "smtp-server: --host %s: %s\n", opt_host, gai_strerror(rc));
        exit(2);
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* Set here, it is inherited by every accepted socket, which saves a setsockopt() per
     * session; without it a held reply sent while an earlier one is still unacknowledged
     * would wait out the client's delayed ACK. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) goto fail;
    /* The kernel caps this at net.core.somaxconn (per network namespace). */
    if (listen(fd, 65535) < 0) goto fail;
    freeaddrinfo(ai);
    return fd;
fail:
    fprintf(stderr, "smtp-server: listen on %s port %s: %s\n", opt_host, port, strerror(errno));
    exit(1);
}

static void report(void) {
    fprintf(stderr,
            "smtp-server: %llu sessions accepted, %llu closed (%llu tarpits, %llu cut at max-life, "
            "%llu overlong lines; %llu held replies sent, late by %llu us on average, %llu us at most)\n",
            n_accepted, n_closed, n_tarpits, n_life_cut, n_overlong, n_held_sent,
            n_held_sent ? late_sum_us / n_held_sent : 0, late_max_us);
}

int main(int argc, char **argv) {
    parse_options(argc, argv);

    /* Up to ~20,000 sessions at once, one descriptor each. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    /* Signals arrive as a readable descriptor, so the loop sees them without races. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    int sfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);

    int lfd = listen_socket();
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0 || sfd < 0) {
        perror("smtp-server: epoll/signalfd");
        return 1;
    }
    /* The listening socket and the signalfd are told apart from connections by these. */
    static char listen_tag, signal_tag;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listen_tag };
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.ptr = &signal_tag;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    /* A descriptor kept in reserve: when accept() fails for want of descriptors, closing this
     * one lets the pending connection be accepted and shut, instead of epoll waking forever. */
    int reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);

    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    int port = opt_port;
    if (getsockname(lfd, (struct sockaddr *)&bound, &bound_len) == 0)
        port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                 : ((struct sockaddr_in *)&bound)->sin_port);
    printf("ready %d\n", port);
    fflush(stdout);

    pid_t parent = getppid();
    now = clock_us();
    const int64_t exit_at = now + opt_max_us;
    int64_t next_parent_check = now + 1000000;
    static struct epoll_event events[MAX_EVENTS];

    for (;;) {
        int64_t next = exit_at < next_parent_check ? exit_at : next_parent_check;
        if (heap_n > 0 && heap[0]->due < next) next = heap[0]->due;
        if (life_head && life_head->life_end < next) next = life_head->life_end;
        int64_t wait_us = next - now;
        int timeout = wait_us <= 0 ? 0 : (int)((wait_us + 999) / 1000);
        int n = epoll_wait(ep, events, MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR) {
            perror("smtp-server: epoll_wait");
            return 1;
        }
        now = clock_us();
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            uint32_t e = events[i].events;
            if (tag == &signal_tag) {
                report();
                return 0;
            }
            if (tag == &listen_tag) {
                for (int k = 0; k < ACCEPTS_PER_WAKE; k++) {
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd >= 0) {
                        conn_accept(fd);
                        continue;
                    }
                    if (errno == EINTR || errno == ECONNABORTED) continue;
                    if ((errno == EMFILE || errno == ENFILE) && reserve >= 0) {
                        close(reserve);
                        fd = accept(lfd, NULL, NULL);
                        if (fd >= 0) close(fd);
                        reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
                    }
                    break; /* EAGAIN: the backlog is empty */
                }
                continue;
            }
            struct conn *c = tag;
            if (e & (EPOLLERR | EPOLLHUP)) {
                conn_close(c, 0);
                continue;
            }
            if (e & EPOLLOUT) conn_flush_out(c);
            if ((e & EPOLLIN) && !c->reading_done && !c->dead) conn_read(c);
            conn_settle(c);
        }
        run_timers();
        while (life_head && life_head->life_end <= now) {
            n_life_cut += 1;
            conn_close(life_head, 0);
        }
        if (now >= next_parent_check) {
            if (getppid() != parent) break;
            next_parent_check = now + 1000000;
        }
        if (now >= exit_at) break;
    }
    report();
    return 0;
}
