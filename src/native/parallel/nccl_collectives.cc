#include "parallel/nccl_collectives.h"

#include <string>

namespace gm::parallel {

namespace {
void check(ncclResult_t r, const char* what) {
  if (r == 0) return;
  const NcclApi& api = nccl();
  throw std::runtime_error(std::string(what) + " failed: " + (api.errorString ? api.errorString(r) : "NCCL error") +
                           " (" + std::to_string(r) + ")");
}
}  // namespace

std::vector<ncclComm_t> ncclInitAll(const std::vector<int>& devices) {
  const NcclApi& api = nccl();
  std::vector<ncclComm_t> comms(devices.size());
  check(api.commInitAll(comms.data(), (int)devices.size(), devices.data()), "ncclCommInitAll");
  return comms;
}

NcclCollectives::NcclCollectives(ncclComm_t comm, int rank, int size, std::function<double(double)> scalarSum)
    : comm_(comm), rank_(rank), size_(size), scalarSum_(std::move(scalarSum)) {
  nccl();  // fails here, clearly, when the library is missing
}

void NcclCollectives::allReduceSum(float* buf, size_t n, void* stream) {
  check(nccl().allReduce(buf, buf, n, ncclFloat32, ncclSum, comm_, stream), "ncclAllReduce");
}
void NcclCollectives::reduceScatterSum(const float* send, float* recv, size_t perRank, void* stream) {
  check(nccl().reduceScatter(send, recv, perRank, ncclFloat32, ncclSum, comm_, stream), "ncclReduceScatter");
}
void NcclCollectives::allGather(const float* send, float* recv, size_t perRank, void* stream) {
  check(nccl().allGather(send, recv, perRank, ncclFloat32, comm_, stream), "ncclAllGather");
}
void NcclCollectives::broadcast(float* buf, size_t n, int root, void* stream) {
  check(nccl().broadcast(buf, buf, n, ncclFloat32, root, comm_, stream), "ncclBroadcast");
}
void NcclCollectives::abort(const std::string&) { nccl().commAbort(comm_); }

}  // namespace gm::parallel
