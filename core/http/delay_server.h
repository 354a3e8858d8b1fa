// A stand-in for the book's delay service, on 127.0.0.1.
//
// The book's `http_get_slow(url, ms)` asked a public service to answer after `ms`; there is
// no network here, so the tool starts this server (on its own thread, "delay-service")
// whenever a scenario needs it. For `GET /delay/<ms>/url/<url>` it waits <ms> plus the
// configured network latency, then answers as the book's service did: `302 Found`,
// `Server: Cowboy` second, and `Location: http://` + the url with repeated slashes
// merged. It is not part of the runtime being traced: it prints nothing.
//
// Other paths, for fault scenarios: `/hang` accepts and never answers, `/truncate` closes
// in the middle of a response, `/garbage` answers with something that is not HTTP.
//
// Owns: its listening socket, its connections, its thread. Thread-safety: construct,
// port() and stop() from one thread; everything else happens on its own thread.
#pragma once

#include <cstdint>
#include <memory>
#include <thread>

#include "common/time.h"

namespace elt {

class Clock;

class DelayServer {
 public:
  DelayServer(Clock& clock, Duration latency);
  ~DelayServer();
  DelayServer(const DelayServer&) = delete;
  DelayServer& operator=(const DelayServer&) = delete;

  std::uint16_t port() const { return port_; }
  void stop();

  // The Location the service answers for `url`: "http://" + url with runs of '/' merged.
  static std::string location_for(std::string_view url);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace elt
