/*
 * The machine's connect ceiling for the sweep benchmark: the least a TCP connect scanner can do.
 *
 * Walks ADDRESS/PREFIX x PORTS address by address (the order dbscout uses), split between WORKERS
 * processes (one per online CPU by default; worker i takes every WORKERS-th endpoint), each with up
 * to INFLIGHT nonblocking connects outstanding, waited for with epoll. Each outcome is counted: open
 * (the connect completed; the socket is closed at once), refused, timed out (no answer within
 * TIMEOUT_MS) or another error. There are no probes, no rate limit, no per-host limit and no
 * bookkeeping beyond the counts, so its rate is what the kernel and the cores allow.
 *
 * Usage: connect-ceiling ADDRESS/PREFIX PORT[,PORT...] [INFLIGHT [TIMEOUT_MS [WORKERS]]]
 * Prints one JSON object: {"workers", "probes", "open", "refused", "timeout", "error", "seconds",
 * "per_second"}.
 *
 * Build: gcc -O2 -o connect-ceiling connect-ceiling.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_PORTS = 64 };

struct counts {
    unsigned long probes, open, refused, timeout, error;
};

/* What every worker walks, and how it waits. */
struct plan {
    uint32_t first;
    uint16_t ports[MAX_PORTS];
    int port_count;
    uint64_t total;
    int inflight;
    double timeout;
};

struct slot {
    int fd;          /* -1 when free */
    double deadline; /* monotonic seconds */
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void count_result(struct counts *counts, int error) {
    if (error == 0)
        counts->open++;
    else if (error == ECONNREFUSED)
        counts->refused++;
    else if (error == ETIMEDOUT)
        counts->timeout++;
    else
        counts->error++;
}

static int parse_ports(char *list, uint16_t *ports) {
    int n = 0;
    for (char *item = strtok(list, ","); item && n < MAX_PORTS; item = strtok(NULL, ",")) {
        long port = strtol(item, NULL, 10);
        if (port < 1 || port > 65535) return -1;
        ports[n++] = (uint16_t)port;
    }
    return n;
}

/* Starts one connect. Returns the fd if it is still in progress, else -1 (its outcome already counted). */
static int start_connect(struct counts *counts, int epoll, uint32_t address, uint16_t port, int slot_index) {
    counts->probes++;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("socket");
        exit(1);
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(address)};
    int error = connect(fd, (struct sockaddr *)&to, sizeof to) == 0 ? 0 : errno;
    if (error != EINPROGRESS) {
        /* Loopback usually settles the handshake inside connect() itself. */
        count_result(counts, error);
        close(fd);
        return -1;
    }
    struct epoll_event event = {.events = EPOLLOUT, .data.u32 = (uint32_t)slot_index};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
        perror("epoll_ctl");
        exit(1);
    }
    return fd;
}

/* One worker: endpoints worker, worker + workers, ... of the plan. */
static void walk(const struct plan *plan, uint64_t next, uint64_t step, struct counts *counts) {
    int inflight = plan->inflight;
    struct slot *slots = calloc((size_t)inflight, sizeof *slots);
    struct epoll_event *events = calloc((size_t)inflight, sizeof *events);
    int *free_slots = calloc((size_t)inflight, sizeof *free_slots), free_count = inflight;
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (!slots || !events || !free_slots || epoll < 0) exit(1);
    for (int i = 0; i < inflight; i++) {
        slots[i].fd = -1;
        free_slots[i] = i;
    }
    int active = 0;
    double last_sweep = now();
    while (next < plan->total || active > 0) {
        while (free_count > 0 && next < plan->total) {
            int i = free_slots[free_count - 1];
            uint32_t address = plan->first + (uint32_t)(next / (uint64_t)plan->port_count);
            uint16_t port = plan->ports[next % (uint64_t)plan->port_count];
            next += step;
            int fd = start_connect(counts, epoll, address, port, i);
            if (fd >= 0) {
                slots[i] = (struct slot){.fd = fd, .deadline = now() + plan->timeout};
                free_count--;
                active++;
            }
        }
        if (active == 0) continue;
        int ready = epoll_wait(epoll, events, inflight, 100);
        for (int e = 0; e < ready; e++) {
            int i = (int)events[e].data.u32, error = 0;
            socklen_t length = sizeof error;
            getsockopt(slots[i].fd, SOL_SOCKET, SO_ERROR, &error, &length);
            count_result(counts, error);
            close(slots[i].fd); /* closing also removes it from the epoll set */
            slots[i].fd = -1;
            free_slots[free_count++] = i;
            active--;
        }
        double t = now();
        if (t - last_sweep < 0.1) continue; /* deadlines are coarse on purpose: loopback answers at once */
        last_sweep = t;
        for (int i = 0; i < inflight; i++) {
            if (slots[i].fd >= 0 && slots[i].deadline <= t) {
                count_result(counts, ETIMEDOUT);
                close(slots[i].fd);
                slots[i].fd = -1;
                free_slots[free_count++] = i;
                active--;
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s ADDRESS/PREFIX PORT[,PORT...] [INFLIGHT [TIMEOUT_MS [WORKERS]]]\n", argv[0]);
        return 2;
    }
    char *slash = strchr(argv[1], '/');
    struct in_addr base;
    if (!slash) return 2;
    *slash = '\0';
    int prefix = atoi(slash + 1);
    if (inet_pton(AF_INET, argv[1], &base) != 1 || prefix < 8 || prefix > 32) {
        fprintf(stderr, "bad target %s/%s (IPv4, prefix 8-32)\n", argv[1], slash + 1);
        return 2;
    }
    struct plan plan = {.inflight = argc > 3 ? atoi(argv[3]) : 1024};
    plan.timeout = (argc > 4 ? atoi(argv[4]) : 1500) / 1000.0;
    int workers = argc > 5 ? atoi(argv[5]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    plan.port_count = parse_ports(argv[2], plan.ports);
    if (plan.port_count <= 0 || plan.inflight < 1 || workers < 1) {
        fprintf(stderr, "bad port list, in-flight count or worker count\n");
        return 2;
    }
    plan.first = ntohl(base.s_addr) & (uint32_t)(~(uint64_t)0 << (32 - prefix));
    plan.total = (1ull << (32 - prefix)) * (uint64_t)plan.port_count;

    /* Each worker writes its own counts here; the parent adds them up once all have exited. */
    struct counts *shared = mmap(NULL, sizeof(struct counts) * (size_t)workers, PROT_READ | PROT_WRITE,
                                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) return 1;
    memset(shared, 0, sizeof(struct counts) * (size_t)workers);
    double started = now();
    for (int w = 0; w < workers; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            walk(&plan, (uint64_t)w, (uint64_t)workers, &shared[w]);
            _exit(0);
        }
    }
    int failed = 0, status;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    double seconds = now() - started;
    if (failed) return 1;
    struct counts sum = {0};
    for (int w = 0; w < workers; w++) {
        sum.probes += shared[w].probes;
        sum.open += shared[w].open;
        sum.refused += shared[w].refused;
        sum.timeout += shared[w].timeout;
        sum.error += shared[w].error;
    }
    printf("{\"workers\": %d, \"probes\": %lu, \"open\": %lu, \"refused\": %lu, \"timeout\": %lu, \"error\": %lu, "
           "\"seconds\": %.3f, \"per_second\": %.0f}\n",
           workers, sum.probes, sum.open, sum.refused, sum.timeout, sum.error, seconds, (double)sum.probes / seconds);
    return 0;
}
