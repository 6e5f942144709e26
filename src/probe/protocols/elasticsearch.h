#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "probe/protocols/protocol_options.h"
#include "probe/protocols/step.h"

namespace hostward::probe {

// GET / over plain HTTP; when it is Elasticsearch or OpenSearch and answers,
// GET /_cat/indices for the index names.
std::vector<Step> elasticsearch_steps(const ProtocolOptions& o);

inline constexpr size_t kElasticsearchMaxIndices = 50;

// Whether the JSON of GET / is Elasticsearch's or OpenSearch's banner: a
// version.number and the tagline "You Know, for Search" or distribution
// "opensearch".
bool is_elasticsearch_banner(const nlohmann::json& root);

// Index names from GET /_cat/indices?format=json&h=index, at most
// kElasticsearchMaxIndices; `total` gets how many there are.
std::vector<std::string> elasticsearch_index_names(const nlohmann::json& cat, size_t& total);

}  // namespace hostward::probe
