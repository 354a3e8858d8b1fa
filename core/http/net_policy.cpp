// Network confinement for http_get (see net_policy.h).
#include "http/net_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace elt {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// A host name as RFC 1123 writes one, or an IPv4 address: letters, digits, '-' and '.'.
// Anything else in an --allow-net value is a typo (a scheme, a path, a user@).
bool is_host_text(std::string_view host) {
  return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
         });
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  in_addr addr{};
  std::string text(host);
  return inet_pton(AF_INET, text.c_str(), &addr) == 1 && (ntohl(addr.s_addr) >> 24) == 127;
}

std::optional<NetRule> NetPolicy::parse_rule(std::string_view text, std::string& error) {
  NetRule rule;
  std::string_view host = text;
  if (text.find_first_of("/@") != std::string_view::npos) {
    host = {};  // a URL or a user@host, not a host
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = text.substr(colon + 1);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      error = fmt::format("--allow-net \"{}\": the port must be a number from 1 to 65535", text);
      return std::nullopt;
    }
    rule.port = static_cast<std::uint16_t>(value);
    host = text.substr(0, colon);
  }
  if (!is_host_text(host)) {
    error = fmt::format("--allow-net \"{}\": expected HOST or HOST:PORT (a name or an IPv4 address)", text);
    return std::nullopt;
  }
  rule.host = std::string(host);
  return rule;
}

std::string NetPolicy::check(std::string_view host, std::uint16_t port) const {
  if (is_loopback_host(host)) return {};
  for (const NetRule& rule : rules_) {
    if (iequals(rule.host, host) && (!rule.port || *rule.port == port)) return {};
  }
  return fmt::format("connecting to {}:{} is not allowed: a scenario may connect only to loopback "
                     "(localhost, 127.0.0.0/8) and the delay service, and other names are not even "
                     "looked up (--allow-net HOST[:PORT] allows more)",
                     host, port);
}

}  // namespace elt
