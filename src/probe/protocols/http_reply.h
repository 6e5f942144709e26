#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

// HTTP/1.x over a raw connection, for the Elasticsearch and Docker checks.
namespace hostward::probe {

struct HttpResponse {
  int status = 0;  // 0 until the status line has arrived
  std::string reason;
  // Names lowercased; a repeated header's values joined with ", ".
  std::map<std::string, std::string> headers;
  std::string body;  // chunked bodies decoded
  bool complete = false;
};

inline constexpr size_t kHttpMaxHeaderBytes = 32 * 1024;
inline constexpr size_t kHttpMaxHeaders = 100;
inline constexpr size_t kHttpMaxBody = 16 << 20;

// The response at the start of `bytes`, complete or as far as it has come
// (`complete` false). A body framed by neither Content-Length nor chunked
// ends when the peer closes: pass `closed`. nullopt when the bytes are not an
// HTTP/1.x response or break its rules: a bad status line, a header without a
// colon, folded headers, conflicting or huge Content-Length, bad chunk sizes,
// more than kHttpMaxHeaders headers or kHttpMaxHeaderBytes of them.
std::optional<HttpResponse> parse_http_response(std::string_view bytes, bool closed = false);

// "GET <target> HTTP/1.1" with Host (IPv6 literals bracketed, "localhost"
// when empty), User-Agent hostward-probe, Accept application/json and
// Connection keep-alive.
std::string http_get_request(std::string_view target, std::string_view host);

}  // namespace hostward::probe
