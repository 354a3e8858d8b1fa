// HTTP under the node model (issue 21): a server in the program and http.get's response as
// Node's stream, driving the loop one iteration at a time on the virtual clock over real
// loopback sockets. The orders are node v20's for tests/js/http-response-events.js and
// http-server-order.js (their .out files, recorded from node).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "stepped_run.h"
#include "loop/runtime.h"

using namespace elt;

namespace {

using Lines = std::vector<std::string>;

class HttpRun : public testing::SteppedRun {
 public:
  explicit HttpRun(const std::string& json)
      : SteppedRun(json, ELT_SOURCE_DIR "/scenarios", [](RuntimeOptions& options) { options.model = node_model(); }) {}
  // The iteration in which `line` was printed.
  std::uint64_t tick_of(const std::string& line) {
    for (const auto& e : events_of(EventKind::Print)) {
      if (e.text == line) return e.tick;
    }
    FAIL("never printed: " << line);
    return 0;
  }
};

// A server answering "ok", and one GET to it from listen's callback with `response` as its
// response callback.
std::string server_and_get(const std::string& response) {
  return R"J({"program": [
    {"http_server": "server", "then": [{"print": "request ${req.url}"}, {"respond": "res", "body": "ok"}]},
    {"listen": "server", "port": 0, "then": [
      {"http_get_stream": "http://127.0.0.1:${port}/hello", "then": )J" + response + R"J(}]}]})J";
}

}  // namespace

TEST_CASE("http: data and end are nextTicks the stream queues, in the order the response callback queued them",
          "[http_events]") {
  HttpRun run(server_and_get(R"J([
    {"print": "response ${res.statusCode}"},
    {"next_tick": [{"print": "tick before on(data)"}]},
    {"queue_microtask": [{"print": "promise in response"}]},
    {"on_data": "res", "then": [{"print": "data ${chunk}"}, {"next_tick": [{"print": "tick in data"}]}]},
    {"next_tick": [{"print": "tick after on(data)"}]},
    {"on_end": "res", "then": [{"print": "end"}, {"close_server": "server"}]}])J"));
  run.run_all();
  const Lines expected = {"request /hello", "response 200", "tick before on(data)", "data ok", "tick after on(data)",
                          "end", "tick in data", "promise in response"};
  CHECK(run.prints() == expected);
  // All of it in the iteration whose poll phase read the response: no event waits for a
  // later phase, as a setImmediate or a second poll would.
  const auto t = run.tick_of("response 200");
  CHECK(run.tick_of("end") == t);
  CHECK(run.tick_of("promise in response") == t);
  // The request was read in an earlier iteration than the response.
  CHECK(run.tick_of("request /hello") < t);
}

TEST_CASE("http: a data listener added later resumes then; without one (or resume) the response never ends",
          "[http_events]") {
  SECTION("added from a setImmediate: data and end follow that immediate, in the check phase") {
    HttpRun run(server_and_get(R"J([
      {"print": "response"},
      {"set_immediate": [{"print": "immediate"}, {"on_data": "res", "then": [{"print": "data ${chunk}"}]},
                         {"on_end": "res", "then": [{"print": "end"}, {"close_server": "server"}]}]}])J"));
    run.run_all();
    CHECK(run.prints() == Lines{"request /hello", "response", "immediate", "data ok", "end"});
    CHECK(run.tick_of("end") == run.tick_of("response"));
  }
  SECTION("never read: end never comes, and the loop ends once the server is closed") {
    HttpRun run(server_and_get(R"J([
      {"print": "response"},
      {"on_end": "res", "then": [{"print": "end"}]},
      {"close_server": "server", "then": [{"print": "closed"}]}])J"));
    run.run_all();
    CHECK(run.prints() == Lines{"request /hello", "response", "closed"});
  }
}

TEST_CASE("http: listen's and close's callbacks are nextTicks queued by listen and close", "[http_events]") {
  HttpRun run(R"J({"program": [
    {"http_server": "server"},
    {"listen": "server", "port": 0, "then": [{"print": "listening"},
                                             {"close_server": "server", "then": [{"print": "closed"}]},
                                             {"next_tick": [{"print": "tick after close"}]}]},
    {"print": "main"},
    {"next_tick": [{"print": "tick in main"}]}]})J");
  run.run_all();
  CHECK(run.prints() == Lines{"main", "listening", "tick in main", "closed", "tick after close"});
  // Before the first iteration: the ticks of the main program.
  CHECK(run.tick_of("closed") == 0);
}

TEST_CASE("http: port 0 listens on a free port the system picks, another for each server", "[http_events]") {
  HttpRun run(R"J({"program": [
    {"http_server": "a"}, {"http_server": "b"},
    {"listen": "a", "port": 0, "then": [{"print": "${port}"}, {"close_server": "a"}]},
    {"listen": "b", "port": 0, "then": [{"print": "${port}"}, {"close_server": "b"}]}]})J");
  run.run_all();
  const Lines printed = run.prints();
  REQUIRE(printed.size() == 2);
  CHECK(printed[0] != "0");
  CHECK(printed[1] != "0");
  CHECK(printed[0] != printed[1]);
}
