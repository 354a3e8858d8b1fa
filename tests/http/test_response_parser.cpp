// Tests for the incremental HTTP/1.x response parser: framing, every split of the input,
// malformed input, limits and early EOF.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "http/response_parser.h"

using elt::http::ParseStatus;
using elt::http::Response;
using elt::http::ResponseParser;

namespace {

constexpr std::string_view kClosedEarly = "connection closed before the response was complete";

struct Outcome {
  ParseStatus status = ParseStatus::NeedMore;
  Response response;
  std::string error;
};

// Feeds `message` in pieces of `piece` bytes (0 = all at once), then EOF if asked.
Outcome parse(std::string_view message, std::size_t piece = 0, bool send_eof = false,
              ResponseParser::Limits limits = {}) {
  ResponseParser parser(limits);
  if (piece == 0) piece = message.size() == 0 ? 1 : message.size();
  for (std::size_t i = 0; i < message.size(); i += piece) {
    parser.feed(message.substr(i, piece));
  }
  if (send_eof) parser.finish();
  return {parser.status(), parser.take_response(), parser.error()};
}

// Feeds `message` split once at `split`.
Outcome parse_split(std::string_view message, std::size_t split, bool send_eof = false) {
  ResponseParser parser;
  parser.feed(message.substr(0, split));
  parser.feed(message.substr(split));
  if (send_eof) parser.finish();
  return {parser.status(), parser.take_response(), parser.error()};
}

void require_same(const Response& a, const Response& b) {
  REQUIRE(a.version == b.version);
  REQUIRE(a.status == b.status);
  REQUIRE(a.reason == b.reason);
  REQUIRE(a.headers.size() == b.headers.size());
  for (std::size_t i = 0; i < a.headers.size(); ++i) {
    REQUIRE(a.headers[i].name == b.headers[i].name);
    REQUIRE(a.headers[i].value == b.headers[i].value);
  }
  REQUIRE(a.body == b.body);
  REQUIRE(a.raw == b.raw);
}

// Every two-way split and byte-at-a-time feeding must give exactly the one-shot result.
void require_split_invariant(std::string_view message, bool send_eof = false) {
  const Outcome whole = parse(message, 0, send_eof);
  REQUIRE(whole.status == ParseStatus::Complete);
  for (std::size_t split = 0; split <= message.size(); ++split) {
    INFO("split at " << split);
    const Outcome out = parse_split(message, split, send_eof);
    REQUIRE(out.status == ParseStatus::Complete);
    require_same(out.response, whole.response);
  }
  const Outcome bytewise = parse(message, 1, send_eof);
  REQUIRE(bytewise.status == ParseStatus::Complete);
  require_same(bytewise.response, whole.response);
}

Outcome expect_error(std::string_view message, std::string_view fragment) {
  Outcome out = parse(message, 0, false);
  INFO("input: " << std::string(message));
  REQUIRE(out.status == ParseStatus::Error);
  INFO("error: " << out.error);
  REQUIRE(out.error.find(fragment) != std::string::npos);
  // The same verdict whatever the split.
  const Outcome bytewise = parse(message, 1, false);
  REQUIRE(bytewise.status == ParseStatus::Error);
  REQUIRE(bytewise.error.find(fragment) != std::string::npos);
  return out;
}

const std::string kSimple =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello";

const std::string kDelayService =
    "HTTP/1.1 302 Found\r\nServer: Cowboy\r\nLocation: http://x\r\nContent-Length: 0\r\n\r\n";

const std::string kChunked =
    "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5;name=value\r\n"
    "hello\r\n"
    "7 ; a=\"b\" ;c\r\n"
    ", world\r\n"
    "A\r\n"
    "0123456789\r\n"
    "0;last\r\n"
    "X-Trailer: yes\r\n"
    "Server-Timing: db;dur=53\r\n"
    "\r\n";

const std::string kInterim =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

}  // namespace

