// Incremental HTTP/1.x response parser: the job llhttp (formerly http-parser) does for
// Node's http client, much smaller. The socket client feeds it whatever read() returned,
// split anywhere, and asks whether a whole response has arrived yet.
//
// Single-threaded: a parser is owned by whichever thread reads the socket and is never
// shared. It keeps no pointers into the caller's buffers, so bytes may be freed or reused
// as soon as feed() returns.
//
// Scope: one response per connection (the client sends `Connection: close`), so bytes
// after a complete response are ignored. Interim 1xx responses are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace elt::http {

struct Header {
  std::string name;
  std::string value;
};

struct Response {
  std::string version;          // "HTTP/1.1"
  int status = 0;               // 302
  std::string reason;           // "Found"
  std::vector<Header> headers;  // in arrival order, names as sent
  std::string body;             // decoded body (chunked framing removed)
  // Every byte that belonged to the exchange, as received (including skipped 1xx
  // responses and chunk framing), for display. Bytes after the end of the response are
  // not part of it.
  std::string raw;

  // Case-insensitive lookup of the first field with this name; nullptr if absent.
  const std::string* header(std::string_view name) const;
};

enum class ParseStatus { NeedMore, Complete, Error };

// What a response's head says of its body's framing (RFC 9112 section 6.3): the
// Transfer-Encoding and Content-Length fields, read.
struct BodyFraming {
  bool has_transfer_encoding = false;
  std::size_t chunked_count = 0;  // how many codings are "chunked"
  bool chunked_last = false;      // the final coding is chunked
  bool has_content_length = false;
  std::uint64_t content_length = 0;
};

class ResponseParser {
 public:
  struct Limits {
    // Status line plus header fields, summed over skipped 1xx responses and trailers, so
    // that a peer cannot grow memory without bound by never finishing its head.
    std::size_t max_header_bytes = 64 * 1024;
    // Decoded body size.
    std::size_t max_body_bytes = 64 * 1024 * 1024;
    // Chunk extensions (";name=value" after a chunk's size), summed over the response.
    // Nothing uses them, and a peer sending endless 1-byte chunks with 4000-byte
    // extensions would otherwise grow `raw` by 4000 bytes per body byte; 16 KiB is
    // Node's limit (CVE-2024-22019).
    std::size_t max_chunk_extension_bytes = 16 * 1024;
    // Chunk framing (size lines and the CRLF after each chunk's data), summed over the
    // response: the same flood without extensions costs 5 bytes of framing per body byte.
    std::size_t max_chunk_framing_bytes = 1024 * 1024;
  };

  ResponseParser();
  explicit ResponseParser(Limits limits);

  // May be called with any split of the stream, even one byte at a time. Returns the
  // new status; once Complete or Error, further bytes are ignored.
  ParseStatus feed(std::string_view bytes);
  // The peer closed the connection (EOF).
  ParseStatus finish();

  // The request was HEAD: the response has no body whatever its headers say (RFC 9112
  // section 6.3). Must be called before the response head has been parsed.
  void set_head_request(bool is_head);

  ParseStatus status() const { return status_; }
  const Response& response() const { return response_; }
  Response take_response();
  // Human-readable reason when status() == Error, e.g. `malformed status line: "FOO"`.
  const std::string& error() const { return error_; }

 private:
  enum class State {
    StatusLine,
    Headers,
    FixedBody,     // Content-Length
    ChunkSize,
    ChunkData,
    ChunkDataEnd,  // the CRLF after each chunk's data
    Trailers,
    BodyUntilClose,
    Done,
  };

  std::size_t feed_line(std::string_view in, std::size_t pos);
  std::size_t feed_counted_body(std::string_view in, std::size_t pos);
  std::size_t feed_body_until_close(std::string_view in, std::size_t pos);

  bool check_partial_line();
  void handle_line(std::string_view line);
  void handle_status_line(std::string_view line);
  void handle_header_line(std::string_view line);
  void handle_end_of_head();
  bool head_is_whole_response();
  void start_body(const BodyFraming& framing);
  void handle_chunk_size_line(std::string_view line);
  void handle_trailer_line(std::string_view line);
  // Validates a `name: value` line; fills *out when it is non-null. False after fail().
  bool parse_field_line(std::string_view line, Header* out);

  void complete();
  void fail(std::string message);

  Limits limits_;
  bool head_request_ = false;
  State state_ = State::StatusLine;
  ParseStatus status_ = ParseStatus::NeedMore;
  Response response_;
  std::string error_;
  // The unterminated line seen so far; line-oriented states only ever hold one line, so
  // each byte is scanned once no matter how the input is split.
  std::string line_;
  std::size_t header_bytes_ = 0;  // charged against limits_.max_header_bytes
  std::size_t remaining_ = 0;     // bytes left in the Content-Length body or current chunk
  std::size_t framing_bytes_ = 0;    // charged against limits_.max_chunk_framing_bytes
  std::size_t extension_bytes_ = 0;  // charged against limits_.max_chunk_extension_bytes
};

}  // namespace elt::http
