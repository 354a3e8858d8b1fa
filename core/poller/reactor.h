// The node model's I/O: an epoll set the loop thread itself waits on in its poll phase.
//
// Mirrors libuv's uv__io_poll (src/unix/linux.c): there is no epoll thread; the loop
// thread blocks in epoll_wait with the timeout uv__backend_timeout computed, and the
// thread pool wakes it through an eventfd in the same epoll set (uv_async_send on the
// loop's wq_async; here the completion channel's eventfd). Sockets are read on the loop
// thread as they become ready (uv__stream_io), each request driven by an HttpConnection.
//
// In the set: the channel's eventfd (pool completions), a wake eventfd of our own
// (virtual-clock timeouts and stop requests) and one socket per HTTP request.
// Owns: the epoll fd, the wake eventfd and the connections. Loop thread only: every
// member must be called on the thread that runs the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.h"
#include "common/time.h"
#include "http/connection.h"
#include "channel/channel.h"

struct epoll_event;  // <sys/epoll.h>, kept out of this header

namespace elt {

class Tracer;

class Reactor {
 public:
  Reactor(Clock& clock, Tracer& tracer, CompletionChannel& channel);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // Starts a request now; its RequestDone comes out of a later poll().
  void start_http(HttpRequestSpec spec);
  // One uv__io_poll: waits until something is ready or `deadline` passes (nullopt: no
  // limit; a deadline in the past: only looks), then handles everything that is ready:
  // moves sockets along and appends, in the order they became ready, the requests that
  // finished and every completion in the channel. Returns false when it timed out with
  // nothing to hand over.
  bool poll(std::optional<TimePoint> deadline, std::vector<Completion>& out);
  // Wakes a poll() in progress (a stop request). Async-signal-safe.
  void wake();
  // Calls `gone` in a later poll() once the pipe `fd` (the trace's output) has no reader
  // left, so that a run whose output waits for its end (chrome) still stops when the
  // reader leaves (`| head -c 10`). Before the first poll().
  void watch_output(int fd, std::function<void()> gone);
  // Ends every request still open and every server (shutdown).
  void close_all();

  // The server side of http (http.createServer(...).listen), reactor_server.cpp. Its
  // listening socket and the connections it accepts join this epoll set. For each accepted
  // connection poll() calls `on_connection`, which registers the callback the connection's
  // request will run and returns its id; once the request head is in, a RequestDone with
  // that id carries it (fields method, url, headers), or an error when the client left
  // first. Returns the port listened on (port 0: a free one), or nullopt with `error`.
  std::optional<std::uint16_t> listen_http(std::uint64_t server, std::uint16_t port,
                                           std::function<CallbackId()> on_connection, std::string& error);
  // res.end(): writes `bytes` as the answer to `request` and closes its connection; false
  // when the connection is gone (the client left).
  bool respond_http(CallbackId request, std::string bytes);
  // server.close(): stops listening. Connections already accepted are still answered.
  void close_http_server(std::uint64_t server);
  // Whether one of the program's own servers listens on `port` (of 127.0.0.1).
  bool listens_on(std::uint16_t port) const;

  std::size_t in_flight() const { return connections_.size(); }
  std::vector<CallbackId> registered() const;

 private:
  struct Connection;
  struct ServerSide;  // reactor_server.cpp
  void watch(Connection& conn, std::uint32_t events, std::vector<Completion>& out);
  void finish(Connection& conn, std::vector<Completion>& out);
  std::optional<TimePoint> earliest_request_deadline() const;
  // poll()'s steps, in the order it takes them.
  void expire_and_reap(std::vector<Completion>& out);
  int wait_blocking(std::optional<TimePoint> until, epoll_event* events, int capacity);
  bool handle_ready(const epoll_event* events, int n, std::vector<Completion>& out);
  void take_completions(bool channel_ready, std::vector<Completion>& out);

  Clock& clock_;
  Tracer& tracer_;
  CompletionChannel& channel_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::function<void()> output_gone_;
  std::unique_ptr<ServerSide> servers_;  // made by the first listen_http
};

}  // namespace elt
