/*
 * An open-loop HTTP/1.1 load at a steady rate, in C so that the load generator costs next to
 * nothing beside the proxies it measures (the JavaScript one in paced-load.ts needs about as much
 * CPU per request as a proxy does, and on a 2-core machine that shows up in every tail).
 *
 * Request i is due at start + i/rate. It goes out on an idle keep-alive connection as soon as one
 * is free; its latency is counted from when it was due, not from when it was sent, so a stalled
 * proxy cannot hide its stall by slowing the generator down (no coordinated omission, as wrk2).
 * Responses must carry Content-Length (the benchmark's upstream sends it).
 *
 *   paced-load HOST_IP PORT HOST_HEADER RATE SECONDS CONNECTIONS
 *
 * Prints one JSON line: {"p50":ms,"p99":ms,"completed":n,"errors":n,"maxLagMs":ms}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 1024
#define BUFFER_SIZE 65536

struct connection {
  int fd;
  int busy;
  double due; /* when the request now on it was due (seconds) */
  size_t have;
  char buffer[BUFFER_SIZE];
};

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int open_connection(const char *ip, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, ip, &address.sin_addr);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    perror("connect");
    exit(2);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

/* Replaces a connection the server closed (or is closing) with a fresh one. */
static void reconnect(int poller, struct connection *connection, uint32_t index, const char *ip, int port) {
  epoll_ctl(poller, EPOLL_CTL_DEL, connection->fd, NULL);
  close(connection->fd);
  connection->fd = open_connection(ip, port);
  connection->have = 0;
  struct epoll_event event = {.events = EPOLLIN, .data.u32 = index};
  epoll_ctl(poller, EPOLL_CTL_ADD, connection->fd, &event);
}

