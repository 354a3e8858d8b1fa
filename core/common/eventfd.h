// Signalling an eventfd: the one way our threads wake each other (the loop, the epoll
// thread, the delay service). Adds 1 to the counter, retrying if a signal interrupts the
// write. Async-signal-safe, so a signal handler may call it.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace elt {

inline void signal_eventfd(int fd) {
  std::uint64_t one = 1;
  while (::write(fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

}  // namespace elt