TEST_CASE("simple Content-Length response", "[http]") {
  const Outcome out = parse(kSimple);
  REQUIRE(out.status == ParseStatus::Complete);
  const Response& r = out.response;
  CHECK(r.version == "HTTP/1.1");
  CHECK(r.status == 200);
  CHECK(r.reason == "OK");
  REQUIRE(r.headers.size() == 2);
  CHECK(r.headers[0].name == "Content-Type");
  CHECK(r.headers[0].value == "text/plain");
  CHECK(r.headers[1].name == "Content-Length");
  CHECK(r.headers[1].value == "5");
  CHECK(r.body == "hello");
  CHECK(r.raw == kSimple);
  CHECK(out.error.empty());
}

TEST_CASE("delay-service redirect with empty body completes without EOF", "[http]") {
  ResponseParser parser;
  REQUIRE(parser.feed(kDelayService) == ParseStatus::Complete);
  const Response& r = parser.response();
  CHECK(r.status == 302);
  CHECK(r.reason == "Found");
  REQUIRE(r.header("location") != nullptr);
  CHECK(*r.header("location") == "http://x");
  CHECK(*r.header("SERVER") == "Cowboy");
  CHECK(r.body.empty());
  CHECK(r.raw == kDelayService);
  CHECK(parser.finish() == ParseStatus::Complete);
}

TEST_CASE("header lookup is case-insensitive and returns the first field", "[http]") {
  const Outcome out = parse(
      "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Empty:\r\n"
      "X-Spaces: \t  padded value \t \r\nContent-Length: 0\r\n\r\n");
  REQUIRE(out.status == ParseStatus::Complete);
  const Response& r = out.response;
  REQUIRE(r.header("SET-COOKIE") != nullptr);
  CHECK(*r.header("SET-COOKIE") == "a=1");
  CHECK(r.headers[1].name == "set-cookie");
  REQUIRE(r.header("x-empty") != nullptr);
  CHECK(r.header("x-empty")->empty());
  CHECK(*r.header("x-spaces") == "padded value");
  CHECK(r.header("X-Missing") == nullptr);
  CHECK(r.header("") == nullptr);
}

TEST_CASE("status line variants", "[http]") {
  SECTION("HTTP/1.0 with multi-word reason") {
    const Outcome out = parse("HTTP/1.0 404 Not Found Here\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(out.status == ParseStatus::Complete);
    CHECK(out.response.version == "HTTP/1.0");
    CHECK(out.response.status == 404);
    CHECK(out.response.reason == "Not Found Here");
  }
  SECTION("empty reason after the space") {
    const Outcome out = parse("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n");
    REQUIRE(out.status == ParseStatus::Complete);
    CHECK(out.response.reason.empty());
  }
  SECTION("no reason and no trailing space") {
    const Outcome out = parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(out.status == ParseStatus::Complete);
    CHECK(out.response.status == 200);
    CHECK(out.response.reason.empty());
  }
}

TEST_CASE("chunked body with extensions and trailers", "[http]") {
  const Outcome out = parse(kChunked);
  REQUIRE(out.status == ParseStatus::Complete);
  const Response& r = out.response;
  CHECK(r.body == "hello, world0123456789");
  CHECK(r.raw == kChunked);
  // Trailers are checked but not merged into the headers.
  REQUIRE(r.headers.size() == 1);
  CHECK(r.header("X-Trailer") == nullptr);
}

TEST_CASE("chunked is recognised as the final coding of a list", "[http]") {
  const Outcome out = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  REQUIRE(out.status == ParseStatus::Complete);
  CHECK(out.response.body == "abc");
}

TEST_CASE("chunked size lines allow leading zeros and trailing whitespace", "[http]") {
  const Outcome out = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0003 \r\nabc\r\nff\r\n" +
      std::string(255, 'x') + "\r\n000\r\n\r\n");
  REQUIRE(out.status == ParseStatus::Complete);
  CHECK(out.response.body == "abc" + std::string(255, 'x'));
}

