/*
 * smtp-client.c: the C baseline of the benchmark. A single-threaded epoll loop that runs short
 * SMTP sessions against a range of loopback addresses, as fast as the kernel allows, so that
 * the Node figures (smtpsurvey's engine, the node:net connect loop) have a floor to be read
 * against. It does nothing but the dialogue: no records, no output besides one JSON line.
 *
 *   smtp-client --cidr 127.1.0.0/17 [--port 25] [--concurrency 1000] [--sessions N]
 *               [--mode ehlo|help] [--timeout-ms 20000]
 *
 * A session: connect, read the banner (must be 2xx), "EHLO bench.invalid", read the reply,
 * (--mode help: "HELP", read the reply,) "QUIT", read the 221 or see the peer close, close.
 *
 * Safety: the only targets it will ever connect to are in 127.0.0.0/8. A --cidr outside that is
 * refused (exit 2) and every address is checked again right before connect().
 *
 * Build: gcc -O2 -Wall -o dist/bench/smtp-client bench/c/smtp-client.c (Linux, libc only).
 * Prints {"sessions":N,"ok":N,"byStatus":{...},"peakInFlight":N,"seconds":S} on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* RFC 5321 caps a reply line at 512 bytes; 4 KiB leaves room for a few of them per read. */
#define BUF_SIZE 4096
#define MAX_EVENTS 1024
/* epoll_wait never sleeps longer than this, so timeouts are noticed even when all is quiet. */
#define WAIT_MS 100
/* How often (at most) the in-flight sessions are scanned for timeouts and due retries. */
#define SCAN_MS 10
/* EADDRNOTAVAIL / EAGAIN from connect() mean "no local port right now": try again later. */
#define CONNECT_RETRIES 4
#define RETRY_BASE_MS 10

enum status { ST_OK, ST_REFUSED, ST_RESET, ST_CLOSED, ST_TIMEOUT, ST_ERROR, ST_COUNT };
static const char *const status_names[ST_COUNT] = {"ok", "refused", "reset", "closed", "timeout", "error"};

/* What the session waits for next. There is no "connecting" state: see start_session(). */
enum phase { PH_FREE, PH_RETRY, PH_BANNER, PH_EHLO, PH_HELP, PH_QUIT };

struct session {
  int fd;
  enum phase phase;
  uint32_t addr;     /* host byte order */
  int retries;       /* connect attempts that hit EADDRNOTAVAIL/EAGAIN */
  double started_ms; /* first attempt, for the per-session cap */
  double retry_ms;   /* PH_RETRY: when to try connect() again */
  size_t len;        /* bytes in buf */
  char buf[BUF_SIZE];
};

static struct session *slots;
static int *free_slots; /* stack of unused slot indexes */
static int free_top;
static int epfd;

static uint32_t range_base;
static uint64_t range_size;
static int port = 25;
static long concurrency = 1000;
static uint64_t total_sessions; /* 0 until set: defaults to range_size */
static int help_mode;
static double timeout_ms = 20000;

static uint64_t started, finished;
static long in_flight, peak_in_flight;
static uint64_t counts[ST_COUNT];
/* Why sessions ended as "error", for a one-line note on stderr: errno values and two
 * protocol failures of our own. */
#define ERRNO_SLOTS 256
static uint64_t errno_counts[ERRNO_SLOTS];
static uint64_t bad_banner, long_line, short_write;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: smtp-client --cidr 127.x.y.z/n [--port 25] [--concurrency 1000] [--sessions N]\n"
          "                   [--mode ehlo|help] [--timeout-ms 20000]\n"
          "Targets must lie inside 127.0.0.0/8.\n");
}

static void bad_args(const char *fmt, const char *what) {
  fprintf(stderr, "smtp-client: ");
  fprintf(stderr, fmt, what);
  fputc('\n', stderr);
  usage(stderr);
  exit(2);
}

/* Whole decimal numbers only, within [min, max]: "10k" or "" is a mistake, not 10 or 0. */
static uint64_t number_arg(const char *name, const char *text, uint64_t min, uint64_t max) {
  char *end;
  errno = 0;
  if (text[0] < '0' || text[0] > '9') bad_args("--%s takes a whole number", name);
  unsigned long long value = strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max) bad_args("--%s is out of range", name);
  return (uint64_t)value;
}

