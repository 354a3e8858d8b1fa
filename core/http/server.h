// The server side of Node's http module, as sockets: a listening socket on loopback and the
// connections it accepts, each carrying one request and one response.
//
// Mirrors what Node's net.Server and http.Server do over libuv's uv_tcp_t: listen (uv_listen),
// accept as the listening socket becomes readable (uv__server_io), read a request head
// (llhttp's job in Node; here a small parser of the request line and headers), write the
// response (uv_write) and close. Like HttpConnection it never blocks, never touches an epoll
// set and posts nothing: the node model's Reactor owns the epoll set and calls these when a
// socket is ready.
//
// Simplification: one request per connection, answered with `Connection: close`, and a
// request body is not read (the subset learners write: `http.get` of the same program's
// server). A real server keeps connections alive and parses bodies.
//
// Owns: its socket. One thread at a time; the owner's (the loop thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace elt {

struct ServerRequest {
  std::string method;  // "GET"
  std::string target;  // "/path?query", as req.url gives it
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, as req.headers
};

// A socket bound to 127.0.0.1 and listening.
class HttpListener {
 public:
  // Port 0 asks the kernel for a free port (port() says which): tests that run at the same
  // time never collide. Null with `error` set when the port cannot be had (EADDRINUSE is an
  // expected outcome: Node emits it as the server's 'error').
  static std::unique_ptr<HttpListener> open(std::uint16_t port, std::string& error);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int fd() const { return fd_; }
  std::uint16_t port() const { return port_; }
  // One waiting connection's socket (non-blocking), or -1 when none is waiting.
  int accept_one();

 private:
  HttpListener(int fd, std::uint16_t port) : fd_(fd), port_(port) {}
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// One accepted connection: reads a request head, then writes one response and closes.
class HttpServerConnection {
 public:
  explicit HttpServerConnection(int fd) : fd_(fd) {}
  ~HttpServerConnection();
  HttpServerConnection(const HttpServerConnection&) = delete;
  HttpServerConnection& operator=(const HttpServerConnection&) = delete;

  enum class ReadResult { NeedMore, Request, Closed };
  // The socket is readable: reads what is there. Request once a whole head is in (then
  // request() holds it); Closed when the peer left or sent something that is not HTTP.
  ReadResult on_readable();
  const ServerRequest& request() const { return request_; }
  // Queues the response and writes what the socket takes now. Returns the epoll events to
  // wait for (EPOLLOUT while bytes are left), 0 once all is written and the socket closed.
  std::uint32_t respond(std::string bytes);
  std::uint32_t on_writable();
  bool responding() const { return responding_; }
  int fd() const { return fd_; }

 private:
  void close_socket();

  int fd_ = -1;
  std::string in_;
  std::string out_;
  std::size_t sent_ = 0;
  bool responding_ = false;
  ServerRequest request_;
};

// The bytes of res.end(body) after res.statusCode = status, as Node writes them when no
// header was set: a status line, Content-Length and Connection: close.
std::string http_response_bytes(int status, const std::string& body);
// "OK" for 200, as http.STATUS_CODES; "Unknown" for a code it does not list.
const char* http_status_text(int status);

}  // namespace elt
