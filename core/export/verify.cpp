#include "export/verify.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clock/clock.h"
#include "export/js_export.h"
#include "grade/compare.h"
#include "http/delay_server.h"
#include "js/load_js.h"
#include "sandbox/sandbox.h"
#include "trace/format.h"

extern char** environ;

namespace elt::verify {

using scenario::Action;
using scenario::ActionKind;
using scenario::Scenario;

namespace {

// Where a child's network is: ours, or a namespace of its own with only loopback
// (sandbox.h), where the system allows one.
enum class Network { Ours, LoopbackOnly };

// Starts argv[0] (found on PATH) with its stdout and stderr on the fds given.
// `cwd`: the folder it starts in (empty: ours).
pid_t spawn(std::vector<char*>& argp, std::vector<char*>& envp, int out_fd, int err_fd, Network network,
            const std::string& cwd) {
  if (network == Network::LoopbackOnly && sandbox::network_isolation().available) {
    std::string program = sandbox::find_on_path(argp[0]);
    if (program.empty()) throw NodeMissing(fmt::format("{}: not found on PATH", argp[0]));
    return sandbox::spawn_without_network(program, argp.data(), envp.data(), out_fd, err_fd,
                                          cwd.empty() ? nullptr : cwd.c_str());
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT) throw NodeMissing(fmt::format("{}: not found on PATH", argp[0]));
  if (rc != 0) throw std::system_error(rc, std::generic_category(), fmt::format("posix_spawnp {}", argp[0]));
  return pid;
}

// Our environment, with each of `extra_env`'s NAME=value entries in place of ours.
std::vector<std::string> child_env(const std::vector<std::string>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool replaced = std::any_of(extra_env.begin(), extra_env.end(), [&](const std::string& x) {
      return entry.substr(0, entry.find('=') + 1) == std::string_view(x).substr(0, x.find('=') + 1);
    });
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return env;
}

// The null-terminated array exec wants, pointing into `strings` (which must outlive it).
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads the child's stdout and stderr into `result` until both close, the deadline passes
// (the child is killed, timed_out) or `cancel_fd` becomes readable (killed; returns true).
bool collect_output(pid_t pid, int out_fd, int err_fd, int cancel_fd, std::chrono::seconds timeout,
                    ProcessResult& result) {
  auto deadline = real_time_now() + timeout;  // node runs in real time, whatever our clock
  pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[8192];
  bool cancelled = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - real_time_now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    int n = ::poll(fds, cancel_fd >= 0 ? 3 : 2, static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if ((fds[2].revents & POLLIN) != 0) {  // stop: the child goes too, at once
      cancelled = true;
      ::kill(pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd >= 0) ::close(fds[i].fd);
  }
  return cancelled;
}

// run_process (verify.h), in a network of `network`'s choosing; a readable `cancel_fd`
// kills the child and throws Cancelled.
ProcessResult run_child(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                        std::chrono::seconds timeout, Network network = Network::Ours, int cancel_fd = -1,
                        const std::string& cwd = {}) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::system_error(e, std::generic_category(), "pipe2");
  }
  std::vector<std::string> env = child_env(extra_env);
  std::vector<char*> envp = c_strings(env);
  std::vector<std::string> args = argv;
  std::vector<char*> argp = c_strings(args);

