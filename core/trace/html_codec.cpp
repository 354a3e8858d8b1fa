#include "trace/html_codec.h"

#include <charconv>
#include <stdexcept>

namespace elt::page_codec {

namespace {

constexpr std::uint64_t kMore = 32;  // the sixth bit of a digit: more digits follow
constexpr std::size_t kMaxDigits = 15;  // below 2^53: the page's doubles hold it exactly
// In a template's key: a number taken out, and the escape for those two bytes in the text.
constexpr char kHole = '\x01', kEscape = '\x02';

std::uint64_t zigzag(std::int64_t v) {
  return v >= 0 ? static_cast<std::uint64_t>(v) * 2 : static_cast<std::uint64_t>(-(v + 1)) * 2 + 1;
}

std::int64_t unzigzag(std::uint64_t z) {
  return z % 2 == 0 ? static_cast<std::int64_t>(z / 2) : -static_cast<std::int64_t>(z / 2) - 1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The pieces of a template from its key: split at the holes, the escapes undone.
std::vector<std::string> pieces_of(std::string_view key) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == kHole) {
      out.emplace_back();
    } else {
      if (key[i] == kEscape) ++i;
      out.back() += key[i];
    }
  }
  return out;
}

}  // namespace

void IntColumn::put(std::uint64_t v) {
  while (v >= kMore) {
    out_ += static_cast<char>(kFirstDigit + static_cast<char>(kMore | (v % kMore)));
    v /= kMore;
  }
  out_ += static_cast<char>(kFirstDigit + static_cast<char>(v));
}

void IntColumn::put_signed(std::int64_t v) { put(zigzag(v)); }

std::uint64_t IntReader::get() {
  std::uint64_t v = 0, scale = 1;
  for (;;) {
    if (at_ >= text_.size()) throw std::runtime_error("page data: a column ends inside a number");
    const int d = text_[at_++] - kFirstDigit;
    if (d < 0 || d >= 64) throw std::runtime_error("page data: a character outside the column's digits");
    v += (static_cast<std::uint64_t>(d) % kMore) * scale;
    if ((static_cast<std::uint64_t>(d) & kMore) == 0) return v;
    scale *= kMore;
  }
}

std::int64_t IntReader::get_signed() { return unzigzag(get()); }

// The string's key (its text, a hole for each number) into key_, its numbers into values_;
// answers the template's index, a new one the first time the key is seen.
std::size_t StringColumn::template_of(std::string_view s) {
  key_.clear();
  values_.clear();
  for (std::size_t i = 0; i < s.size();) {
    if (!is_digit(s[i])) {
      if (s[i] == kHole || s[i] == kEscape) key_ += kEscape;
      key_ += s[i++];
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && is_digit(s[end])) ++end;
    const std::string_view run = s.substr(i, end - i);
    if (run.size() <= kMaxDigits && (run.size() == 1 || run[0] != '0')) {
      key_ += kHole;
      std::int64_t v = 0;
      std::from_chars(run.data(), run.data() + run.size(), v);
      values_.push_back(v);
    } else {
      key_ += run;
    }
    i = end;
  }
  auto [it, added] = index_.try_emplace(key_, pieces_.size());
  if (added) {
    pieces_.push_back(pieces_of(key_));
    last_.emplace_back(values_.size(), 0);
  }
  return it->second;
}

void StringColumn::put(std::string_view s) {
  const std::size_t t = template_of(s);
  out_.put(t + 1);
  std::vector<std::int64_t>& last = last_[t];
  for (std::size_t k = 0; k < values_.size(); ++k) {
    out_.put_signed(values_[k] - last[k]);
    last[k] = values_[k];
  }
  numbers_ += values_.size();
}

void StringColumn::put_none() { out_.put(0); }

nlohmann::json StringColumn::templates() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : pieces_) out.push_back(p);
  return out;
}

StringReader::StringReader(const nlohmann::json& templates, std::string_view text) : in_(text) {
  for (const auto& t : templates) {
    pieces_.push_back(t.get<std::vector<std::string>>());
    if (pieces_.back().empty()) throw std::runtime_error("page data: a template with no text");
    last_.emplace_back(pieces_.back().size() - 1, 0);
  }
}

std::optional<std::string> StringReader::get() {
  const std::uint64_t t = in_.get();
  if (t == 0) return std::nullopt;
  if (t > pieces_.size()) throw std::runtime_error("page data: a string names a template it does not have");
  const auto& pieces = pieces_[t - 1];
  auto& last = last_[t - 1];
  std::string out = pieces[0];
  for (std::size_t k = 0; k + 1 < pieces.size(); ++k) {
    last[k] += in_.get_signed();
    out += std::to_string(last[k]);
    out += pieces[k + 1];
  }
  return out;
}

}  // namespace elt::page_codec
