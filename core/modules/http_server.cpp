// The http module's server side, as the node model runs it: http.createServer(handler),
// server.listen(port, cb), res.end(body) and server.close(cb), on a real listening socket
// on loopback that the loop thread's epoll set watches (poller/reactor_server.cpp).
//
// Where Node queues each event (measured with node v20, tests/js/http-server-*.js):
// - listen's callback is a nextTick queued by listen() itself (net.js: emitListeningNT),
//   so it runs before a nextTick the program queues after calling listen;
// - the handler runs in the poll phase that reads the request, a later iteration than the
//   one that accepted the connection (the socket is read after it is added to epoll);
// - close's callback is a nextTick queued by close() once no connection is open
//   (emitCloseNT).
// The book's loop has no server: the scenario parser refuses these actions there.
#include "loop/runtime.h"

#include <fmt/format.h>

#include "common/check.h"
#include "http/server.h"
#include "poller/reactor.h"

namespace elt {

CallbackId Runtime::http_listen(std::uint16_t port, RequestHandler handler, Callback on_listening, std::string label) {
  ensure(reactor_ != nullptr, "http_listen needs the node model's loop-thread I/O");
  // A listening server keeps the loop alive (an active uv_tcp_t): a registration that no
  // completion ever takes, until http_close_server takes it back.
  const CallbackId server = add_callback([](Runtime&, Outcome) {}, "HTTP server");
  if (!label.empty()) label_registration(server, std::move(label));
  auto shared = std::make_shared<RequestHandler>(std::move(handler));
  auto on_connection = [this, server, shared] {
    // Registered as "internal": a client that leaves before its request is whole never
    // reaches the handler (Node's server calls nothing for it), so no callback is shown.
    auto request = std::make_shared<CallbackId>(0);  // the id is known once registered
    *request = add_callback(
        [shared, request](Runtime& rt, Outcome outcome) {
          if (outcome.failed()) return;
          rt.run_marked(*request, "HTTP server request", [&] { (*shared)(rt, *request, std::move(outcome.value)); });
        },
        "internal");
    return *request;
  };
  std::string error;
  auto bound = reactor_->listen_http(server, port, on_connection, error);
  Outcome outcome = bound ? Outcome::ok(Value::integer(*bound)) : Outcome::fail(std::move(error));
  if (!bound) take_pending(server, "a server without its registration");  // nothing listens
  auto listening = std::make_shared<Callback>(std::move(on_listening));
  next_tick([listening, outcome = std::move(outcome)](Runtime& rt, Outcome) mutable {
    (*listening)(rt, std::move(outcome));
  });
  return server;
}

bool Runtime::http_respond(CallbackId request, int status, std::string_view body) {
  return reactor_ != nullptr && reactor_->respond_http(request, http_response_bytes(status, std::string(body)));
}

void Runtime::http_close_server(CallbackId server, Callback on_close) {
  Outcome outcome;
  if (callbacks_.find(server) != nullptr && reactor_ != nullptr) {
    reactor_->close_http_server(server);
    take_pending(server, "a server without its registration");
  } else {
    outcome = Outcome::fail("Server is not running.");  // Node's ERR_SERVER_NOT_RUNNING
  }
  auto closed = std::make_shared<Callback>(std::move(on_close));
  next_tick([closed, outcome = std::move(outcome)](Runtime& rt, Outcome) mutable { (*closed)(rt, std::move(outcome)); });
}

}  // namespace elt