TEST_CASE("body read until the connection closes", "[http]") {
  ResponseParser parser;
  CHECK(parser.feed("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nabc") ==
        ParseStatus::NeedMore);
  CHECK(parser.feed("def") == ParseStatus::NeedMore);
  CHECK(parser.response().body == "abcdef");
  CHECK(parser.finish() == ParseStatus::Complete);
  CHECK(parser.response().body == "abcdef");
  CHECK(parser.error().empty());

  SECTION("empty body") {
    ResponseParser empty;
    CHECK(empty.feed("HTTP/1.1 200 OK\r\n\r\n") == ParseStatus::NeedMore);
    CHECK(empty.finish() == ParseStatus::Complete);
    CHECK(empty.response().body.empty());
  }
  SECTION("a final coding other than chunked also runs to close") {
    ResponseParser gz;
    CHECK(gz.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n\x1f\x8b") ==
          ParseStatus::NeedMore);
    CHECK(gz.finish() == ParseStatus::Complete);
    CHECK(gz.response().body == "\x1f\x8b");
  }
}

TEST_CASE("1xx interim responses are skipped", "[http]") {
  const Outcome out = parse(kInterim);
  REQUIRE(out.status == ParseStatus::Complete);
  const Response& r = out.response;
  CHECK(r.status == 200);
  CHECK(r.reason == "OK");
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].name == "Content-Length");
  CHECK(r.header("Link") == nullptr);
  CHECK(r.body == "ok");
  CHECK(r.raw == kInterim);

  SECTION("an interim response alone is not complete") {
    ResponseParser parser;
    CHECK(parser.feed("HTTP/1.1 100 Continue\r\n\r\n") == ParseStatus::NeedMore);
    CHECK(parser.finish() == ParseStatus::Error);
    CHECK(parser.error() == kClosedEarly);
  }
  SECTION("the response after an interim one is checked like the first") {
    expect_error("HTTP/1.1 100 Continue\r\n\r\nSSH-2.0-x\r\n", "not an HTTP response");
  }
}

TEST_CASE("101 Switching Protocols ends the HTTP exchange", "[http]") {
  ResponseParser parser;
  CHECK(parser.feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05") ==
        ParseStatus::Complete);
  CHECK(parser.response().status == 101);
  CHECK(parser.response().body.empty());
}

TEST_CASE("204, 304 and HEAD responses have no body", "[http]") {
  SECTION("204 without Content-Length") {
    ResponseParser parser;
    CHECK(parser.feed("HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n") == ParseStatus::Complete);
    CHECK(parser.response().status == 204);
    CHECK(parser.response().body.empty());
  }
  SECTION("304 ignores its Content-Length") {
    ResponseParser parser;
    CHECK(parser.feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n") ==
          ParseStatus::Complete);
    CHECK(parser.response().body.empty());
  }
  SECTION("HEAD") {
    ResponseParser parser;
    parser.set_head_request(true);
    CHECK(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n") ==
          ParseStatus::Complete);
    CHECK(parser.response().body.empty());
  }
}

TEST_CASE("bytes after a complete response are ignored", "[http]") {
  ResponseParser parser;
  CHECK(parser.feed(kSimple + "HTTP/1.1 500 Oops\r\n") == ParseStatus::Complete);
  CHECK(parser.feed("more garbage \x01\x02") == ParseStatus::Complete);
  CHECK(parser.finish() == ParseStatus::Complete);
  CHECK(parser.response().status == 200);
  CHECK(parser.response().body == "hello");
  CHECK(parser.response().raw == kSimple);
}

