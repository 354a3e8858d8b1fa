// One HTTP/1.1 GET over a non-blocking TCP socket: a state machine driven by readiness.
//
// Whoever owns the epoll set (the book's epoll thread, or the node model's loop thread in
// its poll phase, as libuv's uv__stream_io would) calls start() once and advance() every
// time the socket is ready, and waits for the events each call returns. The connection
// never blocks, never touches an epoll set and never posts anything: it only moves bytes
// and parses the response (http::ResponseParser), so both owners share it.
//
// Owns: the socket (closed when done) and the parser. One thread at a time; the owner's.
#pragma once

#include <cstdint>
#include <string>

#include "common/time.h"
#include "common/value.h"
#include "http/response_parser.h"

namespace elt {

struct HttpRequestSpec {
  CallbackId id = 0;
  std::string host;     // "127.0.0.1", "localhost" or a name to resolve
  std::uint16_t port = 80;
  std::string target;   // "/path?query"
  std::string url;      // as the scenario wrote it, for messages
  Duration timeout = std::chrono::seconds(30);
  std::string error;    // set when the URL was unusable: the request fails with it at once
  std::string address;  // the host's IPv4 address once looked up elsewhere; empty: connect() resolves host
};

class HttpConnection {
 public:
  explicit HttpConnection(HttpRequestSpec spec);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Starts the non-blocking connect. Returns the epoll events to wait for (EPOLLOUT while
  // connecting), or 0 when the request is already over (a bad URL, an unknown host...).
  std::uint32_t start();
  // The socket reported readiness: moves what it can. Returns the events to wait for
  // next, or 0 when the request is over.
  std::uint32_t advance();
  // Ends the request with an error (a timeout, shutdown) and closes the socket.
  void fail(std::string error);

  // The host was looked up off this thread (HostResolver): connect to this address.
  void set_address(std::string address) { spec_.address = std::move(address); }
  bool done() const { return done_; }
  int fd() const { return fd_; }
  const HttpRequestSpec& spec() const { return spec_; }
  // Once done: the response as the scenario sees it (raw text with status, reason, body
  // and headers fields), or the error.
  Outcome take_outcome();

 private:
  std::uint32_t finish(bool ok, std::string error);
  Outcome response_outcome();

  HttpRequestSpec spec_;
  int fd_ = -1;
  enum class Stage { Connecting, Sending, Receiving } stage_ = Stage::Connecting;
  std::string request_;
  std::size_t sent_ = 0;
  http::ResponseParser parser_;
  bool done_ = false;
  Outcome outcome_;
};

}  // namespace elt
