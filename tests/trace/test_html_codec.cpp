// The compact columns the html page's data is written in (trace/html_codec.h): integers and
// strings come back as they went in, whatever the strings hold, in characters that are safe
// inside a <script> element; and a trace's repeating strings cost a character or two a row.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "trace/html_codec.h"

using namespace elt::page_codec;

namespace {

// Every character of a column is a digit: no '<' to end the script, no newline to end the column.
bool only_digits(const std::string& text) {
  for (char c : text) {
    if (c < kFirstDigit || c > kFirstDigit + 63) return false;
  }
  return true;
}

std::vector<std::string> codec_round_trip(const std::vector<std::string>& in, std::string* text = nullptr) {
  StringColumn column;
  for (const auto& s : in) column.put(s);
  column.put_none();
  if (text) *text = column.text();
  StringReader reader(column.templates(), column.text());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < in.size(); ++i) out.push_back(reader.get().value_or("<none>"));
  CHECK_FALSE(reader.get().has_value());
  return out;
}

}  // namespace

TEST_CASE("page codec: integers come back, small ones in one character", "[trace][html]") {
  const std::vector<std::uint64_t> values = {0, 1, 31, 32, 1023, 1024, 1ULL << 53, std::numeric_limits<std::uint64_t>::max()};
  const std::vector<std::int64_t> changes = {0, -1, 1, -16, 15, std::numeric_limits<std::int64_t>::min(),
                                             std::numeric_limits<std::int64_t>::max()};
  IntColumn column;
  for (auto v : values) column.put(v);
  for (auto v : changes) column.put_signed(v);
  CHECK(only_digits(column.text()));
  IntReader reader(column.text());
  for (auto v : values) CHECK(reader.get() == v);
  for (auto v : changes) CHECK(reader.get_signed() == v);
  CHECK(reader.done());
  CHECK_THROWS(reader.get());

  IntColumn small;
  for (int v = 0; v < 32; ++v) small.put(static_cast<std::uint64_t>(v));
  CHECK(small.text().size() == 32);
}

TEST_CASE("page codec: any string comes back, its digits as numbers or as text", "[trace][html]") {
  const std::vector<std::string> in = {
      "", "a", "0", "00", "007", "1.5", "-3", "x1234567890123456789y",  // leading zeros and long runs stay text
      "999999999999999 and 1", "\x01 hole \x02 escape \x02\x01", "line\nbreak 12", "</script><!-- 4",
      "caf\xc3\xa9 12 \xe2\x86\x92 13", "Registered timer event id: 5 (list 5 ms, due at 5 ms)",
      "Registered timer event id: 4 (list 4 ms, due at 4 ms)", "1e-05", "id 18446744073709551615"};
  std::string text;
  CHECK(codec_round_trip(in, &text) == in);
  CHECK(only_digits(text));
}

TEST_CASE("page codec: strings that differ only in counting numbers cost one character a number", "[trace][html]") {
  std::vector<std::string> in;
  for (int tick = 1; tick <= 1000; ++tick) in.push_back("===== TICK " + std::to_string(tick) + " =====");
  StringColumn column;
  for (const auto& s : in) column.put(s);
  CHECK(column.templates().size() == 1);
  CHECK(column.numbers() == 1000);
  CHECK(column.text().size() == 2000);  // the template, then a change of 1: two characters a row
  CHECK(codec_round_trip(in) == in);
}