TEST_CASE("LF-only line endings", "[http]") {
  const Outcome out = parse("HTTP/1.1 200 OK\nContent-Length: 3\nX-A: b\n\nabc");
  REQUIRE(out.status == ParseStatus::Complete);
  CHECK(out.response.reason == "OK");
  CHECK(*out.response.header("x-a") == "b");
  CHECK(out.response.body == "abc");

  const Outcome chunked =
      parse("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n2;x\nde\n0\nT: 1\n\n");
  REQUIRE(chunked.status == ParseStatus::Complete);
  CHECK(chunked.response.body == "abcde");
}

TEST_CASE("every split point gives the same result", "[http]") {
  SECTION("Content-Length") { require_split_invariant(kSimple); }
  SECTION("delay service") { require_split_invariant(kDelayService); }
  SECTION("chunked") { require_split_invariant(kChunked); }
  SECTION("interim responses") { require_split_invariant(kInterim); }
  SECTION("LF only") {
    require_split_invariant("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n");
  }
  SECTION("204") { require_split_invariant("HTTP/1.1 204 No Content\r\nA: b\r\n\r\n"); }
  SECTION("read until close") {
    require_split_invariant("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nsome body\r\n\r\nbytes", true);
  }
}

TEST_CASE("input that is not HTTP fails at once", "[http]") {
  SECTION("SSH banner") {
    const Outcome out = expect_error("SSH-2.0-OpenSSH_9.2\r\n", "not an HTTP response");
    CHECK(out.error.find("SSH-2.0-OpenSSH_9.2") != std::string::npos);
  }
  SECTION("the first wrong byte is enough, no newline needed") {
    ResponseParser parser;
    CHECK(parser.feed("S") == ParseStatus::Error);
    ResponseParser parser2;
    CHECK(parser2.feed("HTTP") == ParseStatus::NeedMore);
    CHECK(parser2.feed("S") == ParseStatus::Error);
  }
  SECTION("TLS record / binary garbage, quoted safely") {
    const std::string garbage("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x00\xff", 13);
    const Outcome out = expect_error(garbage, "not an HTTP response");
    CHECK(out.error.find('\0') == std::string::npos);
    CHECK(out.error.find("\\x16") != std::string::npos);
  }
  SECTION("lower-case prefix") { expect_error("http/1.1 200 OK\r\n", "not an HTTP response"); }
  SECTION("empty first line") { expect_error("\r\nHTTP/1.1 200 OK\r\n", "not an HTTP response"); }
  SECTION("HTTP/2 and unknown minor versions") {
    expect_error("HTTP/2 200\r\n", "unsupported HTTP version");
    expect_error("HTTP/1.2 200 OK\r\n", "unsupported HTTP version");
    expect_error("HTTP/0.9 200 OK\r\n", "unsupported HTTP version");
  }
}

TEST_CASE("malformed status lines", "[http]") {
  const char* const bad[] = {
      "HTTP/1.1\r\n",          "HTTP/1.1 \r\n",          "HTTP/1.1 20 OK\r\n",
      "HTTP/1.1 2000 OK\r\n",  "HTTP/1.1 abc OK\r\n",    "HTTP/1.1  200 OK\r\n",
      "HTTP/1.1\t200 OK\r\n",  "HTTP/1.1 099 Low\r\n",   "HTTP/1.1 200\tOK\r\n",
      "HTTP/1.1 200 O\x01K\r\n", "HTTP/1.1 200 OK\r\r\n", "HTTP/1.1x200 OK\r\n",
  };
  for (const char* line : bad) {
    expect_error(line, "malformed status line");
  }
  const Outcome out = parse("HTTP/1.1 FOO\r\n");
  CHECK(out.error == "malformed status line: \"HTTP/1.1 FOO\"");
}

