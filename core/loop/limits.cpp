#include "loop/limits.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/did_you_mean.h"

namespace elt {

namespace {

// What each limit counts, as the message names it.
std::string_view counted(Limit limit) {
  switch (limit) {
    case Limit::Callbacks: return "callbacks run";
    case Limit::Pending: return "registrations pending at once (timers, intervals, immediates, pool tasks, requests)";
    case Limit::TraceEvents: return "trace events (lines of text or jsonl, entries of chrome or html)";
    case Limit::ValueBytes: return "bytes of text in values (files read, templates rendered)";
    case Limit::Actions: return "actions run";
  }
  return "?";
}

std::string how_to_raise(Limit limit) {
  // Only the command line raises a limit: a scenario's settings may only lower one.
  return fmt::format("raise it with --limit {}=N", to_string(limit));
}


}  // namespace

std::string_view to_string(Limit limit) { return kLimitNames[static_cast<std::size_t>(limit)]; }

bool RunLimits::set(std::string_view name, std::uint64_t value) {
  if (name == "callbacks") {
    callbacks = value;
  } else if (name == "pending") {
    pending = value;
  } else if (name == "trace_events") {
    trace_events = value;
  } else if (name == "value_bytes") {
    value_bytes = value;
  } else if (name == "actions") {
    actions = value;
  } else {
    return false;
  }
  return true;
}

std::uint64_t default_limit(std::string_view name) {
  if (name == "callbacks") return kDefaultCallbacks;
  if (name == "pending") return kDefaultPending;
  if (name == "trace_events") return kDefaultTraceEventsStreamed;
  if (name == "value_bytes") return kDefaultValueBytes;
  return kDefaultActions;
}

std::optional<std::pair<std::string, std::uint64_t>> parse_limit(std::string_view text, std::string& error) {
  auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    error = fmt::format("\"{}\" is not NAME=N; the limits are {}", text, fmt::join(kLimitNames, ", "));
    return std::nullopt;
  }
  std::string name(text.substr(0, eq));
  std::string_view digits = text.substr(eq + 1);
  if (RunLimits probe; !probe.set(name, 0)) {
    std::string hint = did_you_mean(name, std::vector<std::string>(kLimitNames.begin(), kLimitNames.end()));
    error = fmt::format("no limit is named \"{}\"; {}", name,
                        hint.empty() ? fmt::format("the limits are {}", fmt::join(kLimitNames, ", "))
                                     : fmt::format("did you mean \"{}\"?", hint));
    return std::nullopt;
  }
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || value < 1 ||
      value > kMaxLimitValue) {
    error = fmt::format("the limit {} must be a whole number from 1 to {}; found \"{}\"", name,
                        grouped(kMaxLimitValue), digits);
    return std::nullopt;
  }
  return std::pair{name, value};
}

std::string describe(const LimitCrossed& crossed) {
  return fmt::format("the run stopped {}: it reached its limit of {} {} ({}={}); {}", crossed.when,
                     grouped(crossed.value), counted(crossed.limit), to_string(crossed.limit), crossed.value,
                     how_to_raise(crossed.limit));
}

std::string value_bytes_refusal(std::uint64_t limit, std::uint64_t left) {
  return fmt::format("more than the {} bytes this run's values may still take (value_bytes={}); {}", grouped(left),
                     limit, how_to_raise(Limit::ValueBytes));
}

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace elt