/* Parses a.b.c.d/n and insists on 127.0.0.0/8: this program must never leave the host. */
static void parse_cidr(const char *text) {
  char copy[64];
  if (strlen(text) >= sizeof copy) bad_args("not an IPv4 CIDR: %s", text);
  strcpy(copy, text);
  char *slash = strchr(copy, '/');
  long bits = 32;
  if (slash) {
    char *end;
    *slash = '\0';
    errno = 0;
    bits = strtol(slash + 1, &end, 10);
    if (slash[1] == '\0' || *end != '\0' || errno != 0 || bits < 0 || bits > 32)
      bad_args("not an IPv4 CIDR: %s", text);
  }
  struct in_addr in;
  if (inet_pton(AF_INET, copy, &in) != 1) bad_args("not an IPv4 CIDR: %s", text);
  uint32_t addr = ntohl(in.s_addr);
  /* A prefix shorter than /8 would reach past 127/8 whatever the address says. */
  if (bits < 8 || (addr >> 24) != 127)
    bad_args("refusing %s: targets must lie inside 127.0.0.0/8", text);
  range_size = (uint64_t)1 << (32 - bits);
  range_base = (uint32_t)(addr & ~(uint32_t)(range_size - 1));
}

static void parse_args(int argc, char **argv) {
  static const struct option options[] = {
      {"cidr", required_argument, NULL, 'c'},        {"port", required_argument, NULL, 'p'},
      {"concurrency", required_argument, NULL, 'n'}, {"sessions", required_argument, NULL, 's'},
      {"mode", required_argument, NULL, 'm'},        {"timeout-ms", required_argument, NULL, 't'},
      {"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0},
  };
  int have_cidr = 0, opt;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    switch (opt) {
    case 'c':
      parse_cidr(optarg);
      have_cidr = 1;
      break;
    case 'p':
      port = (int)number_arg("port", optarg, 1, 65535);
      break;
    case 'n':
      concurrency = (long)number_arg("concurrency", optarg, 1, 10000000);
      break;
    case 's':
      total_sessions = number_arg("sessions", optarg, 1, UINT64_MAX / 2);
      break;
    case 'm':
      if (strcmp(optarg, "ehlo") == 0) help_mode = 0;
      else if (strcmp(optarg, "help") == 0) help_mode = 1;
      else bad_args("--mode is ehlo or help, not %s", optarg);
      break;
    case 't':
      timeout_ms = (double)number_arg("timeout-ms", optarg, 1, 86400000);
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default: /* getopt_long has already said what was wrong */
      usage(stderr);
      exit(2);
    }
  }
  if (optind < argc) bad_args("unexpected argument %s", argv[optind]);
  if (!have_cidr) bad_args("%s is required", "--cidr");
  if (total_sessions == 0) total_sessions = range_size;
}

/* Every session holds one descriptor; beside them only stdio and the epoll fd. */
static void raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      (rlim_t)concurrency + 16 > rl.rlim_cur) {
    /* Running anyway would only measure EMFILE; say so instead. */
    fprintf(stderr, "smtp-client: --concurrency %ld needs more descriptors than RLIMIT_NOFILE (%llu)\n",
            concurrency, (unsigned long long)rl.rlim_cur);
    exit(2);
  }
}

static enum status status_of_errno(int err) {
  switch (err) {
  case ECONNREFUSED:
    return ST_REFUSED;
  case ECONNRESET:
    return ST_RESET;
  case EPIPE:
    return ST_CLOSED; /* we wrote to a peer that had already gone */
  case ETIMEDOUT:
    return ST_TIMEOUT; /* the kernel gave up before our own cap did */
  default:
    errno_counts[err > 0 && err < ERRNO_SLOTS ? err : 0] += 1;
    return ST_ERROR;
  }
}

static void finish(int slot, enum status st) {
  struct session *s = &slots[slot];
  /* close() also drops the fd from the epoll set: no EPOLL_CTL_DEL needed. */
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  s->phase = PH_FREE;
  counts[st] += 1;
  finished += 1;
  in_flight -= 1;
  free_slots[free_top++] = slot;
}

/*
 * Opens the socket and starts a non-blocking connect. The socket is registered for EPOLLIN
 * only, never EPOLLOUT: in SMTP the server speaks first, so the banner's arrival is itself the
 * news that the connect succeeded, and a failed connect shows up as EPOLLERR/EPOLLHUP, which
 * epoll reports whatever was asked for. That saves an epoll_ctl(MOD) and a wake-up per session.
 */
static void try_connect(int slot, double now) {
  struct session *s = &slots[slot];
  /* Second line of defence: whatever the argument parsing did, never leave 127/8. */
  if ((s->addr >> 24) != 127) {
    fprintf(stderr, "smtp-client: internal error, non-loopback target\n");
    abort();
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    finish(slot, status_of_errno(errno));
    return;
  }
  s->fd = fd;
  /* Each command is one small write followed by a wait for the reply: Nagle would only add
   * delay (it holds a second small segment back until the first is acknowledged). */
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(s->addr);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
    int err = errno;
    if ((err == EADDRNOTAVAIL || err == EAGAIN) && s->retries < CONNECT_RETRIES) {
      /* Out of local ports for the moment (TIME_WAIT, mostly): back off and try again with a
       * fresh socket rather than count an error the target had no part in. */
      close(fd);
      s->fd = -1;
      s->phase = PH_RETRY;
      s->retry_ms = now + RETRY_BASE_MS * (double)(1 << s->retries);
      s->retries += 1;
      return;
    }
    finish(slot, status_of_errno(err));
    return;
  }
  struct epoll_event ev = {.events = EPOLLIN, .data = {.u32 = (uint32_t)slot}};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    finish(slot, status_of_errno(errno));
    return;
  }
  s->phase = PH_BANNER;
}