/* Length of the complete response at the start of the buffer, 0 if incomplete, -1 if unusable. */
static long response_length(const char *data, size_t have, int *status, int *closing) {
  const char *end = memmem(data, have, "\r\n\r\n", 4);
  if (end == NULL) {
    return 0;
  }
  size_t head = (size_t)(end - data) + 4;
  *status = atoi(data + 9);
  long length = -1;
  for (const char *line = memchr(data, '\n', head); line != NULL && line < end;
       line = memchr(line + 1, '\n', head - (size_t)(line + 1 - data))) {
    if (strncasecmp(line + 1, "content-length:", 15) == 0) {
      length = atol(line + 16);
    }
    if (strncasecmp(line + 1, "connection: close", 17) == 0) {
      *closing = 1;
    }
  }
  if (length < 0) {
    return -1;
  }
  return have >= head + (size_t)length ? (long)(head + (size_t)length) : 0;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s HOST_IP PORT HOST_HEADER RATE SECONDS CONNECTIONS\n", argv[0]);
    return 2;
  }
  const char *ip = argv[1];
  int port = atoi(argv[2]);
  double rate = atof(argv[4]);
  double seconds = atof(argv[5]);
  int count = atoi(argv[6]);
  if (count < 1 || count > MAX_CONNECTIONS || rate <= 0 || seconds <= 0) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }
  char request[512];
  int request_length = snprintf(request, sizeof request, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", argv[3]);

  static struct connection connections[MAX_CONNECTIONS];
  int poller = epoll_create1(0);
  for (int i = 0; i < count; i++) {
    connections[i].fd = open_connection(ip, port);
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(poller, EPOLL_CTL_ADD, connections[i].fd, &event);
  }
  int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct epoll_event timer_event = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  epoll_ctl(poller, EPOLL_CTL_ADD, timer, &timer_event);

  long total = (long)(rate * seconds);
  double *latencies = calloc((size_t)total, sizeof(double));
  long scheduled = 0, completed = 0, errors = 0;
  double max_lag = 0;
  double start = now_seconds();
  int next_idle = 0;

  /* A target that stops answering must not hang the bench: 10 s after the last request was due,
     whatever has not been answered counts as an error. */
  double give_up = start + seconds + 10;
  long unanswered = 0;
  while (completed + errors < total) {
    double now = now_seconds();
    if (now > give_up) {
      unanswered = total - completed - errors;
      errors += unanswered;
      break;
    }
    int blocked = 0;
    /* Send every request that is due, on idle connections. */
    while (scheduled < total && start + (double)scheduled / rate <= now) {
      int chosen = -1;
      for (int step = 0; step < count; step++) {
        int candidate = (next_idle + step) % count;
        if (!connections[candidate].busy) {
          chosen = candidate;
          break;
        }
      }
      if (chosen < 0) {
        blocked = 1;
        break; /* every connection is busy: the request waits, and its wait counts */
      }
      next_idle = (chosen + 1) % count;
      struct connection *connection = &connections[chosen];
      connection->busy = 1;
      connection->due = start + (double)scheduled / rate;
      double lag = now - connection->due;
      if (lag > max_lag) {
        max_lag = lag;
      }
      if (write(connection->fd, request, (size_t)request_length) != request_length) {
        errors++;
        connection->busy = 0;
      }
      scheduled++;
    }
    /* Sleep until the next request is due, or a response arrives. When it is already due (every
       connection is busy), only a response can help: the timer is disarmed rather than spun on. */
    struct itimerspec spec = {0};
    if (scheduled < total && !blocked) {
      double due = start + (double)scheduled / rate;
      spec.it_value.tv_sec = (time_t)due;
      spec.it_value.tv_nsec = (long)((due - (double)(time_t)due) * 1e9);
      if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) {
        spec.it_value.tv_nsec = 1;
      }
    }
    timerfd_settime(timer, TFD_TIMER_ABSTIME, &spec, NULL);
    struct epoll_event events[64];
    int ready = epoll_wait(poller, events, 64, 1000);
    for (int e = 0; e < ready; e++) {
      uint32_t index = events[e].data.u32;
      if (index == UINT32_MAX) {
        uint64_t expirations;
        (void)!read(timer, &expirations, sizeof expirations);
        continue;
      }
      struct connection *connection = &connections[index];
      ssize_t got = read(connection->fd, connection->buffer + connection->have, BUFFER_SIZE - connection->have);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) {
          continue;
        }
        /* The server closed it (nginx does after keepalive_requests, 1000 by default): a
           request cut off counts as an error; a fresh connection takes the place. */
        if (connection->busy) {
          errors++;
          connection->busy = 0;
        }
        reconnect(poller, connection, index, ip, port);
        continue;
      }
      connection->have += (size_t)got;
      int status = 0;
      int closing = 0;
      long length = response_length(connection->buffer, connection->have, &status, &closing);
      if (length < 0) {
        fprintf(stderr, "response without Content-Length\n");
        return 3;
      }
      if (length > 0 && connection->busy) {
        double latency = now_seconds() - connection->due;
        if (status >= 200 && status < 300) {
          latencies[completed++] = latency;
        } else {
          errors++;
        }
        memmove(connection->buffer, connection->buffer + length, connection->have - (size_t)length);
        connection->have -= (size_t)length;
        connection->busy = 0;
        if (closing) {
          /* The server ends this connection after the response: take a fresh one now. */
          reconnect(poller, connection, index, ip, port);
        }
      }
    }
  }
  qsort(latencies, (size_t)completed, sizeof(double), compare_doubles);
  double p50 = completed > 0 ? latencies[(long)(0.5 * (double)completed)] : 0;
  double p99 = completed > 0 ? latencies[(long)(0.99 * (double)(completed - 1))] : 0;
  printf("{\"p50\":%.3f,\"p99\":%.3f,\"completed\":%ld,\"errors\":%ld,\"unanswered\":%ld,\"maxLagMs\":%.1f}\n", p50 * 1000,
         p99 * 1000, completed, errors, unanswered, max_lag * 1000);
  return 0;
}
