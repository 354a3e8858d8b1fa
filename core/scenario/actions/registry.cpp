// The table of every action, and the reader's helpers that several actions share.
#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/check.h"
#include "loop/limits.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario {

namespace {

using nlohmann::json;

// In ActionKind's order, so that a kind is its own index. The pointers are constants,
// so the table is complete before any code runs, whatever order the files start in.
constexpr std::array kSpecs = {
    &actions::kPrint,        &actions::kPrintContent,  &actions::kSetTimeout,    &actions::kFsRead,
    &actions::kEncrypt,      &actions::kHttpGetSlow,   &actions::kHttpGet,       &actions::kRepeat,
    &actions::kSetInterval,  &actions::kSetImmediate,  &actions::kNextTick,      &actions::kQueueMicrotask,
    &actions::kPromise,      &actions::kClearTimeout,  &actions::kClearInterval, &actions::kClearImmediate,
    &actions::kBlock,
    &actions::kLet,          &actions::kSet,           &actions::kIf,            &actions::kUnref,
    &actions::kRef,
    &actions::kNewPromise,   &actions::kResolvePromise, &actions::kRejectPromise, &actions::kPromiseThen,
    &actions::kAsync,        &actions::kAwait,
    &actions::kPromiseAll,   &actions::kPromiseRace,    &actions::kPromiseAllSettled, &actions::kPromiseAny,
    &actions::kSleep,        &actions::kOnUnhandledRejection, &actions::kReadFile,
    &actions::kThenable,     &actions::kTry,            &actions::kThrow,
    &actions::kHttpGetStream, &actions::kOnData,        &actions::kOnEnd,         &actions::kResume,
    &actions::kSetEncoding,  &actions::kHttpServer,     &actions::kListen,        &actions::kRespond,
    &actions::kCloseServer,
};

}  // namespace

std::span<const ActionSpec* const> action_specs() { return kSpecs; }

const ActionSpec& action_spec(ActionKind kind) {
  auto index = static_cast<std::size_t>(kind);
  ensure(index < kSpecs.size() && kSpecs[index]->kind == kind, "action registry: a kind out of its place");
  return *kSpecs[index];
}

const ActionSpec* find_action(std::string_view name) {
  for (const ActionSpec* spec : kSpecs) {
    if (spec->name == name) return spec;
  }
  return nullptr;
}

bool valid_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// ---- planning ----

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  return a != 0 && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}
std::string count_text(std::uint64_t n) {
  if (n == UINT64_MAX) return "more than 18,446,744,073,709,551,614";
  return grouped(n);
}

// A callback counts as running once; for then and catch, the larger of the two.
std::uint64_t plan_once(WorkPlanner& planner, const Action& a) {
  return saturating_add(1, std::max(planner.planned(a.then), planner.planned(a.detail().on_error)));
}

// ---- ActionReader's shared helpers ----

std::vector<Action> ActionReader::callback(const ActionSource& src, const char* key,
                                           std::initializer_list<std::string> binds) {
  if (!src.object.contains(key)) return {};
  std::size_t mark = scope_mark();
  for (const std::string& name : binds) bind(name);
  auto body = actions(src.object[key], src.path + "/" + key, src.depth);
  unbind_to(mark);
  return body;
}

std::string ActionReader::result_name(const ActionSource& src, const char* fallback) {
  if (!src.object.contains("as")) return fallback;
  const json& v = src.object["as"];
  std::string s = v.is_string() ? v.get<std::string>() : "";
  if (!valid_name(s)) {
    fail(src.path + "/as", fmt::format("\"as\" names the result: letters, digits and _; found {}", describe(v)));
  }
  return s;
}

std::string ActionReader::handle_name(const ActionSource& src) {
  if (!src.object.contains("id")) return {};
  const json& v = src.object["id"];
  if (!v.is_string() || !valid_name(v.get<std::string>())) {
    fail(src.path + "/id", fmt::format("\"id\" names the handle for clear_*: letters, digits and _; found {}",
                                       describe(v)));
  }
  note_handle(v.get<std::string>());
  return v.get<std::string>();
}

void ActionReader::with_callback(const ActionSource& src, Action& a) {
  a.edit_detail().as = result_name(src, "result");
  a.then = callback(src, "then", {a.detail().as});
  a.edit_detail().on_error = callback(src, "catch", {"error"});
}

}  // namespace elt::scenario