static void start_session(double now) {
  int slot = free_slots[--free_top];
  struct session *s = &slots[slot];
  /* Addresses in order, wrapping round when there are more sessions than addresses. */
  s->addr = range_base + (uint32_t)(started % range_size);
  s->fd = -1;
  s->retries = 0;
  s->len = 0;
  s->started_ms = now;
  started += 1;
  in_flight += 1;
  if (in_flight > peak_in_flight) peak_in_flight = in_flight;
  try_connect(slot, now);
}

/*
 * Looks for the end of a reply in s->buf: a line of three digits followed by a space (or by
 * nothing, "250\r\n", which RFC 5321 allows). "DDD-" lines continue the reply and are dropped
 * as they are seen, so that a long multi-line reply never has to fit in the buffer at once.
 * Returns the reply code and removes the reply from the buffer, 0 if more bytes are needed,
 * -1 if a single line is longer than the buffer.
 */
static int take_reply(struct session *s) {
  size_t pos = 0;
  for (;;) {
    char *line = s->buf + pos;
    char *nl = memchr(line, '\n', s->len - pos);
    if (!nl) break;
    size_t line_len = (size_t)(nl - line) + 1;
    if (line_len >= 4 && line[0] >= '0' && line[0] <= '9' && line[1] >= '0' && line[1] <= '9' &&
        line[2] >= '0' && line[2] <= '9' && (line[3] == ' ' || line[3] == '\r' || line[3] == '\n')) {
      int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      pos += line_len;
      /* Anything after the reply (another reply, in one read) stays for the next call. */
      s->len -= pos;
      memmove(s->buf, s->buf + pos, s->len);
      return code;
    }
    pos += line_len; /* a continuation line (or noise): only the final line matters */
  }
  if (pos > 0) {
    s->len -= pos;
    memmove(s->buf, s->buf + pos, s->len);
  }
  return s->len == BUF_SIZE ? -1 : 0;
}

/* Commands are a few bytes and each is sent only after the reply to the one before, so the
 * socket's send buffer is all but empty: a short write cannot happen in practice, and if it
 * ever did, counting an error is more honest than pretending. Returns 0 when sent. */
static int send_command(int slot, const char *cmd, size_t len) {
  ssize_t n = send(slots[slot].fd, cmd, len, MSG_NOSIGNAL);
  if (n == (ssize_t)len) return 0;
  if (n < 0) {
    finish(slot, status_of_errno(errno));
  } else {
    short_write += 1;
    finish(slot, ST_ERROR);
  }
  return -1;
}

static const char EHLO[] = "EHLO bench.invalid\r\n";
static const char HELP[] = "HELP\r\n";
static const char QUIT[] = "QUIT\r\n";

/* Moves the dialogue on by one reply. Returns 0 to go on, -1 once the session is over. */
static int on_reply(int slot, int code) {
  struct session *s = &slots[slot];
  switch (s->phase) {
  case PH_BANNER:
    if (code < 200 || code > 299) {
      bad_banner += 1;
      finish(slot, ST_ERROR);
      return -1;
    }
    if (send_command(slot, EHLO, sizeof EHLO - 1) < 0) return -1;
    s->phase = PH_EHLO;
    return 0;
  case PH_EHLO: /* any reply will do: the point is the round trip, not the extensions */
    if (help_mode) {
      if (send_command(slot, HELP, sizeof HELP - 1) < 0) return -1;
      s->phase = PH_HELP;
    } else {
      if (send_command(slot, QUIT, sizeof QUIT - 1) < 0) return -1;
      s->phase = PH_QUIT;
    }
    return 0;
  case PH_HELP:
    if (send_command(slot, QUIT, sizeof QUIT - 1) < 0) return -1;
    s->phase = PH_QUIT;
    return 0;
  case PH_QUIT:
    /* We close first, without waiting for the server's FIN: the session is done. */
    finish(slot, ST_OK);
    return -1;
  default:
    return -1;
  }
}

/*
 * Level-triggered epoll: one recv() per wake-up is enough, because whatever is left unread is
 * reported again by the next epoll_wait. Edge-triggered would oblige a read-until-EAGAIN
 * loop (one more syscall per event, or care to skip it) for no gain here: the interest set
 * never changes after the ADD (EPOLLIN only, see try_connect), so LT costs no extra
 * epoll_ctl calls, and a chatty peer cannot keep the loop from the other sessions.
 */
