// The http module as the scenario sees it: http_get and http_get_slow (through the
// delay service). Builds each request and hands it to the model's I/O: the epoll thread
// (book) or the loop thread's reactor after a lookup on the pool (node).
#include "loop/runtime.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <memory>

#include <fmt/format.h>

#include "common/check.h"
#include "http/delay_server.h"
#include "http/url.h"
#include "poller/host_resolver.h"
#include "poller/poller.h"
#include "poller/reactor.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

namespace elt {

namespace {

constexpr std::string_view kDelayServiceHost = "delay-service";

}  // namespace

CallbackId Runtime::http_get_slow(std::string url, Duration delay, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "HTTP request");
  HttpRequestSpec spec;
  spec.id = id;
  spec.host = "127.0.0.1";
  spec.port = delay_server().port();
  spec.target = fmt::format("/delay/{}/url/{}", std::chrono::duration_cast<Millis>(delay).count(),
                            percent_encode_path(url));
  // Messages name what was really contacted: the stand-in on loopback, not the internet.
  spec.url = fmt::format("http://delay-service{}", spec.target);
  spec.timeout = options_.http_timeout + delay;
  tracer_.emit({.kind = EventKind::EventRegistered, .id = id});
  start_request(std::move(spec));
  return id;
}

CallbackId Runtime::http_get(std::string url, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "HTTP request");
  HttpRequestSpec spec;
  spec.id = id;
  spec.url = url;
  spec.timeout = options_.http_timeout;
  std::string error;
  if (auto parsed = parse_http_url(url, error)) {
    spec.host = parsed->host;
    spec.port = parsed->port;
    spec.target = parsed->target;
    if (parsed->host == kDelayServiceHost) {
      // http://delay-service/... names the built-in stand-in, wherever it listens.
      spec.host = "127.0.0.1";
      spec.port = delay_server().port();
    } else {
      // Before the epoll thread sees the host, so a refused name is never looked up.
      spec.error = options_.net_policy.check(parsed->host, parsed->port);
      if (!spec.error.empty()) spec.error = fmt::format("\"{}\": {}", url, spec.error);
    }
  } else {
    // An unusable URL still goes through the epoll thread, which reports the error as the
    // request's completion: the callback gets it like any other failure.
    spec.error = std::move(error);
  }
  tracer_.emit({.kind = EventKind::EventRegistered, .id = id});
  start_request(std::move(spec));
  return id;
}

DelayServer& Runtime::delay_server() {
  if (!delay_server_) delay_server_ = std::make_unique<DelayServer>(clock_, options_.http_latency);
  return *delay_server_;
}
// Where the request goes: the epoll thread (book), or the loop thread's reactor (node),
// after a host-name lookup on the pool (uv_getaddrinfo) when the host is a name.
void Runtime::start_request(HttpRequestSpec spec) {
  if (poller_) {
    poller_->start_http(std::move(spec));
    return;
  }
  in_addr literal{};
  bool needs_lookup = options_.model.lookup_on_pool && spec.error.empty() &&
                      inet_pton(AF_INET, spec.host.c_str(), &literal) != 1;
  if (!needs_lookup) {
    reactor_->start_http(std::move(spec));
    return;
  }
  CallbackId id = spec.id;
  auto it = callbacks_.find(id);
  ensure(it != callbacks_.end(), "a request without its callback");
  struct LookupState {
    Pending user;
    HttpRequestSpec spec;
  };
  auto state = std::make_shared<LookupState>(LookupState{std::move(it->second), std::move(spec)});
  callbacks_.erase(it);
  std::string host = state->spec.host;
  callbacks_.emplace(id, Pending{[this, state](Runtime&, Outcome outcome) {
                                   CallbackId rid = state->spec.id;
                                   if (outcome.failed()) {
                                     tracer_.emit({.kind = EventKind::CallbackError, .id = rid,
                                                   .what = "HTTP request", .text = *outcome.error});
                                     run_marked(rid, state->user.what,
                                                [&] { state->user.callback(*this, std::move(outcome)); });
                                     return;
                                   }
                                   state->spec.host = outcome.value.to_display();
                                   callbacks_.emplace(rid, std::move(state->user));
                                   reactor_->start_http(std::move(state->spec));
                                 },
                                 "internal"});
  Task task;
  task.id = id;
  task.kind = TaskKind::Lookup;
  task.work = [this, host] {
    // The pool thread waits, as libuv's does, but a silent DNS server cannot hold it (and
    // shutdown) for longer than the lookup's own deadline.
    auto answer = HostResolver::resolve_blocking(host, std::chrono::seconds(5), stop_);
    if (!answer.error.empty()) return Outcome::fail(std::move(answer.error));
    return Outcome::ok(Value::string(std::move(answer.address)));
  };
  if (narrating()) narrate({.kind = EventKind::TaskSubmitted, .id = id, .what = to_string(task.kind), .text = host});
  submit(std::move(task));
}

}  // namespace elt
