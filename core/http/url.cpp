#include "http/url.h"

#include <charconv>

#include <fmt/format.h>

namespace elt {

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://")) {
    error = fmt::format("\"{}\": https is not supported (the runtime speaks plain HTTP/1.1)", url);
    return std::nullopt;
  }
  if (!url.starts_with(kScheme)) {
    error = fmt::format("\"{}\" is not an http:// URL", url);
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  for (char c : out.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      error = fmt::format("\"{}\": the path contains a space or a control character", url);
      return std::nullopt;
    }
  }
  auto colon = authority.rfind(':');
  std::string_view host = authority.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      error = fmt::format("\"{}\": the port must be a number from 1 to 65535", url);
      return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  if (host.empty()) {
    error = fmt::format("\"{}\" has no host", url);
    return std::nullopt;
  }
  out.host = std::string(host);
  return out;
}

std::string percent_encode_path(std::string_view text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '%' || c == '?' || c == '#') {
      out += fmt::format("%{:02X}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr == text.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace elt
