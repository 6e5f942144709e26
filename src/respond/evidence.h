#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "respond/proc_handle.h"

// Evidence capture: what a process is, recorded into a fresh 0700 directory
// before anything is killed, with a SHA-256 for every file and one archive.
namespace hostward::respond {

struct EvidenceOptions {
  std::string out_dir;                // must not exist; created 0700
  bool memory = false;                // writable anonymous regions too
  uint64_t max_bytes = 256ull << 20;  // for all memory regions together
  uint64_t max_exe_bytes = 512ull << 20;
  bool archive = true;
};

struct EvidenceResult {
  bool ok = false;    // the directory and manifest were written
  std::string error;  // why not (the directory exists, ...)
  std::string dir;
  std::string manifest_path;
  std::string archive_path;
  nlohmann::json manifest;
};

// Never follows a link it did not create: the directory is made by mkdir
// (which refuses an existing name or link), every file in it is created with
// O_EXCL|O_NOFOLLOW relative to the directory's own descriptor.
EvidenceResult capture_evidence(const std::vector<ProcKey>& processes,
                                const EvidenceOptions& options);

}  // namespace hostward::respond
