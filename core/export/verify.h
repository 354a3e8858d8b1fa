// `eventloop-trace verify`: the node model checked against the real Node.
//
// For each scenario: its printed lines under `--model node` on the virtual clock (ours),
// every order `explore` lists for it (our set), and the printed lines of its exported
// program (js_export.h) under `node`, N times (Node's set, with counts). Sets are compared,
// because a racy program has no one right order. The verdict is one of
//   agrees          Node printed one order, and we list it (and, as for every verdict but
//                   differs, our default run prints it when Node printed it in 90% of runs);
//   differs         Node printed an order we do not list (named with its count), or one
//                   order in 90% or more of its runs that our default run does not print;
//   racy in Node    Node printed K > 1 orders, every one of them listed;
//   not comparable  the program cannot reproduce what the order depends on (why).
// An order we list that Node did not print is "not seen in N runs": a race can favour one
// side on one machine, so it is no failure.
// "What the order depends on" is found by running ours again with each quantity Node only
// approximates changed (fs_read's delay_ms set to 0, as the program reads; every cost_ms,
// and http_latency_ms, times 0.8 and times 1.25): an order that changes with them is not
// one Node can be held to.
//
// A scenario declares a race with `"verify": {"racy": true, "why": ...}`: a claim about
// our set, checked both ways against it (declared racy, but explore lists one order after
// a complete search; not declared racy, but explore lists several). A scenario declared racy is run up to max(4 N, 20) times until a second
// order shows up, because a race can favour one side for several runs in a row.
//
// Our runs go through a function the caller gives (the command line's runner), on the
// calling thread; Node's runs go to `jobs` threads, one scenario at a time each.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace elt::verify {

using Lines = std::vector<std::string>;

// The printed lines (print, print_content) of one run of ours.
using RunOurs = std::function<Lines(const scenario::Scenario&)>;

// Every order ours can print (explore.h's search, in RunOurs's lines), the default run's
// first; `complete` is false when the search's budget cut it short.
struct Listed {
  std::vector<Lines> orders;
  bool complete = true;
};
using ListOurs = std::function<Listed(const scenario::Scenario&)>;

struct Options {
  int runs = 10;
  int jobs = 2;
  std::string node = "node";
  int timeout_s = 60;  // one run of a program; killed after that
  // Readable (POLLIN) when the command must stop (a signal came): a node run in progress
  // is killed and verify_all throws Cancelled. -1: never.
  int cancel_fd = -1;
};

// verify_all was stopped through Options::cancel_fd.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

enum class Verdict { Agrees, Differs, Racy, NotComparable };
std::string_view to_string(Verdict verdict);

struct NodeOrder {
  Lines lines;
  int count = 0;
  int exit_code = 0;
  std::string stderr_head;  // the first lines Node wrote on stderr in one of these runs
};

struct Report {
  std::string file;
  std::string description;
  Verdict verdict = Verdict::NotComparable;
  bool declared_racy = false;
  std::string declared_why;
  std::string declaration_problem;  // non-empty: the "verify" declaration is wrong
  Lines ours;
  std::vector<NodeOrder> orders;  // most frequent first
  int runs = 0;
  bool ours_among = false;
  std::vector<Lines> listed;  // every order explore lists, the default run's (ours) first
  bool listed_complete = true;
  std::string diff;  // differs
  std::string why;   // not comparable
  bool failed() const { return verdict == Verdict::Differs || !declaration_problem.empty(); }
};

// Thrown when `node` cannot be run at all (exit 2 in the command line).
struct NodeMissing : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ProcessResult {
  std::string out;
  std::string err;
  int exit_code = 0;
  bool timed_out = false;
};

// Runs argv[0] (found on PATH) with `extra_env` added to ours, and collects its stdout and
// stderr. errno-style failure to start becomes NodeMissing for ENOENT, system_error else.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                          std::chrono::seconds timeout);

// `node --version`, or NodeMissing.
std::string node_version(const std::string& node);

// Without `list_ours`, our set is our one run.
std::vector<Report> verify_all(const std::vector<scenario::Scenario>& scenarios, const Options& options,
                               const RunOurs& run_ours, const ListOurs& list_ours = {});

// One row of the comparison: an order, how many of Node's runs printed it, and whether it
// is our default run's, another order we list, or one we do not list. Node's orders come
// first (most frequent first), then the orders we list that Node did not print.
enum class Listing { Default, Listed, NotListed };
std::string_view to_string(Listing listing);
struct OrderRow {
  Lines lines;
  int node_count = 0;
  Listing ours = Listing::NotListed;
};
std::vector<OrderRow> order_rows(const Report& report);

std::string render_text(const std::vector<Report>& reports, const std::string& node_version, bool color);
std::string render_json(const std::vector<Report>& reports, const std::string& node_version);
std::string render_markdown(const std::vector<Report>& reports, const std::string& node_version);

// The variants of a scenario with the quantities Node only approximates changed, each
// with what was changed. Exposed for tests.
struct Variant {
  std::string what;
  scenario::Scenario scenario;
};
std::vector<Variant> approximation_variants(const scenario::Scenario& scenario);

}  // namespace elt::verify
