// HTTP/1.x responses: parse_http_response open and closed, then the
// Elasticsearch check's steps on the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/protocols/elasticsearch.h"
#include "probe/protocols/http_reply.h"
#include "probe_steps.h"

namespace {

void check(const hostward::probe::HttpResponse& r, size_t size) {
  using namespace hostward::probe;
  if (r.headers.size() > kHttpMaxHeaders || r.body.size() > size) abort();
  if (r.complete && (r.status < 100 || r.status > 999)) abort();
  for (const auto& [name, value] : r.headers) {
    if (name.empty()) abort();
    for (const char c : name) {
      if (c >= 'A' && c <= 'Z') abort();  // names are lowercased
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hostward::probe;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto open = parse_http_response(bytes, false);
  const auto closed = parse_http_response(bytes, true);
  if (open.has_value() != closed.has_value()) abort();  // closing only ends a body
  if (open) {
    check(*open, size);
    check(*closed, size);
    if (open->complete && !closed->complete) abort();
  }
  ProtocolOptions o;
  o.host = "192.0.2.1";
  fuzz_steps(elasticsearch_steps(o), bytes);
  return 0;
}
