// A loop-only entry point called from another thread must fail loudly (muduo's
// assertInLoopThread; Runtime::assert_in_loop_thread). Catch2 v2 has no death tests, so
// this is a program of its own that loop_thread_contract.sh runs once per entry point:
//
//   loop_thread_contract ENTRY other   calls ENTRY from a second thread: must abort with
//                                      "a loop-thread-only call from another thread"
//   loop_thread_contract ENTRY loop    calls it on the loop thread: must exit 0 (so the
//                                      abort above comes from the thread, not the call)
//   loop_thread_contract --list        prints the entry points, one a line
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "clock/clock.h"
#include "loop/runtime.h"
#include "modules/console.h"
#include "modules/crypto.h"
#include "modules/fs.h"
#include "modules/timers.h"
#include "step/inspector.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

using Entry = std::function<void(Runtime&)>;

void nothing(Runtime&, Outcome) {}

// Every public member of Runtime and of the modules (modules/: Timers, Fs, Crypto,
// Console) and the inspector (step/inspector.h) that touches the loop's state.
// request_stop() and stop_requested() are not here: they are what any thread (or a signal
// handler) may call. Nor are model(), limits() and tracing(): they read what is fixed
// when the runtime is made.
std::map<std::string, Entry> entries() {
  using std::chrono::milliseconds;
  return {
      {"print", [](Runtime& rt) { Console(rt).print("x"); }},
      {"print_content", [](Runtime& rt) { Console(rt).print_content("a\nb", "label"); }},
      {"report_error", [](Runtime& rt) { rt.report_error("x"); }},
      {"set_timeout", [](Runtime& rt) { Timers(rt).set_timeout(milliseconds(1), nothing); }},
      {"set_interval", [](Runtime& rt) { Timers(rt).set_interval(milliseconds(1), nothing); }},
      {"clear_timer", [](Runtime& rt) { Timers(rt).clear_timer(1); }},
      {"ref_timer", [](Runtime& rt) { Timers(rt).ref_timer(1, false); }},
      {"set_immediate", [](Runtime& rt) { Timers(rt).set_immediate(nothing); }},
      {"clear_immediate", [](Runtime& rt) { Timers(rt).clear_immediate(1); }},
      {"immediate_pending", [](Runtime& rt) { (void)Timers(rt).immediate_pending(1); }},
      {"block", [](Runtime& rt) { Timers(rt).block(milliseconds(1)); }},
      {"next_tick", [](Runtime& rt) { rt.next_tick(nothing); }},
      {"queue_microtask", [](Runtime& rt) { rt.queue_microtask(nothing); }},
      {"unhandled_rejection", [](Runtime& rt) { rt.unhandled_rejection("x"); }},
      {"track_rejection", [](Runtime& rt) { (void)rt.track_rejection("x"); }},
      {"untrack_rejection", [](Runtime& rt) { rt.untrack_rejection(1); }},
      {"on_unhandled_rejection", [](Runtime& rt) { rt.on_unhandled_rejection(nothing); }},
      {"label_registration", [](Runtime& rt) { rt.label_registration(1, "x"); }},
      // An empty label (nobody traces) returns early: after the check, not before it.
      {"label_registration_empty", [](Runtime& rt) { rt.label_registration(1, ""); }},
      {"label_of", [](Runtime& rt) { (void)Inspector(rt).label_of(1); }},
      {"fs_read", [](Runtime& rt) { Fs(rt).read("missing.txt", milliseconds(0), nothing); }},
      {"encrypt", [](Runtime& rt) { Crypto(rt).encrypt(1, std::nullopt, nothing); }},
      {"http_get", [](Runtime& rt) { rt.http_get("http://127.0.0.1:1/", nothing); }},
      {"http_get_slow", [](Runtime& rt) { rt.http_get_slow("x", milliseconds(1), nothing); }},
      {"cross_limit", [](Runtime& rt) { rt.cross_limit(Limit::Callbacks, 1); }},
      {"locate_limit", [](Runtime& rt) { rt.locate_limit("here"); }},
      {"limit_crossed", [](Runtime& rt) { (void)rt.limit_crossed(); }},
      {"charge_value_bytes", [](Runtime& rt) { (void)rt.charge_value_bytes(1); }},
      {"take_value_bytes", [](Runtime& rt) { (void)rt.take_value_bytes(1); }},
      {"value_bytes_left", [](Runtime& rt) { (void)rt.value_bytes_left(); }},
      // The loop's own readers: what they read is the loop thread's (loop_now_, tick_, ...).
      {"alive", [](Runtime& rt) { (void)rt.alive(); }},
      {"now", [](Runtime& rt) { (void)rt.now(); }},
      {"tick", [](Runtime& rt) { (void)rt.tick(); }},
      {"view", [](Runtime& rt) { (void)rt.view(); }},
      {"state", [](Runtime& rt) { (void)Inspector(rt).state(); }},
      {"start", [](Runtime& rt) { rt.start([](Runtime&) {}); }},
      {"run_once", [](Runtime& rt) { (void)rt.run_once(); }},
      {"finish", [](Runtime& rt) { rt.finish(); }},
      {"run", [](Runtime& rt) { rt.run([](Runtime&) {}); }},
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto all = entries();
  if (argc == 2 && std::string(argv[1]) == "--list") {
    for (const auto& [name, entry] : all) std::printf("%s\n", name.c_str());
    return 0;
  }
  if (argc != 3 || all.count(argv[1]) == 0 || (std::string(argv[2]) != "other" && std::string(argv[2]) != "loop")) {
    std::fprintf(stderr, "usage: loop_thread_contract ENTRY other|loop, or --list\n");
    return 2;
  }
  Tracer tracer(TraceFormat::None, -1);
  RealClock clock;
  RuntimeOptions options;
  options.model = node_model();  // the model with every queue: next_tick is allowed
  options.threads = 1;
  Runtime runtime(options, clock, tracer);
  const Entry& entry = all.at(argv[1]);
  if (std::string(argv[2]) == "loop") {
    entry(runtime);
  } else {
    std::thread other([&] { entry(runtime); });
    other.join();
  }
  runtime.request_stop();
  return 0;
}
