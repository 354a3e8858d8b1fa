// libFuzzer target: elt::http::ResponseParser.
//
// Input layout: the first byte chooses where the stream is split (position
// byte * n / 255 of the n remaining bytes); the remaining bytes are what the server sent.
// The parser promises (response_parser.h) that any split of the stream gives the same
// result, so each configuration is parsed three ways and compared:
//   - in one piece, then finish();
//   - in two pieces split at the chosen position, then finish();
//   - one byte at a time, then finish().
// Configurations: default limits; a HEAD request; small limits (so that the
// max_header_bytes / max_body_bytes paths are reachable with small inputs).
// Checked: same status; when Complete, same version, status code, reason, headers and
// body; raw is a prefix of the input; an Error has a message; Complete responses obey the
// limits. Crashes, leaks, UB and hangs are findings as usual.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/response_parser.h"

namespace {

using elt::http::Header;
using elt::http::ParseStatus;
using elt::http::Response;
using elt::http::ResponseParser;

struct Config {
  const char* name;
  ResponseParser::Limits limits;
  bool head;
};

struct Result {
  ParseStatus status;
  Response response;
  std::string error;
};

const char* status_name(ParseStatus s) {
  switch (s) {
    case ParseStatus::NeedMore: return "NeedMore";
    case ParseStatus::Complete: return "Complete";
    case ParseStatus::Error: return "Error";
  }
  return "?";
}

[[noreturn]] void fail(const Config& config, const char* way, const char* what, const Result& a, const Result& b) {
  std::fprintf(stderr,
               "fuzz_http_response: %s (config %s, whole input vs %s)\n"
               "  whole: %s status=%d body=%zu bytes error=\"%s\"\n"
               "  %s: %s status=%d body=%zu bytes error=\"%s\"\n",
               what, config.name, way, status_name(a.status), a.response.status, a.response.body.size(),
               a.error.c_str(), way, status_name(b.status), b.response.status, b.response.body.size(),
               b.error.c_str());
  std::abort();
}

Result run(const Config& config, const std::vector<std::string_view>& pieces) {
  ResponseParser parser(config.limits);
  parser.set_head_request(config.head);
  ParseStatus last = ParseStatus::NeedMore;
  for (const std::string_view piece : pieces) {
    const ParseStatus before = parser.status();
    last = parser.feed(piece);
    if (last != parser.status()) std::abort();  // feed() returns the new status
    // Once Complete or Error, the status never changes again.
    if (before != ParseStatus::NeedMore && last != before) std::abort();
  }
  const ParseStatus before = parser.status();
  last = parser.finish();
  if (last != parser.status()) std::abort();
  if (before != ParseStatus::NeedMore && last != before) std::abort();
  // finish() always decides: the peer has gone, so there is nothing more to wait for.
  if (last == ParseStatus::NeedMore) std::abort();
  return Result{last, parser.take_response(), parser.error()};
}

bool same_headers(const std::vector<Header>& a, const std::vector<Header>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].value != b[i].value) return false;
  }
  return true;
}

void check_one(const Config& config, std::string_view stream, const Result& r) {
  const Result none{};
  if (r.status == ParseStatus::Error && r.error.empty()) fail(config, "itself", "Error without a message", r, none);
  if (r.status != ParseStatus::Complete) return;
  const Response& resp = r.response;
  if (!stream.starts_with(resp.raw)) fail(config, "itself", "raw is not a prefix of the input", r, none);
  if (resp.body.size() > config.limits.max_body_bytes) fail(config, "itself", "body over max_body_bytes", r, none);
  if (resp.status < 100 || resp.status > 999) fail(config, "itself", "Complete with an impossible status", r, none);
  if (resp.status >= 100 && resp.status < 200 && resp.status != 101) {
    fail(config, "itself", "an interim 1xx response was returned as the response", r, none);
  }
  if ((config.head || resp.status == 204 || resp.status == 304 || resp.status == 101) && !resp.body.empty()) {
    fail(config, "itself", "a response that cannot have a body has one", r, none);
  }
}

void compare(const Config& config, const char* way, const Result& a, const Result& b) {
  if (a.status != b.status) fail(config, way, "different status", a, b);
  if (a.status != ParseStatus::Complete) return;
  if (a.response.status != b.response.status) fail(config, way, "different status code", a, b);
  if (a.response.version != b.response.version) fail(config, way, "different version", a, b);
  if (a.response.reason != b.response.reason) fail(config, way, "different reason", a, b);
  if (!same_headers(a.response.headers, b.response.headers)) fail(config, way, "different headers", a, b);
  if (a.response.body != b.response.body) fail(config, way, "different body", a, b);
  if (a.response.raw != b.response.raw) fail(config, way, "different raw bytes", a, b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t split_selector = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = split_selector * stream.size() / 255;

  static const Config kConfigs[] = {
      {"default", ResponseParser::Limits{}, false},
      {"head", ResponseParser::Limits{}, true},
      {"small-limits", ResponseParser::Limits{.max_header_bytes = 96, .max_body_bytes = 48}, false},
  };

  for (const Config& config : kConfigs) {
    const Result whole = run(config, {stream});
    check_one(config, stream, whole);

    const Result two = run(config, {stream.substr(0, split), stream.substr(split)});
    check_one(config, stream, two);
    compare(config, "two pieces", whole, two);

    std::vector<std::string_view> bytes;
    bytes.reserve(stream.size());
    for (std::size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
    const Result bytewise = run(config, bytes);
    check_one(config, stream, bytewise);
    compare(config, "byte at a time", whole, bytewise);
  }
  return 0;
}
