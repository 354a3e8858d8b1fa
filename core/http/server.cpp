#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace elt {

namespace {

// A request head larger than this is not one a learner's program sends; Node's own limit
// (--max-http-header-size) is 16 KiB.
constexpr std::size_t kMaxHead = 16 * 1024;
// A listen backlog as small programs need; Node passes 511 to uv_listen.
constexpr int kBacklog = 511;

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "GET /x HTTP/1.1" and the header lines after it; false when it is not a request head.
bool parse_head(std::string_view head, ServerRequest& out) {
  auto line_end = head.find("\r\n");
  std::string_view first = head.substr(0, line_end);
  auto sp1 = first.find(' ');
  auto sp2 = first.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1 || !first.substr(sp2 + 1).starts_with("HTTP/1.")) return false;
  out.method = std::string(first.substr(0, sp1));
  out.target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view rest = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
  while (!rest.empty()) {
    auto end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    out.headers.emplace_back(lower(std::string(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return true;
}

}  // namespace

std::unique_ptr<HttpListener> HttpListener::open(std::uint16_t port, std::string& error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = fmt::format("socket: {}", std::strerror(errno));
    return nullptr;
  }
  // As Node does (uv_tcp_bind sets SO_REUSEADDR): a port just freed by a closed server can
  // be listened on again at once, instead of after TIME_WAIT.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  // Loopback only: a scenario's server is never reachable from another machine.
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || listen(fd, kBacklog) < 0) {
    // Node's words: "listen EADDRINUSE: address already in use 127.0.0.1:8080".
    int err = errno;
    error = fmt::format("listen {}: {} 127.0.0.1:{}", strerrorname_np(err), std::strerror(err), port);
    ::close(fd);
    return nullptr;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<HttpListener>(new HttpListener(fd, ntohs(addr.sin_port)));
}

HttpListener::~HttpListener() {
  if (fd_ >= 0) ::close(fd_);
}

int HttpListener::accept_one() {
  for (;;) {
    int fd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    // EAGAIN: nobody is waiting. Anything else (a peer that left before we accepted, no
    // descriptors left) loses that one connection, as libuv's uv__server_io reports it
    // to the connection callback and goes on listening.
    if (errno != EINTR) return -1;
  }
}

HttpServerConnection::~HttpServerConnection() { close_socket(); }

void HttpServerConnection::close_socket() {
  if (fd_ >= 0) ::close(fd_);  // also removes it from any epoll set
  fd_ = -1;
}

HttpServerConnection::ReadResult HttpServerConnection::on_readable() {
  std::array<char, 4096> buf;
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n > 0) {
      in_.append(buf.data(), static_cast<std::size_t>(n));
      if (auto end = in_.find("\r\n\r\n"); end != std::string::npos) {
        return parse_head(std::string_view(in_).substr(0, end), request_) ? ReadResult::Request : ReadResult::Closed;
      }
      if (in_.size() > kMaxHead) return ReadResult::Closed;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return ReadResult::NeedMore;
    return ReadResult::Closed;  // the peer closed (0) or the socket failed
  }
}

std::uint32_t HttpServerConnection::respond(std::string bytes) {
  responding_ = true;
  out_ = std::move(bytes);
  return on_writable();
}

std::uint32_t HttpServerConnection::on_writable() {
  while (sent_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return EPOLLOUT;
    if (n < 0) break;  // the client left: nothing more to say to it
    sent_ += static_cast<std::size_t>(n);
  }
  close_socket();
  return 0;
}

const char* http_status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

std::string http_response_bytes(int status, const std::string& body) {
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", status,
                     http_status_text(status), body.size(), body);
}

}  // namespace elt