TEST_CASE("malformed header lines", "[http]") {
  const std::string head = "HTTP/1.1 200 OK\r\n";
  SECTION("no colon") { expect_error(head + "NoColonHere\r\n\r\n", "no colon"); }
  SECTION("obs-fold continuation") {
    expect_error(head + "X-Long: part one\r\n  part two\r\n\r\n", "obsolete line folding");
    expect_error(head + "X-Long: part one\r\n\tpart two\r\n\r\n", "obsolete line folding");
  }
  SECTION("whitespace right after the status line") {
    expect_error(head + " X: y\r\n\r\n", "obsolete line folding");
  }
  SECTION("names with spaces, controls or separators") {
    expect_error(head + "Bad Name: x\r\n\r\n", "invalid header name");
    expect_error(head + "Name : x\r\n\r\n", "invalid header name");
    expect_error(head + "Na\x01me: x\r\n\r\n", "invalid header name");
    expect_error(head + "Na\rme: x\r\n\r\n", "invalid header name");
    expect_error(head + "(paren): x\r\n\r\n", "invalid header name");
    expect_error(head + ": no name\r\n\r\n", "invalid header name");
  }
  SECTION("control characters in values") {
    expect_error(head + std::string("X: a\0b\r\n\r\n", 10), "invalid header value");
    expect_error(head + "X: a\rb\r\n\r\n", "invalid header value");
    expect_error(head + "X: a\x7f\r\n\r\n", "invalid header value");
  }
  SECTION("obs-text in values is allowed") {
    const Outcome out = parse(head + "X: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(out.status == ParseStatus::Complete);
    CHECK(*out.response.header("x") == "caf\xc3\xa9");
  }
  SECTION("malformed trailers") {
    expect_error(head + "Transfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
                 "no colon");
  }
}

TEST_CASE("Content-Length validation", "[http]") {
  const std::string head = "HTTP/1.1 200 OK\r\n";
  for (const char* value : {"abc", "-1", "+5", "1 2", "0x10", "5,", ",5", "", "5;", "1e3",
                            "99999999999999999999999"}) {
    INFO("value: " << value);
    expect_error(head + "Content-Length: " + value + "\r\n\r\n", "invalid Content-Length");
  }
  SECTION("conflicting values") {
    expect_error(head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                 "conflicting Content-Length");
    expect_error(head + "Content-Length: 5, 6\r\n\r\nhello!", "conflicting Content-Length");
  }
  SECTION("identical repeats are accepted") {
    const Outcome out = parse(head + "Content-Length: 5, 5\r\ncontent-length: 5\r\n\r\nhello");
    REQUIRE(out.status == ParseStatus::Complete);
    CHECK(out.response.body == "hello");
  }
  SECTION("both Transfer-Encoding and Content-Length") {
    expect_error(head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                 "both Transfer-Encoding and Content-Length");
  }
}

TEST_CASE("Transfer-Encoding validation", "[http]") {
  const std::string head = "HTTP/1.1 200 OK\r\n";
  expect_error(head + "Transfer-Encoding: chunked, chunked\r\n\r\n", "more than once");
  expect_error(head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
               "more than once");
  expect_error(head + "Transfer-Encoding: \r\n\r\n", "invalid Transfer-Encoding");
  expect_error(head + "Transfer-Encoding: , ,\r\n\r\n", "invalid Transfer-Encoding");
}

TEST_CASE("chunk framing errors", "[http]") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  SECTION("not hex") { expect_error(head + "zz\r\n", "invalid chunk size"); }
  SECTION("empty size line") { expect_error(head + "\r\n", "invalid chunk size"); }
  SECTION("sign or leading space") {
    expect_error(head + "-1\r\n", "invalid chunk size");
    expect_error(head + " 1\r\n", "invalid chunk size");
    expect_error(head + "0x5\r\n", "invalid chunk size");
  }
  SECTION("overflowing size") {
    expect_error(head + "FFFFFFFFFFFFFFFFFFFF\r\n", "chunk size too large");
    // Fits in 64 bits but is still far beyond any body limit.
    expect_error(head + "FFFFFFFFFFFFFFFF\r\n", "max_body_bytes");
  }
  SECTION("more data than the chunk size said") {
    expect_error(head + "3\r\nabcdef\r\n0\r\n\r\n", "missing CRLF after chunk data");
  }
  SECTION("over-long size line") {
    expect_error(head + "1;" + std::string(5000, 'e') + "\r\n", "chunk size line exceeds");
  }
}

