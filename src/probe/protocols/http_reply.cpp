#include "probe/protocols/http_reply.h"

#include <algorithm>

namespace hostward::probe {

namespace {

constexpr std::string_view kVersionPrefix = "HTTP/1.";
constexpr size_t kMaxChunkLine = 1024;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The line starting at `pos` without its CRLF (or bare LF); `pos` moves past
// it. nullopt while the line has not ended.
std::optional<std::string_view> take_line(std::string_view bytes, size_t& pos) {
  const size_t lf = bytes.find('\n', pos);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = bytes.substr(pos, lf - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = lf + 1;
  return line;
}

bool parse_status_line(std::string_view line, HttpResponse& r) {
  // "HTTP/1.1 200 OK"; the reason may be empty or missing.
  if (line.size() < 12 || line.substr(0, 7) != kVersionPrefix) return false;
  if (line[7] < '0' || line[7] > '9' || line[8] != ' ') return false;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || (line.size() > 12 && line[12] != ' ')) return false;
  r.status = status;
  r.reason = std::string(line.size() > 13 ? line.substr(13, 200) : std::string_view{});
  return true;
}

bool add_header(std::string_view line, HttpResponse& r) {
  const size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (const char c : line.substr(0, colon)) {
    if (!is_token_char(c)) return false;
  }
  if (r.headers.size() >= kHttpMaxHeaders) return false;
  const std::string name = lowercase(line.substr(0, colon));
  const std::string value(trim(line.substr(colon + 1)));
  const auto [it, inserted] = r.headers.emplace(name, value);
  if (inserted) return true;
  if (name == "content-length") return it->second == value;
  it->second += ", " + value;
  return true;
}

bool parse_size(std::string_view digits, int base, size_t& out) {
  digits = trim(digits);
  if (digits.empty() || digits.size() > 9) return false;
  size_t v = 0;
  for (const char c : digits) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return false;
    v = v * static_cast<size_t>(base) + static_cast<size_t>(d);
  }
  if (v > kHttpMaxBody) return false;
  out = v;
  return true;
}

enum class Body { complete, incomplete, invalid };

Body read_chunked(std::string_view bytes, size_t pos, std::string& body) {
  while (true) {
    const size_t line_start = pos;
    const auto line = take_line(bytes, pos);
    if (!line) {
      return bytes.size() - line_start > kMaxChunkLine ? Body::invalid : Body::incomplete;
    }
    size_t size = 0;
    if (!parse_size(line->substr(0, line->find(';')), 16, size)) return Body::invalid;
    if (size == 0) break;
    if (size > kHttpMaxBody - body.size()) return Body::invalid;
    if (bytes.size() - pos < size) return Body::incomplete;
    body.append(bytes.substr(pos, size));
    pos += size;
    const auto end = take_line(bytes, pos);
    if (!end) return bytes.size() - pos > 1 ? Body::invalid : Body::incomplete;
    if (!end->empty()) return Body::invalid;
  }
  // Trailer fields, up to an empty line; ignored.
  for (size_t n = 0;; ++n) {
    const size_t line_start = pos;
    const auto line = take_line(bytes, pos);
    if (!line) {
      return bytes.size() - line_start > kMaxChunkLine ? Body::invalid : Body::incomplete;
    }
    if (line->empty()) return Body::complete;
    if (n >= kHttpMaxHeaders) return Body::invalid;
  }
}

bool has_final_chunked(std::string_view transfer_encoding) {
  const size_t comma = transfer_encoding.rfind(',');
  const std::string_view last =
      comma == std::string_view::npos ? transfer_encoding : transfer_encoding.substr(comma + 1);
  return lowercase(trim(last)) == "chunked";
}

}  // namespace

std::optional<HttpResponse> parse_http_response(std::string_view bytes, bool closed) {
  const size_t prefix = std::min(bytes.size(), kVersionPrefix.size());
  if (bytes.substr(0, prefix) != kVersionPrefix.substr(0, prefix)) return std::nullopt;
  HttpResponse r;
  size_t pos = 0;
  const auto status_line = take_line(bytes, pos);
  if (!status_line) {
    if (bytes.size() > kHttpMaxHeaderBytes) return std::nullopt;
    return r;
  }
  if (!parse_status_line(*status_line, r)) return std::nullopt;
  while (true) {
    const auto line = take_line(bytes, pos);
    if (!line) {
      if (bytes.size() > kHttpMaxHeaderBytes) return std::nullopt;
      return r;
    }
    if (pos > kHttpMaxHeaderBytes) return std::nullopt;
    if (line->empty()) break;
    if (line->front() == ' ' || line->front() == '\t') return std::nullopt;  // obsolete folding
    if (!add_header(*line, r)) return std::nullopt;
  }

  if (r.status < 200 || r.status == 204 || r.status == 304) {
    r.complete = true;
    return r;
  }
  if (const auto te = r.headers.find("transfer-encoding"); te != r.headers.end()) {
    if (has_final_chunked(te->second)) {
      const Body b = read_chunked(bytes, pos, r.body);
      if (b == Body::invalid) return std::nullopt;
      r.complete = b == Body::complete;
      return r;
    }
  } else if (const auto cl = r.headers.find("content-length"); cl != r.headers.end()) {
    size_t length = 0;
    if (!parse_size(cl->second, 10, length)) return std::nullopt;
    r.body = std::string(bytes.substr(pos, length));
    r.complete = r.body.size() == length;
    return r;
  }
  r.body = std::string(bytes.substr(pos, kHttpMaxBody));
  r.complete = closed;
  return r;
}

std::string http_get_request(std::string_view target, std::string_view host) {
  std::string h;
  for (const char c : host) {
    if (c > 0x20 && c < 0x7f) h += c;  // nothing that could end the header line
  }
  if (h.empty()) h = "localhost";
  if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + h +
         "\r\nUser-Agent: hostward-probe\r\nAccept: application/json\r\nConnection: "
         "keep-alive\r\n\r\n";
}

}  // namespace hostward::probe