static void on_event(int slot, uint32_t events) {
  struct session *s = &slots[slot];
  if (s->phase < PH_BANNER) return; /* not ours any more (cannot happen: see main loop) */
  ssize_t n = recv(s->fd, s->buf + s->len, BUF_SIZE - s->len, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    finish(slot, status_of_errno(errno));
    return;
  }
  if (n == 0) {
    int err = 0;
    socklen_t len = sizeof err;
    /* An EOF with EPOLLERR may hide a pending socket error (a refused connect): ask. */
    if ((events & EPOLLERR) && getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
      finish(slot, status_of_errno(err));
    else
      finish(slot, s->phase == PH_QUIT ? ST_OK : ST_CLOSED);
    return;
  }
  s->len += (size_t)n;
  for (;;) {
    int code = take_reply(s);
    if (code == 0) return;
    if (code < 0) {
      long_line += 1;
      finish(slot, ST_ERROR);
      return;
    }
    if (on_reply(slot, code) < 0) return;
  }
}

/* Once every SCAN_MS: sessions over the cap end as timeouts, backed-off connects go again. */
static void scan(double now) {
  for (long i = 0; i < concurrency; i++) {
    struct session *s = &slots[i];
    if (s->phase == PH_FREE) continue;
    if (now - s->started_ms > timeout_ms) finish((int)i, ST_TIMEOUT);
    else if (s->phase == PH_RETRY && now >= s->retry_ms) try_connect((int)i, now);
  }
}

static void print_result(double seconds) {
  printf("{\"sessions\":%llu,\"ok\":%llu,\"byStatus\":{", (unsigned long long)finished,
         (unsigned long long)counts[ST_OK]);
  int first = 1;
  for (int i = 0; i < ST_COUNT; i++) {
    if (counts[i] == 0) continue; /* like the Node loops: only the statuses that happened */
    printf("%s\"%s\":%llu", first ? "" : ",", status_names[i], (unsigned long long)counts[i]);
    first = 0;
  }
  printf("},\"peakInFlight\":%ld,\"seconds\":%.6f}\n", peak_in_flight, seconds);
  fflush(stdout);

  if (counts[ST_ERROR] == 0) return;
  fprintf(stderr, "smtp-client: errors:");
  for (int e = 0; e < ERRNO_SLOTS; e++)
    if (errno_counts[e]) fprintf(stderr, " %s=%llu", e ? strerror(e) : "other", (unsigned long long)errno_counts[e]);
  if (bad_banner) fprintf(stderr, " non-2xx banner=%llu", (unsigned long long)bad_banner);
  if (long_line) fprintf(stderr, " line over %d bytes=%llu", BUF_SIZE, (unsigned long long)long_line);
  if (short_write) fprintf(stderr, " short write=%llu", (unsigned long long)short_write);
  fputc('\n', stderr);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  if ((uint64_t)concurrency > total_sessions) concurrency = (long)total_sessions;
  raise_nofile();
  /* send() has MSG_NOSIGNAL; this is for anything else that might write to a dead socket. */
  signal(SIGPIPE, SIG_IGN);

  slots = calloc((size_t)concurrency, sizeof *slots);
  free_slots = malloc((size_t)concurrency * sizeof *free_slots);
  if (!slots || !free_slots) {
    fprintf(stderr, "smtp-client: out of memory for %ld sessions\n", concurrency);
    return 1;
  }
  /* Pushed in reverse so that slot 0 is handed out first (no reason but tidiness). */
  for (long i = concurrency - 1; i >= 0; i--) {
    slots[i].fd = -1;
    free_slots[free_top++] = (int)i;
  }
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    perror("smtp-client: epoll_create1");
    return 1;
  }

  static struct epoll_event events[MAX_EVENTS];
  double t0 = now_ms(), now = t0, last_scan = t0;
  while (in_flight < concurrency && started < total_sessions) start_session(now);

  while (finished < total_sessions) {
    int n = epoll_wait(epfd, events, MAX_EVENTS, WAIT_MS);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("smtp-client: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; i++) on_event((int)events[i].data.u32, events[i].events);
    now = now_ms();
    if (now - last_scan >= SCAN_MS) {
      scan(now);
      last_scan = now;
    }
    /* New sessions only between batches: a slot freed during this batch is not handed out
     * while events from the same epoll_wait are still being read, so an event meant for the
     * slot's old socket can never reach its next tenant. */
    while (in_flight < concurrency && started < total_sessions) start_session(now);
  }
  print_result((now_ms() - t0) / 1000.0);
  return 0;
}
