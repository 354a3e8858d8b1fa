// The Reactor's server side (Reactor::listen_http and its siblings): the listening sockets
// and accepted connections of the program's HTTP servers, in the Reactor's epoll set.
// Private to the poller: only reactor.cpp and reactor_server.cpp include it.
// Loop thread only, as the Reactor.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "channel/channel.h"
#include "http/server.h"
#include "poller/reactor.h"

namespace elt {

struct Reactor::ServerSide {
  explicit ServerSide(int fd) : epoll_fd(fd) {}

  struct Listening {
    std::unique_ptr<HttpListener> socket;
    std::function<CallbackId()> on_connection;
  };
  struct Accepted {
    std::unique_ptr<HttpServerConnection> socket;
    CallbackId request = 0;  // the callback its request runs
    bool delivered = false;  // its RequestDone is out
  };

  // A ready socket of ours: handles it and returns true; false for a token not ours.
  bool handle(std::uint64_t token, std::uint32_t events, std::vector<Completion>& out);
  void accept_all(Listening& listening);
  void read_request(Accepted& conn, std::vector<Completion>& out);
  void drop(CallbackId request);
  void close_all();

  int epoll_fd;
  std::unordered_map<std::uint64_t, Listening> listening;  // by server
  std::unordered_map<CallbackId, Accepted> accepted;       // by the request's callback
  // epoll's token for each socket (its object's address, as a request Connection's is):
  // which server, or which accepted connection.
  struct Owner {
    bool listener = false;
    std::uint64_t key = 0;  // a server, or a request's callback id
  };
  std::unordered_map<std::uint64_t, Owner> owners;
};

}  // namespace elt
