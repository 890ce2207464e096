/* Linux's readiness API for the scanner's connect sweep; Glibc's Swift module leaves these headers out. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
