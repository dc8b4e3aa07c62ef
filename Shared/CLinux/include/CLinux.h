#ifndef PURSER_CLINUX_H
#define PURSER_CLINUX_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>

/* Thin wrappers so Swift sees stable, non-variadic signatures. */
int purser_epoll_create(void);
int purser_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int purser_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);
uint64_t purser_epoll_event_data(const struct epoll_event *event);
uint32_t purser_epoll_event_events(const struct epoll_event *event);
int purser_eventfd(unsigned int initval);
int purser_set_nonblocking(int fd);
int purser_errno(void);
/* Monotonic clock in nanoseconds. */
uint64_t purser_monotonic_ns(void);
/* eventfd: add one / reset; return the read(2)/write(2) result. */
int purser_eventfd_signal(int fd);
int purser_eventfd_drain(int fd);
/* Non-blocking, close-on-exec listening TCP socket with SO_REUSEADDR (and SO_REUSEPORT when asked).
   Returns the fd or -errno; *bound_port receives the port actually bound (for port 0). */
int purser_tcp_listen(const char *host, int port, int backlog, int reuse_port, int *bound_port);
/* accept4 a non-blocking connection with TCP_NODELAY; writes "ip:port" into address. Returns fd or -errno. */
int purser_tcp_accept(int listen_fd, char *address, int address_length);
/* Starts a non-blocking connect with TCP_NODELAY. Returns fd (connection may be in progress) or -errno. */
int purser_tcp_connect(const char *host, int port);
/* The same for a numeric IPv4 or IPv6 address only: never consults DNS (AI_NUMERICHOST). */
int purser_tcp_connect_numeric(const char *address, int port);
/* SO_ERROR of a socket (0 when the pending connect succeeded). */
int purser_socket_error(int fd);
/* posix_spawn_file_actions_addclosefrom_np (glibc 2.34+; declared only under _GNU_SOURCE):
   the child closes every descriptor from `from` up. */
int purser_spawn_add_close_from(posix_spawn_file_actions_t *actions, int from);
#endif
