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

/* Thin wrappers so Swift sees stable, non-variadic signatures. */
int purser_epoll_create(void);
int purser_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int purser_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);
uint64_t purser_epoll_event_data(const struct epoll_event *event);
uint32_t purser_epoll_event_events(const struct epoll_event *event);
int purser_eventfd(unsigned int initval);
int purser_set_nonblocking(int fd);
int purser_errno(void);
#endif
