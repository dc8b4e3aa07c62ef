#include "CLinux.h"

int purser_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int purser_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int purser_epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms) {
    return epoll_wait(epfd, events, maxevents, timeout_ms);
}

uint64_t purser_epoll_event_data(const struct epoll_event *event) { return event->data.u64; }
uint32_t purser_epoll_event_events(const struct epoll_event *event) { return event->events; }

int purser_eventfd(unsigned int initval) { return eventfd(initval, EFD_NONBLOCK | EFD_CLOEXEC); }

int purser_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int purser_errno(void) { return errno; }