  pid_t pid = 0;
  try {
    pid = spawn(argp, envp, out_pipe[1], err_pipe[1], network, cwd);
  } catch (...) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    throw;
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult result;
  bool cancelled = collect_output(pid, out_pipe[0], err_pipe[0], cancel_fd, timeout, result);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (cancelled) throw Cancelled();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                          std::chrono::seconds timeout) {
  return run_child(argv, extra_env, timeout);
}

namespace {

Lines split_lines(std::string_view text) {
  Lines out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string join_lines(const Lines& lines) {
  std::string out;
  for (const auto& l : lines) out += l + '\n';
  return out;
}

std::string first_lines(std::string_view text, std::size_t n) {
  Lines lines = split_lines(text);
  if (lines.size() > n) lines.resize(n);
  return join_lines(lines);
}

// node, confined (sandbox.h) to reading `folders` and the program itself, running it.
std::vector<std::string> confined_argv(const std::string& node, const std::string& version,
                                       const std::vector<std::filesystem::path>& folders, const std::string& program) {
  std::vector<std::string> readable = {program};
  // Node 20 aborts (an assertion in its permission tree) when one path is given twice, also
  // as "/a/b" and "/a/b/": so no trailing slash, and each path once.
  auto add = [&readable](std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (std::find(readable.begin(), readable.end(), path) == readable.end()) readable.push_back(std::move(path));
  };
  for (const auto& folder : folders) {
    // The path the program is given (ELT_SCENARIO_DIR) and, if a symlink leads there, the
    // folder itself: Node checks the path it is asked to open.
    add(std::filesystem::absolute(folder).lexically_normal().string());
    std::error_code error;
    std::string real = std::filesystem::canonical(folder, error).string();
    if (!error) add(real);
  }
  std::vector<std::string> argv = {node};
  for (auto& arg : sandbox::node_permission_args(readable, version)) argv.push_back(std::move(arg));
  argv.push_back(program);
  return argv;
}

// A scenario's folder is searched for links leading out (sandbox.h) before node may read
// it; a course's folder of scenarios holds hundreds of entries, not this many.
constexpr std::size_t kMaxFolderEntries = 100'000;

// ---- the variants ----

template <typename F>
void for_each_action(std::vector<Action>& actions, const F& f) {
  for (Action& a : actions) {
    f(a);
    for_each_action(a.then, f);
    if (!a.has_detail()) continue;
    for_each_action(a.edit_detail().on_error, f);
    for (auto& step : a.edit_detail().chain) for_each_action(step.body, f);
  }
}

template <typename F>
bool any_action(const std::vector<Action>& actions, const F& f) {
  for (const Action& a : actions) {
    if (f(a) || any_action(a.then, f) || any_action(a.detail().on_error, f)) return true;
    for (const auto& step : a.detail().chain) {
      if (any_action(step.body, f)) return true;
    }
  }
  return false;
}

std::int64_t scaled(std::int64_t v, double factor) { return static_cast<std::int64_t>(std::llround(static_cast<double>(v) * factor)); }

// ---- one scenario ----

struct Work {
  const Scenario* scenario;
  Report report;
  exporter::JsProgram program;
  bool run_node = false;
  // A .js scenario: node runs the learner's own file, as it is, from its folder (where its
  // relative reads start), not the export of its translation.
  bool own_file = false;
};

std::string compare_report(const Lines& ours, const Lines& node, const std::string& version) {
  auto result = compare_traces(join_lines(ours), join_lines(node), CompareMode::Exact, false, "ours (--model node)",
                               "node " + version);
  std::string report = result.report;
  // compare_traces names a trace's tick and thread; printed lines have neither.
  if (report.starts_with("first difference at line ")) {
    auto paren = report.find(" (");
    auto nl = report.find('\n');
    if (paren != std::string::npos && paren < nl) report.erase(paren, nl - paren);
    report.replace(0, std::string_view("first difference at line").size(), "first difference at printed line");
  }
  return report;
}

bool is_listed(const Report& r, const Lines& lines) {
  return std::find(r.listed.begin(), r.listed.end(), lines) != r.listed.end();
}

// The order Node printed in 90% of its runs or more, if one did: where Node is that sure,
// a learner who runs the program sees it, so our default run must print it.
const NodeOrder* dominant_order(const Report& r) {
  for (const auto& o : r.orders) {
    if (o.count * 10 >= r.runs * 9) return &o;
  }
  return nullptr;
}

std::string indented(const Lines& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

// Node's set against ours: the verdict, and what makes it differ.
void judge_orders(Report& r, const std::string& version) {
  const NodeOrder* dominant = dominant_order(r);
  for (const auto& o : r.orders) {
    if (is_listed(r, o.lines)) continue;
    r.verdict = Verdict::Differs;
    r.diff += fmt::format("node printed an order explore does not list, in {} of {} runs{}:\n{}", o.count, r.runs,
                          r.listed_complete ? "" : " (explore's search was cut short)", indented(o.lines));
  }
  if (r.verdict != Verdict::Differs && dominant != nullptr && dominant->lines != r.ours) {
    r.verdict = Verdict::Differs;
    r.diff = fmt::format("node printed one order in {} of {} runs (90% or more), and our default run prints another\n",
                         dominant->count, r.runs);
  }
  if (r.verdict == Verdict::Differs) {
    const NodeOrder& first = dominant != nullptr ? *dominant : r.orders.front();
    if (first.lines != r.ours) r.diff += compare_report(r.ours, first.lines, version);
    if (!first.stderr_head.empty()) {
      r.diff += fmt::format("node exited with {}; its stderr began:\n{}", first.exit_code, first.stderr_head);
    }
    return;
  }
  r.verdict = r.orders.size() > 1 ? Verdict::Racy : Verdict::Agrees;
}

// "racy" is a claim about our set (explore's), which a search decides, where Node's runs
// only sample it.
void check_declaration(Report& r, const Scenario& s) {
  if (js::is_js_path(s.file)) return;  // a learner's JavaScript has no place for a declaration
  bool racy = r.listed.size() > 1;
  if (s.racy_in_node && !racy && r.listed_complete) {
    r.declaration_problem = "declared racy in Node, but explore lists one order";
  } else if (!s.racy_in_node && racy) {
    // Say what the scenario wrote: a scenario silent on the matter is taken to be
    // deterministic, but it never said so.
    r.declaration_problem = fmt::format(
        "{}, but explore lists {} orders: declare it with \"verify\": {{\"racy\": true, \"why\": ...}} or make it "
        "deterministic",
        s.racy_declared ? "declared deterministic (\"racy\": false)" : "not declared racy", r.listed.size());
  }
}

void judge(Report& r, const Scenario& s, const std::string& version) {
  judge_orders(r, version);
  check_declaration(r, s);
}

void run_node_side(Work& w, const Options& options, const std::string& dir, double pbkdf2_per_ms,
                   const std::string& version) {
  Report& r = w.report;
  const Scenario& s = *w.scenario;
  std::string name = std::filesystem::path(s.file).stem().string();
  std::string path = fmt::format("{}/{}.js", dir, name);
  std::string cwd;
  if (w.own_file) {
    path = std::filesystem::absolute(s.file).lexically_normal().string();
    cwd = std::filesystem::absolute(s.base_dir).lexically_normal().string();
  } else {
    std::ofstream out(path, std::ios::binary);
    out << w.program.source;
    if (!out) throw std::system_error(errno, std::generic_category(), "write " + path);
  }
  std::vector<std::string> env = {fmt::format("UV_THREADPOOL_SIZE={}", w.program.threads),
                                  fmt::format("{}={}", exporter::kEnvScenarioDir,
                                              std::filesystem::absolute(s.base_dir).lexically_normal().string())};
  if (w.program.uses_pool_work) env.push_back(fmt::format("{}={}", exporter::kEnvPbkdf2PerMs, pbkdf2_per_ms));
  RealClock clock;
  std::unique_ptr<DelayServer> server;
  if (w.program.uses_delay_service) {
    server = std::make_unique<DelayServer>(clock, Millis(s.settings.http_latency_ms.value_or(0)));
    env.push_back(fmt::format("{}={}", exporter::kEnvDelayPort, server->port()));
  }
  // A program that makes HTTP requests talks to the delay service (or another server on
  // this machine) in our network namespace, so it keeps ours; every other one gets its own.
  Network network = w.program.uses_network ? Network::Ours : Network::LoopbackOnly;
  int limit = s.racy_in_node ? std::max(options.runs * 4, 20) : options.runs;
  std::map<Lines, std::size_t> index;
  for (int i = 0; i < limit; ++i) {
    if (s.racy_in_node && i >= options.runs && r.orders.size() > 1) break;
    ProcessResult p = run_child(confined_argv(options.node, version, {s.base_dir}, path), env,
                                  std::chrono::seconds(options.timeout_s), network, options.cancel_fd, cwd);
    ++r.runs;
    Lines lines = split_lines(p.out);
    if (p.timed_out) lines.push_back(fmt::format("(killed after {} s)", options.timeout_s));
    auto [it, added] = index.emplace(lines, r.orders.size());
    if (added) {
      r.orders.push_back(NodeOrder{lines, 0, p.exit_code, first_lines(p.err, 6)});
    }
    ++r.orders[it->second].count;
  }
  if (server) server->stop();
  std::error_code ignored;
  if (!w.own_file) std::filesystem::remove(path, ignored);
  std::stable_sort(r.orders.begin(), r.orders.end(),
                   [](const NodeOrder& a, const NodeOrder& b) { return a.count > b.count; });
  r.ours_among = std::any_of(r.orders.begin(), r.orders.end(), [&](const NodeOrder& o) { return o.lines == r.ours; });

  if (!r.why.empty()) {
    // An approximation decides the order: whatever Node says is not held against us, and
    // neither is a declaration of determinism (a read that Node finishes in a millisecond
    // can, on a loaded machine, come after a 50 ms timer now and then). A scenario declared
    // racy that Node did print in several orders is reported racy, with its counts.
    r.verdict = s.racy_in_node && r.orders.size() > 1 ? Verdict::Racy : Verdict::NotComparable;
    return;
  }
  judge(r, s, version);
}

// A table cell's text: `|` would end the cell, and raw HTML from a scenario's description
// (`<script>`, `<img onerror>`) would reach a renderer that passes HTML through.
std::string escape_md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// A link's text, taken from a file name: every character Markdown gives a meaning there is
// backslash-escaped, so that `a)[x](javascript:...)` stays text and `|` does not end the cell.
std::string escape_link_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\|[]()<>*_`").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A link's target, a path: percent-encoded wherever a character could end the target, the
// link or the cell (space, parentheses, `|`, `<`, `>`), start an escape (`%`, backslash), or
// is no printable ASCII.
std::string encode_link_target(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || std::string_view("%()|<>\\`\"").find(c) != std::string_view::npos) {
      out += fmt::format("%{:02X}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

std::string counts(const Report& r) {
  std::vector<std::string> parts;
  for (const auto& o : r.orders) parts.push_back(std::to_string(o.count));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Agrees: return "agrees";
    case Verdict::Differs: return "differs";
    case Verdict::Racy: return "racy in Node";
    case Verdict::NotComparable: return "not comparable";
  }
  return "?";
}

std::vector<Variant> approximation_variants(const Scenario& scenario) {
  std::vector<Variant> out;
  auto program = scenario.program;
  bool fs_delay = any_action(scenario.program, [](const Action& a) {
    return a.kind == ActionKind::FsRead && (!a.detail().delay.literal || *a.detail().delay.literal != 0);
  });
  if (fs_delay) {
    Variant v{"fs_read's delay_ms set to 0, as the exported program reads", scenario};
    for_each_action(v.scenario.program, [](Action& a) {
      if (a.kind == ActionKind::FsRead) {
        a.edit_detail().delay = {};
        a.edit_detail().delay.literal = 0;
      }
    });
    out.push_back(std::move(v));
  }
  bool cost = any_action(scenario.program, [](const Action& a) {
    return a.kind == ActionKind::Encrypt && a.detail().cost_ms.value_or(0) > 0;
  });
  for (double factor : {0.8, 1.25}) {
    if (cost) {
      Variant v{fmt::format("every encrypt's cost_ms times {}", factor), scenario};
      for_each_action(v.scenario.program, [factor](Action& a) {
        if (a.kind == ActionKind::Encrypt && a.detail().cost_ms) {
          a.edit_detail().cost_ms = scaled(*a.detail().cost_ms, factor);
        }
      });
      out.push_back(std::move(v));
    }
  }
  if (auto latency = scenario.settings.http_latency_ms; latency && *latency > 0) {
    for (double factor : {0.8, 1.25}) {
      Variant v{fmt::format("http_latency_ms times {}", factor), scenario};
      v.scenario.settings.http_latency_ms = scaled(*latency, factor);
      out.push_back(std::move(v));
    }
  }
  return out;
}

namespace {

// Our set, with our one run first: the default run is what the search starts from, so the
// two agree unless the search was given other options; the run is what we print.
void list_orders(Report& r, const Scenario& s, const ListOurs& list_ours) {
  if (list_ours) {
    Listed listed = list_ours(s);
    r.listed = std::move(listed.orders);
    r.listed_complete = listed.complete;
  }
  std::erase(r.listed, r.ours);
  r.listed.insert(r.listed.begin(), r.ours);
}

}  // namespace

std::string_view to_string(Listing listing) {
  switch (listing) {
    case Listing::Default: return "default";
    case Listing::Listed: return "listed";
    case Listing::NotListed: return "not listed";
  }
  return "?";
}

std::vector<OrderRow> order_rows(const Report& r) {
  auto ours_of = [&r](const Lines& lines) {
    return lines == r.ours ? Listing::Default : is_listed(r, lines) ? Listing::Listed : Listing::NotListed;
  };
  std::vector<OrderRow> rows;
  for (const auto& o : r.orders) rows.push_back({o.lines, o.count, ours_of(o.lines)});
  for (const auto& lines : r.listed) {
    bool seen = std::any_of(r.orders.begin(), r.orders.end(), [&](const NodeOrder& o) { return o.lines == lines; });
    if (!seen) rows.push_back({lines, 0, ours_of(lines)});
  }
  return rows;
}

std::string node_version(const std::string& node) {
  ProcessResult p = run_child({node, "--version"}, {}, std::chrono::seconds(30));
  if (p.exit_code != 0) throw NodeMissing(fmt::format("{} --version failed (exit {})", node, p.exit_code));
  std::string v = p.out;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  return v;
}

namespace {

// Our side of one scenario, on the calling thread: our run, whether an approximation decides
// it, the exported program, and whether node may run it (w.run_node) with our set listed.
void prepare_ours(Work& w, const Scenario& s, const RunOurs& run_ours, const ListOurs& list_ours) {
  w.scenario = &s;
  Report& r = w.report;
  r.file = s.file;
  r.description = s.description;
  r.declared_racy = s.racy_in_node;
  r.declared_why = s.racy_why;
  r.ours = run_ours(s);
  for (const Variant& v : approximation_variants(s)) {
    Lines other = run_ours(v.scenario);
    if (other != r.ours) {
      r.why = fmt::format("the order depends on what Node only approximates: with {}, ours prints another order",
                          v.what);
      break;
    }
  }
  w.program = exporter::export_js(s);
  if (!w.program.unsupported.empty()) {
    r.verdict = Verdict::NotComparable;
    r.why = w.program.unsupported;
    return;
  }
  if (w.program.reads_files) {
    if (auto link = sandbox::link_leading_out(s.base_dir, kMaxFolderEntries)) {
      r.verdict = Verdict::NotComparable;
      r.why = fmt::format("verify's node may read only below the scenario's folder, and Node 20 follows links: "
                          "not run, since {}", *link);
      return;
    }
  }
  w.run_node = true;
  list_orders(r, s, list_ours);
  w.own_file = js::is_js_path(s.file);
}

// A fresh folder for the exported programs, removed by verify_all when node is done.
std::string make_work_dir() {
  std::string dir_template = (std::filesystem::temp_directory_path() / "eventloop-trace-verify-XXXXXX").string();
  if (::mkdtemp(dir_template.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + dir_template);
  }
  return dir_template;
}

// How many pbkdf2 iterations node does in a millisecond on this machine, so that an exported
// program's pool work lasts as long as its cost_ms says.
double measure_pbkdf2(const Options& options, const std::string& version, const std::string& dir) {
  std::string path = dir + "/calibrate.js";
  std::ofstream(path, std::ios::binary) << exporter::pbkdf2_calibration_program();
  ProcessResult p = run_child(confined_argv(options.node, version, {}, path), {},
                              std::chrono::seconds(options.timeout_s), Network::LoopbackOnly, options.cancel_fd);
  double per_ms = std::strtod(p.out.c_str(), nullptr);
  if (p.exit_code != 0 || !(per_ms > 0)) {
    throw std::runtime_error(fmt::format("measuring pbkdf2 under node failed (exit {}): {}", p.exit_code, p.err));
  }
  return per_ms;
}

// Node's side of every scenario that may run, on `options.jobs` threads, each taking the
// next scenario. Returns the first failure (or Cancelled), after every thread has ended.
std::exception_ptr run_node_sides(std::vector<Work>& work, const Options& options, const std::string& dir,
                                  double per_ms, const std::string& version) {
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto worker = [&] {
    for (;;) {
      {
        std::lock_guard lock(error_mutex);
        if (error) return;  // another worker failed or was cancelled: nothing more is wanted
      }
      std::size_t i = next.fetch_add(1);
      if (i >= work.size()) return;
      if (!work[i].run_node) continue;
      try {
        run_node_side(work[i], options, dir, per_ms, version);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    for (int j = 0; j < std::max(1, options.jobs); ++j) threads.emplace_back(worker);
  }
  return error;
}

}  // namespace

std::vector<Report> verify_all(const std::vector<Scenario>& scenarios, const Options& options,
                               const RunOurs& run_ours, const ListOurs& list_ours) {
  std::string version = node_version(options.node);
  std::vector<Work> work(scenarios.size());
  bool needs_calibration = false;
  // Ours first, on this thread: the runner is the command line's, and it runs one at a time.
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    prepare_ours(work[i], scenarios[i], run_ours, list_ours);
    needs_calibration = needs_calibration || (work[i].run_node && work[i].program.uses_pool_work);
  }

  std::string dir = make_work_dir();
  double per_ms = needs_calibration ? measure_pbkdf2(options, version, dir) : 0;
  std::exception_ptr error = run_node_sides(work, options, dir, per_ms, version);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (error) std::rethrow_exception(error);

  std::vector<Report> out;
  for (auto& w : work) out.push_back(std::move(w.report));
  return out;
}

namespace {

// An order on one line, cut where a long block would push the table off the screen.
std::string order_on_one_line(const Lines& lines) {
  constexpr std::size_t kMaxShown = 100;
  std::string text = shown_on_one_line(fmt::format("{}", fmt::join(lines, " | ")));
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
  return text.empty() ? "(nothing printed)" : text;
}

// Node's orders beside ours, one row each: the comparison the verdict was drawn from.
std::string order_table(const Report& r) {
  std::string out = "    node     ours        order\n";
  for (const auto& row : order_rows(r)) {
    std::string ours(to_string(row.ours));
    std::string order = order_on_one_line(row.lines);
    if (row.node_count == 0) order += fmt::format(" (not seen in {} run{})", r.runs, r.runs == 1 ? "" : "s");
    out += fmt::format("    {:<8} {:<11} {}\n", fmt::format("{}/{}", row.node_count, r.runs), ours, order);
  }
  return out;
}

// How many orders we list that Node did not print, in words for the Markdown table.
std::string listed_note(const Report& r) {
  if (r.listed.size() < 2) return {};
  auto rows = order_rows(r);
  auto unseen = std::count_if(rows.begin(), rows.end(), [](const OrderRow& row) { return row.node_count == 0; });
  return fmt::format("; explore lists {} orders{}{}", r.listed.size(), r.listed_complete ? "" : " (search cut short)",
                     unseen > 0 ? fmt::format(", {} not seen in {} run{}", unseen, r.runs, r.runs == 1 ? "" : "s") : "");
}

// What made a scenario differ, in words for the Markdown table.
std::string differs_note(const Report& r) {
  std::vector<std::string> unlisted;
  for (const auto& row : order_rows(r)) {
    if (row.ours == Listing::NotListed) unlisted.push_back(std::to_string(row.node_count));
  }
  if (unlisted.empty()) return "Node prints another order in 90% of its runs or more (`verify` shows the diff)";
  return fmt::format("Node printed {} order{} explore does not list ({} of {} runs; `verify` shows {})",
                     unlisted.size(), unlisted.size() == 1 ? "" : "s", fmt::join(unlisted, ", "), r.runs,
                     unlisted.size() == 1 ? "it" : "them");
}

}  // namespace

std::string render_text(const std::vector<Report>& reports, const std::string& version, bool color) {
  auto paint = [color](std::string_view code, std::string_view text) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
  };
  std::string out;
  std::map<Verdict, int> tally;
  int wrong = 0;
  for (const Report& r : reports) {
    ++tally[r.verdict];
    std::string_view code = r.verdict == Verdict::Agrees    ? "32"
                            : r.verdict == Verdict::Differs ? "31"
                                                            : "33";
    std::string verdict = fmt::format("{:<15}", to_string(r.verdict));
    // The file's name and the reasons quote the scenario: shown as the trace shows its text.
    out += paint(code, verdict) + " " + shown_on_one_line(r.file);
    switch (r.verdict) {
      case Verdict::Agrees: out += fmt::format(" ({} runs, one order, ours)\n", r.runs); break;
      case Verdict::Differs:
        if (r.orders.size() == 1) {
          out += fmt::format(" ({} runs, one order, not ours)\n", r.runs);
        } else {
          out += fmt::format(" ({} orders in {} runs: {})\n", r.orders.size(), r.runs, counts(r));
        }
        // The diff quotes what both sides printed, and node's stderr: escaped line by line.
        for (const auto& l : split_lines(r.diff)) out += "    " + shown_on_one_line(l) + "\n";
        break;
      case Verdict::Racy:
        out += fmt::format(" ({} orders in {} runs: {}; ours is {})\n", r.orders.size(), r.runs, counts(r),
                           r.ours_among ? "one of them" : "none of them");
        break;
      case Verdict::NotComparable: out += "\n    " + shown_on_one_line(r.why) + "\n"; break;
    }
    if (r.verdict != Verdict::NotComparable && order_rows(r).size() > 1) out += order_table(r);
    if (!r.declaration_problem.empty()) {
      ++wrong;
      out += "    " + paint("31", "wrong declaration: " + r.declaration_problem) + "\n";
    }
  }
  out += fmt::format("{} scenarios against node {}: {} agree, {} differ, {} racy in Node, {} not comparable; {} "
                     "wrong racy declaration{}\n",
                     reports.size(), version, tally[Verdict::Agrees], tally[Verdict::Differs], tally[Verdict::Racy],
                     tally[Verdict::NotComparable], wrong, wrong == 1 ? "" : "s");
  return out;
}

std::string render_json(const std::vector<Report>& reports, const std::string& version) {
  nlohmann::json all = nlohmann::json::array();
  for (const Report& r : reports) {
    nlohmann::json j;
    j["file"] = r.file;
    j["verdict"] = std::string(to_string(r.verdict));
    j["runs"] = r.runs;
    j["ours"] = r.ours;
    j["ours_among"] = r.ours_among;
    j["declared_racy"] = r.declared_racy;
    if (!r.declaration_problem.empty()) j["declaration_problem"] = r.declaration_problem;
    if (!r.why.empty()) j["why"] = r.why;
    if (!r.diff.empty()) j["diff"] = r.diff;
    nlohmann::json orders = nlohmann::json::array();
    for (const auto& o : r.orders) orders.push_back({{"count", o.count}, {"exit_code", o.exit_code}, {"lines", o.lines}});
    j["node_orders"] = orders;
    if (r.verdict != Verdict::NotComparable) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& row : order_rows(r)) {
        rows.push_back({{"lines", row.lines}, {"node_count", row.node_count}, {"ours", std::string(to_string(row.ours))}});
      }
      j["orders"] = rows;
      j["listed_complete"] = r.listed_complete;
    }
    all.push_back(j);
  }
  nlohmann::json top;
  top["node"] = version;
  top["scenarios"] = all;
  top["failed"] = std::any_of(reports.begin(), reports.end(), [](const Report& r) { return r.failed(); });
  return top.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_markdown(const std::vector<Report>& reports, const std::string& version) {
  std::string out = fmt::format("Node {}; `eventloop-trace verify` wrote this table.\n\n", version);
  out += "| Scenario | The question it answers | Verdict | Details |\n|---|---|---|---|\n";
  for (const Report& r : reports) {
    std::string name = std::filesystem::path(r.file).filename().string();
    std::string details;
    switch (r.verdict) {
      case Verdict::Agrees: details = fmt::format("{} runs", r.runs); break;
      case Verdict::Differs: details = differs_note(r); break;
      case Verdict::Racy:
        details = fmt::format("{} orders in {} runs ({}); ours is {}", r.orders.size(), r.runs, counts(r),
                              r.ours_among ? "one of them" : "none of them");
        break;
      case Verdict::NotComparable: details = r.why; break;
    }
    if (r.verdict != Verdict::NotComparable) details += listed_note(r);
    if (r.declared_racy) details += "; declared racy: " + r.declared_why;
    if (!r.declaration_problem.empty()) details += "; **wrong declaration**: " + r.declaration_problem;
    // Links are relative to docs/, where the table lives.
    std::string link = r.file;
    if (auto at = link.rfind("scenarios/"); at != std::string::npos) link = "../" + link.substr(at);
    out += fmt::format("| [{}]({}) | {} | {} | {} |\n", escape_link_text(shown_on_one_line(name)),
                       encode_link_target(link), escape_md(shown_on_one_line(r.description)),
                       to_string(r.verdict), escape_md(details));
  }
  return out;
}

}  // namespace elt::verify
