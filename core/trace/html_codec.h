// The compact text the html page's data is written in (issue 22: a 200,000-line page was
// 55 MB of JSON, and Chromium spent seconds reading and parsing it before drawing anything).
//
// Two building blocks, each a column of the page's tables written as one line of text:
//   - IntColumn: unsigned integers as base-32 digits, five bits a character, the sixth bit
//     saying "more digits follow" (a varint, as protobuf's, in printable characters). The
//     page decodes it with charCodeAt into a typed array: no JSON.parse, no objects.
//   - StringColumn: strings as templates. A trace's strings repeat with only their numbers
//     changing ("Registered timer event id: 5347", "===== TICK 10646 ====="), so each string
//     is split into its text around its decimal numbers (a template, stored once) and the
//     numbers, each written as its change from the same number of the template's last use
//     (ids and ticks that count up cost one character).
//
// The characters are '?' (63) to '~' (126): no '<' (the data sits in a <script> element), no
// newline (the columns are lines), nothing JSON or HTML would need to escape.
//
// The readers undo the writers, for tests (trace/html.cpp's html_data rebuilds the page's
// data as the JSON the page used to embed). Pure, no state shared: any thread, one caller each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace elt::page_codec {

constexpr char kFirstDigit = '?';  // digit d is the character kFirstDigit + d, d in 0..63

class IntColumn {
 public:
  void put(std::uint64_t v);
  // A signed value (a change), zigzagged: 0, -1, 1, -2 ... become 0, 1, 2, 3 ...
  void put_signed(std::int64_t v);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

class IntReader {
 public:
  explicit IntReader(std::string_view text) : text_(text) {}
  std::uint64_t get();  // throws std::runtime_error past the end or on a foreign character
  std::int64_t get_signed();
  bool done() const { return at_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

// A column of strings (or "none": template 0, which the page reads as null). Template t >= 1
// is templates()[t - 1], its pieces: the string is pieces[0], number 0, pieces[1], ...
// A number is a run of up to 15 decimal digits that does not start with 0 (unless it is "0"),
// so that it prints back the same; other digits stay in the text.
class StringColumn {
 public:
  void put(std::string_view s);
  void put_none();
  // [[piece, ...], ...]: each template's pieces, in the order the column first used them.
  nlohmann::json templates() const;
  const std::string& text() const { return out_.text(); }
  // How many numbers the column holds (the page sizes its typed array with it).
  std::size_t numbers() const { return numbers_; }

 private:
  std::size_t template_of(std::string_view s);

  std::unordered_map<std::string, std::size_t> index_;  // template key -> index into pieces_
  std::vector<std::vector<std::string>> pieces_;
  std::vector<std::vector<std::int64_t>> last_;  // per template, its numbers' last values
  std::string key_;                               // scratch: the string with its numbers taken out
  std::vector<std::int64_t> values_;              // scratch: the numbers taken out
  IntColumn out_;
  std::size_t numbers_ = 0;
};

class StringReader {
 public:
  StringReader(const nlohmann::json& templates, std::string_view text);
  std::optional<std::string> get();  // std::nullopt: "none"

 private:
  std::vector<std::vector<std::string>> pieces_;
  std::vector<std::vector<std::int64_t>> last_;
  IntReader in_;
};

}  // namespace elt::page_codec
