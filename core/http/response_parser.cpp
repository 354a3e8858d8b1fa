// Incremental HTTP/1.x response parser (see response_parser.h): the job llhttp does in
// Node, much smaller. Single-threaded, owned by the thread that reads the socket.
//
// The input is consumed in one pass: line-oriented states (status line, headers, chunk
// sizes, trailers) copy bytes into line_ up to the next LF, body states copy straight into
// the body. Nothing is ever rescanned, so feeding one byte at a time costs the same as
// feeding everything at once, and every size is checked before memory is committed.
#include "http/response_parser.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <cstring>
#include <limits>
#include <utility>

namespace elt::http {
namespace {

// Chunk-size lines have no business being long; extensions are the only variable part
// and nobody we talk to sends them. The cap stops a peer streaming an endless line.
constexpr std::size_t kMaxChunkLineBytes = 4096;
// How much of an offending line an error message quotes.
constexpr std::size_t kMaxQuotedBytes = 64;
constexpr std::string_view kHttpPrefix = "HTTP/";
constexpr std::string_view kClosedEarly = "connection closed before the response was complete";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Most responses carry fewer fields than this (the benchmark server's: 3; a web server's:
// 8 to 15); more just grow the vector.
constexpr std::size_t kUsualHeaderCount = 8;

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 tchar: header names are tokens, so spaces, controls and separators are out.
bool is_tchar(char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Field values and reason phrases allow HTAB, SP, visible ASCII and obs-text (bytes
// >= 0x80); any other control byte (NUL, bare CR, DEL...) is a smuggling vector.
bool is_field_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Quotes untrusted bytes for an error message: printable, bounded, no raw control bytes
// that could corrupt a terminal.
std::string quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  const bool truncated = s.size() > kMaxQuotedBytes;
  for (const char c : s.substr(0, kMaxQuotedBytes)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += truncated ? "\"..." : "\"";
  return out;
}

// Decimal without sign or whitespace; false on empty input, other characters or
// overflow, which is what Content-Length needs (RFC 9110 section 8.6).
bool parse_decimal(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t value = 0;
  for (const char c : s) {
    if (!is_digit(c)) return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string limit_message(std::string_view what, std::size_t limit, std::string_view name) {
  return std::string(what) + " exceeds the limit of " + std::to_string(limit) + " bytes (" +
         std::string(name) + ")";
}


// Adds one Transfer-Encoding or Content-Length field (a comma-separated list, possibly
// spread over several lines) to `f`; other fields are not framing. An error message when
// the field is malformed or contradicts an earlier one.
std::optional<std::string> add_framing_field(const Header& h, BodyFraming& f) {
  const bool is_te = iequals(h.name, "Transfer-Encoding");
  const bool is_cl = iequals(h.name, "Content-Length");
  if (!is_te && !is_cl) return std::nullopt;
  std::string_view rest = h.value;
  bool any_element = false;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view element = trim_ows(rest.substr(0, comma));
    if (is_te) {
      if (!element.empty()) {
        any_element = true;
        // A coding may carry parameters ("gzip;level=1"); only its name matters here.
        const bool chunked = iequals(trim_ows(element.substr(0, element.find(';'))), "chunked");
        f.chunked_count += chunked ? 1 : 0;
        f.chunked_last = chunked;
      }
    } else {
      any_element = true;
      std::uint64_t value = 0;
      if (!parse_decimal(element, value)) return "invalid Content-Length: " + quote(h.value);
      // Identical repeats are a known proxy artefact and harmless (RFC 9110 section
      // 8.6); differing values mean two framings, and guessing one invites smuggling.
      if (f.has_content_length && value != f.content_length) {
        return "conflicting Content-Length values: " + std::to_string(f.content_length) + " and " +
               std::to_string(value);
      }
      f.has_content_length = true;
      f.content_length = value;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (is_te) {
    if (!any_element) return "invalid Transfer-Encoding: " + quote(h.value);
    f.has_transfer_encoding = true;
  }
  return std::nullopt;
}

}  // namespace

const std::string* Response::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

ResponseParser::ResponseParser() : ResponseParser(Limits{}) {}

ResponseParser::ResponseParser(Limits limits) : limits_(limits) {}

void ResponseParser::set_head_request(bool is_head) { head_request_ = is_head; }

Response ResponseParser::take_response() {
  Response out = std::move(response_);
  response_ = Response{};
  return out;
}

ParseStatus ResponseParser::feed(std::string_view bytes) {
  // The raw text keeps every byte fed: grow it once per read, not a doubling per line
  // (a small response in one read cost four allocations on the way).
  std::string& raw = response_.raw;
  if (raw.capacity() < raw.size() + bytes.size()) raw.reserve(std::max(raw.size() + bytes.size(), 2 * raw.capacity()));
  std::size_t pos = 0;
  while (pos < bytes.size() && status_ == ParseStatus::NeedMore) {
    switch (state_) {
      case State::StatusLine:
      case State::Headers:
      case State::ChunkSize:
      case State::ChunkDataEnd:
      case State::Trailers:
        pos = feed_line(bytes, pos);
        break;
      case State::FixedBody:
      case State::ChunkData:
        pos = feed_counted_body(bytes, pos);
        break;
      case State::BodyUntilClose:
        pos = feed_body_until_close(bytes, pos);
        break;
      case State::Done:
        return status_;
    }
  }
  return status_;
}

ParseStatus ResponseParser::finish() {
  if (status_ != ParseStatus::NeedMore) return status_;
  // Without a length or chunking, EOF is the only way the server can say "that's all".
  if (state_ == State::BodyUntilClose) {
    complete();
  } else {
    fail(std::string(kClosedEarly));
  }
  return status_;
}

std::size_t ResponseParser::feed_line(std::string_view in, std::size_t pos) {
  const char* start = in.data() + pos;
  const std::size_t avail = in.size() - pos;
  const void* lf = std::memchr(start, '\n', avail);
  const std::size_t take =
      lf != nullptr ? static_cast<std::size_t>(static_cast<const char*>(lf) - start) + 1 : avail;

  // Check the budget before copying anything, so an endless line costs nothing.
  const bool in_head = state_ == State::StatusLine || state_ == State::Headers;
  if (in_head || state_ == State::Trailers) {
    if (take > limits_.max_header_bytes - header_bytes_) {
      fail(limit_message(in_head ? "response header" : "response trailer",
                         limits_.max_header_bytes, "max_header_bytes"));
      return in.size();
    }
    header_bytes_ += take;
  } else if (take > kMaxChunkLineBytes - line_.size()) {
    fail("chunk size line exceeds " + std::to_string(kMaxChunkLineBytes) + " bytes");
    return in.size();
  } else {
    if (take > limits_.max_chunk_framing_bytes - framing_bytes_) {
      fail(limit_message("chunk framing (too many small chunks)", limits_.max_chunk_framing_bytes,
                         "max_chunk_framing_bytes"));
      return in.size();
    }
    framing_bytes_ += take;
  }

  response_.raw.append(start, take);
  line_.append(start, lf != nullptr ? take - 1 : take);
  if (!check_partial_line()) return in.size();
  if (lf == nullptr) return in.size();

  // Bare LF is accepted as a line end (RFC 9112 section 2.2), so CR is optional.
  std::string_view line = line_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  handle_line(line);
  line_.clear();
  return pos + take;
}

// Rejects a line before its LF arrives where the first bytes already prove it wrong: a
// client pointed at an SSH or TLS port should report that at once instead of waiting for
// a newline that may never come.
bool ResponseParser::check_partial_line() {
  if (state_ == State::StatusLine) {
    const std::string_view line = line_;
    const std::size_t n = std::min(line.size(), kHttpPrefix.size());
    if (line.substr(0, n) != kHttpPrefix.substr(0, n)) {
      fail("not an HTTP response: " + quote(line));
      return false;
    }
    // "HTTP/1.0" or "HTTP/1.1"; HTTP/2 and beyond never use this text framing.
    const bool version_ok = (line.size() <= 5 || line[5] == '1') &&
                            (line.size() <= 6 || line[6] == '.') &&
                            (line.size() <= 7 || line[7] == '0' || line[7] == '1');
    if (!version_ok) {
      fail("unsupported HTTP version: " + quote(line));
      return false;
    }
  } else if (state_ == State::ChunkDataEnd) {
    // More data than the chunk size announced: the framing is wrong, say so now.
    if (line_.size() > 1 || (line_.size() == 1 && line_[0] != '\r')) {
      fail("missing CRLF after chunk data: " + quote(line_));
      return false;
    }
  }
  return true;
}

void ResponseParser::handle_line(std::string_view line) {
  switch (state_) {
    case State::StatusLine:
      handle_status_line(line);
      break;
    case State::Headers:
      handle_header_line(line);
      break;
    case State::ChunkSize:
      handle_chunk_size_line(line);
      break;
    case State::ChunkDataEnd:
      // check_partial_line() already rejected anything but an empty line.
      state_ = State::ChunkSize;
      break;
    case State::Trailers:
      handle_trailer_line(line);
      break;
    case State::FixedBody:
    case State::ChunkData:
    case State::BodyUntilClose:
    case State::Done:
      break;
  }
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ]. A missing final SP
// ("HTTP/1.1 200") is tolerated because real servers send it.
void ResponseParser::handle_status_line(std::string_view line) {
  constexpr std::size_t kVersionLen = 8;  // "HTTP/1.1"
  constexpr std::size_t kCodeEnd = kVersionLen + 1 + 3;
  const bool shape_ok = line.size() >= kCodeEnd && line[kVersionLen] == ' ' &&
                        is_digit(line[9]) && line[9] != '0' && is_digit(line[10]) &&
                        is_digit(line[11]) && (line.size() == kCodeEnd || line[kCodeEnd] == ' ');
  if (!shape_ok) {
    fail("malformed status line: " + quote(line));
    return;
  }
  const std::string_view reason =
      line.size() > kCodeEnd ? line.substr(kCodeEnd + 1) : std::string_view{};
  if (!std::all_of(reason.begin(), reason.end(), is_field_char)) {
    fail("malformed status line: " + quote(line));
    return;
  }
  response_.version = std::string(line.substr(0, kVersionLen));
  response_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  response_.reason = std::string(reason);
  state_ = State::Headers;
}

void ResponseParser::handle_header_line(std::string_view line) {
  if (line.empty()) {
    handle_end_of_head();
    return;
  }
  Header header;
  if (!parse_field_line(line, &header)) return;
  // Room for a usual head at once: growing 1, 2, 4 was two allocations and copies of a
  // three-field response (a tenth of the parser's instructions per GET, callgrind).
  if (response_.headers.capacity() == 0) response_.headers.reserve(kUsualHeaderCount);
  response_.headers.push_back(std::move(header));
}

void ResponseParser::handle_trailer_line(std::string_view line) {
  if (line.empty()) {
    complete();
    return;
  }
  // Trailers are validated (a malformed one means the framing is off) but not kept:
  // nothing in the tool displays them and merging them into headers would be wrong.
  parse_field_line(line, nullptr);
}

bool ResponseParser::parse_field_line(std::string_view line, Header* out) {
  // Line folding was deprecated by RFC 7230; accepting it invites header smuggling, and
  // RFC 9112 section 5.2 lets a user agent reject it.
  if (is_ows(line.front())) {
    fail("obsolete line folding is not supported: " + quote(line));
    return false;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    fail("malformed header line (no colon): " + quote(line));
    return false;
  }
  const std::string_view name = line.substr(0, colon);
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar)) {
    fail("invalid header name: " + quote(line));
    return false;
  }
  const std::string_view value = trim_ows(line.substr(colon + 1));
  if (!std::all_of(value.begin(), value.end(), is_field_char)) {
    fail("invalid header value: " + quote(line));
    return false;
  }
  if (out != nullptr) {
    out->name = std::string(name);
    out->value = std::string(value);
  }
  return true;
}

// Decides how the body is delimited, in the order of RFC 9112 section 6.3.
void ResponseParser::handle_end_of_head() {
  if (head_is_whole_response()) return;
  BodyFraming framing;
  for (const Header& h : response_.headers) {
    if (auto error = add_framing_field(h, framing)) {
      fail(std::move(*error));
      return;
    }
  }
  start_body(framing);
}

// A 1xx, a HEAD request's answer, a 204 or a 304 has no body: the head is all there is
// (or, for an interim 1xx, the real response follows). True when the head was handled so.
bool ResponseParser::head_is_whole_response() {
  const int status = response_.status;
  if (status >= 100 && status < 200) {
    // 101 hands the connection to another protocol; what follows is not HTTP, so the
    // head is the whole response. Other 1xx are interim: forget them (raw keeps them)
    // and parse the real response that follows.
    if (status == 101) {
      complete();
      return true;
    }
    response_.version.clear();
    response_.status = 0;
    response_.reason.clear();
    response_.headers.clear();
    state_ = State::StatusLine;
    return true;
  }
  if (head_request_ || status == 204 || status == 304) {
    complete();
    return true;
  }
  return false;
}

// The body's framing, once every Transfer-Encoding and Content-Length field is read.
void ResponseParser::start_body(const BodyFraming& f) {
  if (f.has_transfer_encoding) {
    // RFC 9112 section 6.1 lets a recipient treat this as an error, and it is the classic
    // request-smuggling shape, so it is one.
    if (f.has_content_length) {
      fail("response has both Transfer-Encoding and Content-Length");
      return;
    }
    if (f.chunked_count > 1) {
      fail("chunked transfer coding applied more than once");
      return;
    }
    // A response whose final coding is not chunked runs until the connection closes.
    state_ = f.chunked_last ? State::ChunkSize : State::BodyUntilClose;
    return;
  }
  if (!f.has_content_length) {
    state_ = State::BodyUntilClose;
    return;
  }
  if (f.content_length > limits_.max_body_bytes) {
    fail(limit_message("response body (Content-Length " + std::to_string(f.content_length) + ")",
                       limits_.max_body_bytes, "max_body_bytes"));
    return;
  }
  remaining_ = static_cast<std::size_t>(f.content_length);
  response_.body.reserve(remaining_);
  if (remaining_ == 0) {
    complete();
  } else {
    state_ = State::FixedBody;
  }
}

// chunk-size [ chunk-ext ] CRLF, where chunk-size is 1*HEXDIG and chunk-ext starts with
// optional whitespace and ';'. Extensions carry nothing we use, so they are skipped.
void ResponseParser::handle_chunk_size_line(std::string_view line) {
  std::size_t size = 0;
  std::size_t i = 0;
  for (; i < line.size(); ++i) {
    const int digit = hex_value(line[i]);
    if (digit < 0) break;
    // Refuse before shifting, so a size like FFFFFFFFFFFFFFFFFFFF cannot wrap around.
    if (size > (std::numeric_limits<std::size_t>::max() >> 4)) {
      fail("chunk size too large: " + quote(line));
      return;
    }
    size = (size << 4) | static_cast<std::size_t>(digit);
  }
  const std::size_t digits_end = i;
  while (i < line.size() && is_ows(line[i])) ++i;
  if (digits_end == 0 || (i < line.size() && line[i] != ';')) {
    fail("invalid chunk size line: " + quote(line));
    return;
  }
  const std::size_t extension = line.size() - i;
  if (extension > limits_.max_chunk_extension_bytes - extension_bytes_) {
    fail(limit_message("chunk extension data", limits_.max_chunk_extension_bytes, "max_chunk_extension_bytes"));
    return;
  }
  extension_bytes_ += extension;
  if (size == 0) {
    state_ = State::Trailers;
    return;
  }
  if (size > limits_.max_body_bytes - response_.body.size()) {
    fail(limit_message("response body", limits_.max_body_bytes, "max_body_bytes"));
    return;
  }
  remaining_ = size;
  state_ = State::ChunkData;
}

std::size_t ResponseParser::feed_counted_body(std::string_view in, std::size_t pos) {
  const std::size_t take = std::min(remaining_, in.size() - pos);
  const std::string_view bytes = in.substr(pos, take);
  response_.body.append(bytes);
  response_.raw.append(bytes);
  remaining_ -= take;
  if (remaining_ == 0) {
    if (state_ == State::FixedBody) {
      complete();
    } else {
      state_ = State::ChunkDataEnd;
    }
  }
  return pos + take;
}

std::size_t ResponseParser::feed_body_until_close(std::string_view in, std::size_t pos) {
  const std::string_view bytes = in.substr(pos);
  if (bytes.size() > limits_.max_body_bytes - response_.body.size()) {
    fail(limit_message("response body", limits_.max_body_bytes, "max_body_bytes"));
    return in.size();
  }
  response_.body.append(bytes);
  response_.raw.append(bytes);
  return in.size();
}

void ResponseParser::complete() {
  state_ = State::Done;
  status_ = ParseStatus::Complete;
}

void ResponseParser::fail(std::string message) {
  state_ = State::Done;
  status_ = ParseStatus::Error;
  error_ = std::move(message);
}

}  // namespace elt::http
