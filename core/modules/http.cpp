// The http module as the scenario sees it: http_get and http_get_slow (through the
// delay service). Builds each request and hands it to the model's I/O: the epoll thread
// (book) or the loop thread's reactor after a lookup on the pool (node).
#include "loop/runtime.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <memory>

#include <fmt/format.h>

#include "clock/clock.h"
#include "common/check.h"
#include "http/connection.h"
#include "http/delay_server.h"
#include "http/url.h"
#include "loop/model_parts.h"
#include "poller/host_resolver.h"
#include "poller/reactor.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

namespace elt {

namespace {

constexpr std::string_view kDelayServiceHost = "delay-service";

// A refused connection settles before virtual time can move: nothing real was waited for.
bool refused_at_once(const Outcome& outcome) {
  return outcome.failed() && outcome.error->find("Connection refused") != std::string::npos;
}

}  // namespace

// The warnings of on_unseen_time, for the modules (fs, http) that find real time the
// virtual clock cannot see. Only on the virtual clock: on the real clock that time is
// simply part of the run.
bool Runtime::warns_unseen_time() const {
  return options_.on_unseen_time && !clock_.sees_real_time();
}

void Runtime::warn_unseen_time(SourcePos at, const std::string& what) const {
  if (warns_unseen_time()) options_.on_unseen_time(at, what);
}

// The book prints "Event with id: N registered." and its printout stays exact; the node
// model's line reads like its timers' ("Registered HTTP GET id: N (what it asks for)").
void Runtime::emit_request_registered(CallbackId id, std::string_view what) {
  // The text is copied only for someone who will read it: with no trace, 10,000 GETs
  // copied 10,000 URLs for nothing.
  if (options_.model.narrate && tracer_.active()) {
    tracer_.emit({.kind = EventKind::EventRegistered, .id = id, .what = "HTTP GET", .text = std::string(what)});
  } else {
    tracer_.emit({.kind = EventKind::EventRegistered, .id = id});
  }
}

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
  emit_request_registered(id, fmt::format("delay service: {} after {} ms", url,
                                          std::chrono::duration_cast<Millis>(delay).count()));
  start_request(std::move(spec));
  return id;
}

CallbackId Runtime::http_get(std::string url, Callback callback, SourcePos at) {
  CallbackId id = add_callback(std::move(callback), "HTTP request");
  HttpRequestSpec spec;
  spec.id = id;
  spec.url = url;
  spec.timeout = options_.http_timeout;
  std::string error;
  bool parsed_real = false;  // a server outside the tool, not the delay service
  if (auto parsed = parse_http_url(url, error)) {
    parsed_real = parsed->host != kDelayServiceHost;
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
  // The program's own server answers from this loop, whose time the virtual clock does see.
  const bool own_server = reactor_ != nullptr && (spec.host == "127.0.0.1" || spec.host == "localhost") &&
                          reactor_->listens_on(spec.port);
  if (parsed_real && spec.error.empty() && warns_unseen_time() && !own_server) warn_when_answered(id, at, url, spec.host);
  emit_request_registered(id, url);
  start_request(std::move(spec));
  return id;
}

// A real server: the virtual clock stands still while the exchange is on the wire, so its
// answer comes at the request's own virtual moment however long it really took (and a
// host name's lookup, on the epoll thread or the pool, takes no virtual time either).
// Said once the answer, an error or a timeout has come; a refused connection, which
// settles before time can move, is not worth a warning.
void Runtime::warn_when_answered(CallbackId id, SourcePos at, const std::string& url, const std::string& host) {
  Pending* pending = callbacks_.find(id);
  ensure(pending != nullptr, "a request without its callback");
  in_addr literal{};
  bool named = inet_pton(AF_INET, host.c_str(), &literal) != 1;
  std::string what = fmt::format(
      "http_get to {}: the virtual clock stands still while a real server answers{}, so the answer comes "
      "0 ms after the request however long it really takes; for a reproducible time use http_get_slow with "
      "delay_ms (the delay service), or --clock real",
      host.empty() ? url : host, named ? " (and while its name is looked up)" : "");
  Callback& callback = pending->callback;
  auto inner = std::make_shared<Callback>(std::move(callback));
  callback = [inner, at, what = std::move(what)](Runtime& rt, Outcome outcome) {
    if (!refused_at_once(outcome)) rt.warn_unseen_time(at, what);
    (*inner)(rt, std::move(outcome));
  };
}

DelayServer& Runtime::delay_server() {
  if (!delay_server_) delay_server_ = std::make_unique<DelayServer>(clock_, options_.http_latency);
  return *delay_server_;
}
// The request goes to the model's I/O backend: the epoll thread (book), which looks a
// host name up itself, or the loop thread's reactor (node), after a host-name lookup on
// the pool (uv_getaddrinfo, LoopModel::lookup_on_pool) when the host is a name.
void Runtime::start_request(HttpRequestSpec spec) {
  charge(Cost::Connect);  // http.get's own set-up, on the loop thread (nothing when costs are off)
  in_addr literal{};
  bool needs_lookup = options_.model.lookup_on_pool && spec.error.empty() &&
                      inet_pton(AF_INET, spec.host.c_str(), &literal) != 1;
  if (!needs_lookup) {
    io_->start_http(std::move(spec));
    return;
  }
  CallbackId id = spec.id;
  struct LookupState {
    Pending user;
    HttpRequestSpec spec;
  };
  auto state = std::make_shared<LookupState>(LookupState{take_pending(id, "a request without its callback"), std::move(spec)});
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
                                   io_->start_http(std::move(state->spec));
                                 },
                                 "internal"});
  Task task;
  task.id = id;
  task.kind = TaskKind::Lookup;
  task.simulated_latency = cost_of(Cost::Lookup);
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
