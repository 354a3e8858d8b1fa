// The console module as the scenario sees it: print and print_content (console.h).
// The errors a callback reports are the loop's (Runtime::report_error), written here
// beside them. Loop thread only.
#include "modules/console.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "trace/tracer.h"

namespace elt {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

// console.log's cost is paid before the line comes out: the first one sets standard
// output up (lib/internal/bootstrap/switches/is_main_thread.js, getStdout), which takes
// milliseconds; the later ones a write each.
void Console::print(std::string_view message) {
  loop_.assert_in_loop_thread();
  loop_.charge(loop_.printed_ ? Cost::Print : Cost::FirstPrint);
  loop_.printed_ = true;
  loop_.tracer_.emit({.kind = EventKind::Print, .text = std::string(message)});
}

void Runtime::report_error(std::string_view message) {
  assert_in_loop_thread();
  tracer_.emit({.kind = EventKind::CallbackError, .text = std::string(message)});
}

void Console::print_content(std::string_view content, std::string_view label) {
  loop_.assert_in_loop_thread();
  // The book shows the first two lines, then the first Location line if there is one.
  std::vector<std::string_view> lines;
  std::string_view rest = trim(content);
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::string shown;
  for (std::size_t i = 0; i < lines.size() && i < 2; ++i) fmt::format_to(std::back_inserter(shown), "{}\n", lines[i]);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    if (lines[i].starts_with("Location")) {
      fmt::format_to(std::back_inserter(shown), "{}\n", lines[i]);
      break;
    }
  }
  std::string upper(label);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  loop_.charge(loop_.printed_ ? Cost::Print : Cost::FirstPrint);
  loop_.printed_ = true;
  loop_.tracer_.emit({.kind = EventKind::Content, .text = std::move(upper), .content = std::move(shown)});
}

}  // namespace elt
