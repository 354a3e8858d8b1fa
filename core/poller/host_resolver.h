// Host-name lookups on a thread of their own, so that no thread that keeps time waits
// for a DNS server.
//
// getaddrinfo blocks, for as long as the resolver configuration says (five seconds per
// try by default, and a silent server gets every try). On the epoll thread that delayed
// every timer behind it: a 100 ms timer fired after 10 s. libuv runs lookups on its
// thread pool (uv_getaddrinfo); the book's model has the epoll thread ask this resolver
// instead, and go on waiting for its sockets and timers; the answer comes back through
// `done`, and the epoll thread gives each lookup its own deadline.
//
// Owns: one thread and its queue. Nothing in getaddrinfo can be interrupted, so close()
// joins the thread when it is idle and, when a lookup is still running, abandons it: the
// thread is detached and ends on its own (or with the process). Divergence from our rule
// of no detached threads, for that one case: a signal must end the run within a second
// or two, and the abandoned thread shares nothing but its own queue (a shared_ptr) and
// never calls `done` once close() has returned.
// Thread-safety: lookup() and close() from one thread (the epoll thread); `done` runs on
// the resolver's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace elt {

class HostResolver {
 public:
  // The IPv4 address as text ("93.184.216.34"), or an error naming the host.
  struct Answer {
    std::string address;
    std::string error;
  };
  using Done = std::function<void(Answer)>;

  HostResolver() = default;
  ~HostResolver() { close(); }
  HostResolver(const HostResolver&) = delete;
  HostResolver& operator=(const HostResolver&) = delete;

  // Queues a lookup of `host`; `done` runs on the resolver's thread, unless close() came
  // first. The thread starts with the first lookup.
  void lookup(std::string host, Done done);
  // After it returns, no `done` runs.
  void close();

  // For a thread that may block (a pool thread, as in libuv's uv_getaddrinfo): looks
  // `host` up on a resolver of its own and waits for the answer, but no longer than
  // `timeout`, and not past `stop` (checked every 100 ms), so that shutdown never waits
  // for a DNS server.
  static Answer resolve_blocking(const std::string& host, std::chrono::milliseconds timeout,
                                 const std::atomic<bool>& stop);

 private:
  struct Shared;  // the queue, shared with the thread so that it may outlive us (close())
  static void serve(const std::shared_ptr<Shared>& shared);
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

}  // namespace elt
