// The Reactor's server side: what libuv's uv__server_io (accept) and uv__stream_io (read,
// write) do for the sockets of an http.Server, on the loop thread in its poll phase.
#include <sys/epoll.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/check.h"
#include "poller/reactor_server.h"

namespace elt {

namespace {

std::uint64_t token_of(const void* socket) { return reinterpret_cast<std::uint64_t>(socket); }

void epoll_change(int epoll_fd, int op, int fd, std::uint32_t events, std::uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (epoll_ctl(epoll_fd, op, fd, &ev) < 0) throw_errno("epoll_ctl");
}

// req as the handler sees it: req.method, req.url, req.headers.<name>.
Value request_value(const ServerRequest& request) {
  Value::Fields headers;
  std::string header_text;
  for (const auto& [name, value] : request.headers) {
    header_text += fmt::format("{}: {}\n", name, value);
    headers.emplace_back(name, Value::string(value));
  }
  Value::Fields fields;
  fields.emplace_back("method", Value::string(request.method));
  fields.emplace_back("url", Value::string(request.target));
  fields.emplace_back("headers", Value::string_with_fields(std::move(header_text), std::move(headers)));
  return Value::string_with_fields(fmt::format("{} {}", request.method, request.target), std::move(fields));
}

}  // namespace

std::optional<std::uint16_t> Reactor::listen_http(std::uint64_t server, std::uint16_t port,
                                                  std::function<CallbackId()> on_connection, std::string& error) {
  if (!servers_) servers_ = std::make_unique<ServerSide>(epoll_fd_);
  auto socket = HttpListener::open(port, error);
  if (!socket) return std::nullopt;
  const std::uint16_t bound = socket->port();
  epoll_change(epoll_fd_, EPOLL_CTL_ADD, socket->fd(), EPOLLIN, token_of(socket.get()));
  servers_->owners[token_of(socket.get())] = {true, server};
  servers_->listening[server] = {std::move(socket), std::move(on_connection)};
  return bound;
}

bool Reactor::respond_http(CallbackId request, std::string bytes) {
  if (!servers_) return false;
  auto it = servers_->accepted.find(request);
  if (it == servers_->accepted.end() || it->second.socket->responding()) return false;
  HttpServerConnection& socket = *it->second.socket;
  const int fd = socket.fd();
  if (std::uint32_t events = socket.respond(std::move(bytes)); events != 0) {
    // The socket's buffer is full (a large body): the rest goes when it is writable.
    epoll_change(epoll_fd_, EPOLL_CTL_ADD, fd, events, token_of(&socket));
    return true;
  }
  servers_->drop(request);
  return true;
}

void Reactor::close_http_server(std::uint64_t server) {
  if (!servers_) return;
  auto it = servers_->listening.find(server);
  if (it == servers_->listening.end()) return;
  servers_->owners.erase(token_of(it->second.socket.get()));
  servers_->listening.erase(it);  // closing the socket takes it out of the epoll set
}

bool Reactor::listens_on(std::uint16_t port) const {
  if (!servers_) return false;
  for (const auto& [id, server] : servers_->listening) {
    if (server.socket->port() == port) return true;
  }
  return false;
}

bool Reactor::ServerSide::handle(std::uint64_t token, std::uint32_t events, std::vector<Completion>& out) {
  auto owner = owners.find(token);
  if (owner == owners.end()) return false;
  const Owner who = owner->second;
  if (who.listener) {
    if (auto it = listening.find(who.key); it != listening.end()) accept_all(it->second);
    return true;
  }
  auto it = accepted.find(who.key);
  if (it == accepted.end()) return true;
  if (it->second.socket->responding()) {
    if (it->second.socket->on_writable() == 0) drop(who.key);
  } else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    read_request(it->second, out);
  }
  return true;
}

// As uv__server_io: every connection waiting is accepted now, each registered for reading,
// so its request is read in a later poll (libuv adds new watchers to epoll at the start of
// the next uv__io_poll).
void Reactor::ServerSide::accept_all(Listening& server) {
  for (int fd = server.socket->accept_one(); fd >= 0; fd = server.socket->accept_one()) {
    auto socket = std::make_unique<HttpServerConnection>(fd);
    const std::uint64_t token = token_of(socket.get());
    const CallbackId request = server.on_connection();
    epoll_change(epoll_fd, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLRDHUP, token);
    owners[token] = {false, request};
    accepted[request] = {std::move(socket), request, false};
  }
}

void Reactor::ServerSide::read_request(Accepted& conn, std::vector<Completion>& out) {
  const CallbackId request = conn.request;
  switch (conn.socket->on_readable()) {
    case HttpServerConnection::ReadResult::NeedMore: return;
    case HttpServerConnection::ReadResult::Request:
      // The response is written by res.end(), later: until then nothing is asked of epoll.
      epoll_change(epoll_fd, EPOLL_CTL_DEL, conn.socket->fd(), 0, 0);
      conn.delivered = true;
      out.push_back(RequestDone{request, Outcome::ok(request_value(conn.socket->request()))});
      return;
    case HttpServerConnection::ReadResult::Closed:
      // The client left (or sent what is not HTTP) before a whole request: Node's server
      // never calls the handler for it. The registered callback still gets its completion.
      out.push_back(RequestDone{request, Outcome::fail("the client closed the connection before its request")});
      drop(request);
      return;
  }
}

void Reactor::ServerSide::drop(CallbackId request) {
  auto it = accepted.find(request);
  if (it == accepted.end()) return;
  owners.erase(token_of(it->second.socket.get()));
  accepted.erase(it);
}

void Reactor::ServerSide::close_all() {
  owners.clear();
  accepted.clear();
  listening.clear();
}

}  // namespace elt