TEST_CASE("limits", "[http]") {
  SECTION("header limit is exact") {
    const std::string message = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    ResponseParser::Limits limits;
    limits.max_header_bytes = message.size();
    CHECK(parse(message, 0, false, limits).status == ParseStatus::Complete);
    CHECK(parse(message, 1, false, limits).status == ParseStatus::Complete);
    limits.max_header_bytes = message.size() - 1;
    const Outcome out = parse(message, 0, false, limits);
    REQUIRE(out.status == ParseStatus::Error);
    CHECK(out.error.find("max_header_bytes") != std::string::npos);
    CHECK(parse(message, 1, false, limits).status == ParseStatus::Error);
  }
  SECTION("an endless header line fails before its newline arrives") {
    ResponseParser parser(ResponseParser::Limits{1024, 1024});
    CHECK(parser.feed("HTTP/1.1 200 OK\r\nX-Big: ") == ParseStatus::NeedMore);
    ParseStatus status = ParseStatus::NeedMore;
    for (int i = 0; i < 2000 && status == ParseStatus::NeedMore; ++i) status = parser.feed("a");
    CHECK(status == ParseStatus::Error);
    CHECK(parser.error().find("max_header_bytes") != std::string::npos);
    CHECK(parser.response().raw.size() <= 1024);
  }
  SECTION("interim responses count against the header limit") {
    std::string message;
    for (int i = 0; i < 100; ++i) message += "HTTP/1.1 100 Continue\r\n\r\n";
    message += "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    CHECK(parse(message).status == ParseStatus::Complete);
    const Outcome out = parse(message, 0, false, ResponseParser::Limits{1024, 1024});
    REQUIRE(out.status == ParseStatus::Error);
    CHECK(out.error.find("max_header_bytes") != std::string::npos);
  }
  SECTION("trailers count against the header limit") {
    const std::string message = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " +
                                std::string(200, 't') + "\r\n\r\n";
    CHECK(parse(message).status == ParseStatus::Complete);
    const Outcome out = parse(message, 0, false, ResponseParser::Limits{128, 1024});
    REQUIRE(out.status == ParseStatus::Error);
    CHECK(out.error.find("max_header_bytes") != std::string::npos);
  }
  SECTION("Content-Length above the body limit fails before the body arrives") {
    ResponseParser parser(ResponseParser::Limits{1024, 10});
    CHECK(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n") == ParseStatus::Error);
    CHECK(parser.error().find("max_body_bytes") != std::string::npos);
    ResponseParser exact(ResponseParser::Limits{1024, 10});
    CHECK(exact.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789") ==
          ParseStatus::Complete);
  }
  SECTION("chunked bodies are limited in total") {
    const std::string message =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n";
    CHECK(parse(message, 0, false, ResponseParser::Limits{1024, 11}).status ==
          ParseStatus::Complete);
    const Outcome out = parse(message, 0, false, ResponseParser::Limits{1024, 10});
    REQUIRE(out.status == ParseStatus::Error);
    CHECK(out.error.find("max_body_bytes") != std::string::npos);
  }
  SECTION("read-until-close bodies are limited") {
    ResponseParser parser(ResponseParser::Limits{1024, 10});
    CHECK(parser.feed("HTTP/1.0 200 OK\r\n\r\n0123456789") == ParseStatus::NeedMore);
    CHECK(parser.feed("x") == ParseStatus::Error);
    CHECK(parser.error().find("max_body_bytes") != std::string::npos);
    CHECK(parser.response().body.size() == 10);
  }
}

TEST_CASE("truncated input followed by EOF", "[http]") {
  for (const std::string* message : {&kSimple, &kDelayService, &kChunked, &kInterim}) {
    for (std::size_t cut = 0; cut < message->size(); ++cut) {
      INFO("message " << *message << " cut at " << cut);
      ResponseParser parser;
      CHECK(parser.feed(std::string_view(*message).substr(0, cut)) == ParseStatus::NeedMore);
      REQUIRE(parser.finish() == ParseStatus::Error);
      CHECK(parser.error() == kClosedEarly);
    }
  }
  SECTION("nothing at all") {
    ResponseParser parser;
    CHECK(parser.finish() == ParseStatus::Error);
    CHECK(parser.error() == kClosedEarly);
  }
}

TEST_CASE("errors are sticky", "[http]") {
  ResponseParser parser;
  CHECK(parser.feed("FOO\r\n") == ParseStatus::Error);
  const std::string error = parser.error();
  CHECK(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == ParseStatus::Error);
  CHECK(parser.finish() == ParseStatus::Error);
  CHECK(parser.status() == ParseStatus::Error);
  CHECK(parser.error() == error);
}

TEST_CASE("take_response moves the response out", "[http]") {
  ResponseParser parser;
  REQUIRE(parser.feed(kSimple) == ParseStatus::Complete);
  Response r = parser.take_response();
  CHECK(r.body == "hello");
  CHECK(r.raw == kSimple);
  CHECK(parser.response().body.empty());
  CHECK(parser.status() == ParseStatus::Complete);
}

TEST_CASE("large inputs fed one byte at a time stay linear", "[http]") {
  // A quadratic parser would take minutes here; a linear one takes milliseconds.
  const std::string value(60000, 'v');
  const std::string body(200000, 'b');
  const std::string message = "HTTP/1.1 200 OK\r\nX-Big: " + value +
                              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                              body;
  const Outcome out = parse(message, 1);
  REQUIRE(out.status == ParseStatus::Complete);
  CHECK(*out.response.header("x-big") == value);
  CHECK(out.response.body == body);
}

TEST_CASE("a peer cannot grow memory with endless small chunks", "[http][untrusted]") {
  SECTION("1-byte chunks with 4000-byte extensions stop at the extension limit") {
    ResponseParser parser;
    CHECK(parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") == ParseStatus::NeedMore);
    const std::string chunk = "1;" + std::string(4000, 'e') + "\r\nX\r\n";
    ParseStatus status = ParseStatus::NeedMore;
    int chunks = 0;
    for (; chunks < 10'000 && status == ParseStatus::NeedMore; ++chunks) status = parser.feed(chunk);
    REQUIRE(status == ParseStatus::Error);
    CHECK(parser.error() == "chunk extension data exceeds the limit of 16384 bytes (max_chunk_extension_bytes)");
    CHECK(chunks <= 5);
    CHECK(parser.response().raw.size() < 32 * 1024);
  }
  SECTION("1-byte chunks without extensions stop at the framing limit") {
    ResponseParser parser;
    CHECK(parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") == ParseStatus::NeedMore);
    std::string many;
    for (int i = 0; i < 1000; ++i) many += "1\r\nX\r\n";
    ParseStatus status = ParseStatus::NeedMore;
    int rounds = 0;
    for (; rounds < 10'000 && status == ParseStatus::NeedMore; ++rounds) status = parser.feed(many);
    REQUIRE(status == ParseStatus::Error);
    CHECK(parser.error().find("max_chunk_framing_bytes") != std::string::npos);
    CHECK(parser.response().raw.size() < 2 * 1024 * 1024);
  }
  SECTION("ordinary chunked answers are far below both limits") {
    std::string message = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 1000; ++i) message += "400;name=value\r\n" + std::string(1024, 'b') + "\r\n";
    message += "0\r\n\r\n";
    ResponseParser parser;
    CHECK(parser.feed(message) == ParseStatus::Complete);
    CHECK(parser.response().body.size() == 1024 * 1000);
  }
}
